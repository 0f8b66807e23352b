import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  createInlineExecutor,
  type Params,
  type Trial,
  type TrialChannel,
  type TrialOutcome,
} from "@rlvr/tuner";
import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import {
  badArgument,
  bullmqConnection,
  createClient,
  dropClient,
  isPositive,
  keyOf,
  type RedisEndpoint,
  resolveEndpoint,
  settleWithin,
  withDeadline,
} from "./_redis.js";
import { type SyncRpc, startSyncRpc } from "./_sync-rpc.js";
import { startWatchdog, type Watchdog } from "./_watchdog.js";
import { _blobStoreOnClient, type BlobStore } from "./blob-store.js";
import type { RedisEndpointOptions } from "./connection.js";
import { TunerBullmqError, type TunerBullmqErrorCode } from "./errors.js";
import {
  type ChannelReply,
  checkPayload,
  checkReply,
  parseChecked,
  type TrialPayload,
  type TrialResult,
  WIRE_VERSION,
} from "./wire.js";

/** What a trial runner gets besides the parameters and the trial handle. */
export interface TrialRunContext {
  /** The run's input (JSON), as the executor was given it. */
  readonly input: unknown;
  /** Blobs of the run (e.g. prepared training data), fetched once per worker and cached. */
  readonly blobs: BlobStore;
  /** The run id. */
  readonly runId: string;
  /** The queue job id (`<runId>-<trial number>`). */
  readonly jobId: string;
}

/**
 * The project's own trial code, registered by name in the worker's table: evaluates one set of
 * parameters like an objective of the tuner (`trial.report`, `trial.shouldPrune` and `trial.prune`
 * work and are synchronous). A runner that computes for long without awaiting blocks the worker's
 * event loop: keep it under `lockDurationMs` per synchronous stretch, or run the work in a thread.
 */
export type TrialRunner = (
  params: Params,
  trial: Trial,
  context: TrialRunContext,
) => number | Promise<number>;

/** What a worker tells its owner (for logs; nothing depends on it). */
export type QueueWorkerEvent =
  | { readonly type: "started" | "finished" | "handed-back"; readonly jobId: string; readonly trial: number }
  | {
      readonly type: "refused";
      readonly jobId: string;
      readonly code: TunerBullmqErrorCode;
      readonly message: string;
    }
  | { readonly type: "redis-restarted" | "error"; readonly message: string };

/** Options of {@link createQueueWorker}. */
export interface QueueWorkerOptions extends RedisEndpointOptions {
  /** The trial runners this worker runs, by the name executors give (`runner`). */
  readonly runners: Readonly<Record<string, TrialRunner>>;
  /**
   * Trials run at once in this process (asynchronous runners interleave; CPU-bound ones gain from
   * more processes, not more concurrency).
   * @defaultValue 1
   */
  readonly concurrency?: number;
  /**
   * How long `trial.report` / `trial.shouldPrune` wait for the study's answer before the trial fails
   * with `CHANNEL_TIMEOUT` (the job then fails and the study records the trial as failed).
   * @defaultValue 15000
   */
  readonly channelTimeoutMs?: number;
  /**
   * How long a trial's lock lasts without renewal: a worker that stops renewing (killed, or its event
   * loop blocked) loses the trial after this, and another worker runs it.
   * @defaultValue 30000
   */
  readonly lockDurationMs?: number;
  /**
   * How often this worker looks for trials whose worker stopped (stalled jobs) and queues them again.
   * @defaultValue 30000
   */
  readonly stalledIntervalMs?: number;
  /**
   * How many times a trial may be taken back from a stopped worker before it fails for good.
   * @defaultValue 2
   */
  readonly maxStalledCount?: number;
  /**
   * Bytes of blobs kept in memory.
   * @defaultValue 1 GiB
   */
  readonly blobCacheBytes?: number;
  /**
   * Name of the worker in the queue (shown on the jobs it runs).
   * @defaultValue `<host>:<pid>`
   */
  readonly name?: string;
  /** Hears what the worker does. */
  readonly onEvent?: (event: QueueWorkerEvent) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** Its name. */
  readonly name: string;
  /**
   * Settles when the worker stops: resolves after `close()`, rejects with `REDIS_UNREACHABLE` when
   * Redis stayed unreachable for `unreachableTimeoutMs` (the worker has then stopped).
   */
  readonly done: Promise<void>;
  /**
   * Stops taking trials and closes. By default the running trials finish first; with `handBack` they
   * are stopped and put back on the queue at once for another worker (a runner that computes without
   * awaiting is only stopped when it next awaits). Idempotent.
   */
  close(options?: { readonly handBack?: boolean }): Promise<void>;
}

interface Active {
  readonly controller: AbortController;
  handBack: boolean;
}

function refusal(code: TunerBullmqErrorCode, message: string): UnrecoverableError {
  return new UnrecoverableError(`[${code}] ${message}`);
}

function resolveOptions(options: QueueWorkerOptions) {
  const where = "createQueueWorker";
  const endpoint = resolveEndpoint(options, where);
  const runners = options.runners;
  if (typeof runners !== "object" || runners === null) badArgument(where, "runners must be an object");
  for (const [name, runner] of Object.entries(runners)) {
    if (typeof runner !== "function") badArgument(where, `runners.${name} must be a function`);
  }
  const concurrency = options.concurrency ?? 1;
  const maxStalledCount = options.maxStalledCount ?? 2;
  for (const [name, value] of [
    ["concurrency", concurrency],
    ["maxStalledCount", maxStalledCount],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1)
      badArgument(where, `${name} must be an integer >= 1, got ${String(value)}`);
  }
  const durations = {
    channelTimeoutMs: options.channelTimeoutMs ?? 15_000,
    lockDurationMs: options.lockDurationMs ?? 30_000,
    stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
    blobCacheBytes: options.blobCacheBytes ?? 2 ** 30,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (!isPositive(value)) badArgument(where, `${name} must be a positive number, got ${String(value)}`);
  }
  const name = options.name ?? `${hostname()}:${process.pid}`;
  return { endpoint, runners, concurrency, maxStalledCount, ...durations, name };
}

/** The study's answer, thrown back into the objective as the error it was on the study's side. */
function rethrown(info: { name: string; message: string; code?: string | undefined }): Error {
  const error = new Error(info.message) as Error & { code?: string };
  error.name = info.name;
  if (info.code !== undefined) error.code = info.code;
  return error;
}

/**
 * The channel of one trial attempt, through Redis: reports and pruning questions go to the study's
 * list, answers come back on a reply key. Keeps the attempt's reports (sent again on `resync`).
 */
function remoteChannel(
  rpc: SyncRpc,
  endpoint: RedisEndpoint,
  settings: { readonly timeoutMs: number; readonly token: string },
  payload: TrialPayload,
  jobId: string,
  controller: AbortController,
) {
  const listKey = keyOf(endpoint, "rpc", payload.runId);
  const history: Array<[number, number]> = [];
  let counter = 0;
  let broken: TunerBullmqError | undefined;
  let decision: { seq: number; prune: boolean } | undefined;

  const call = (body: Record<string, unknown>): ChannelReply => {
    if (broken !== undefined) throw broken;
    const reply = `${settings.token}:${++counter}`;
    const text = JSON.stringify({ v: WIRE_VERSION, reply, jobId, ...body });
    const result = rpc.call(listKey, keyOf(endpoint, "reply", reply), text, settings.timeoutMs);
    if ("error" in result) {
      broken = new TunerBullmqError(
        "CHANNEL_TIMEOUT",
        `trial ${payload.task.number} got no answer from its study through ${endpoint.shownUrl}: ${result.error}`,
      );
      throw broken;
    }
    const checked = parseChecked(result.reply, checkReply);
    if (!checked.ok) {
      broken = new TunerBullmqError("INVALID_RESULT", `a malformed answer from the study: ${checked.reason}`);
      throw broken;
    }
    const answer = checked.value;
    if ("cancel" in answer) {
      controller.abort(new TunerBullmqError("CLOSED", "the study no longer runs this trial"));
      throw controller.signal.reason;
    }
    if ("error" in answer) throw rethrown(answer.error);
    return answer;
  };
  /** Sends the reports from `from`, following resync requests (a restarted study catches up). */
  const send = (from: number, extra: Array<[number, number]>): ChannelReply => {
    let start = from;
    for (let round = 0; round < 3; round++) {
      const reports = [...history.slice(start), ...extra];
      const answer = call({ kind: "report", from: start, reports });
      if (!("resync" in answer)) return answer;
      if (answer.resync > history.length) break;
      start = answer.resync;
    }
    broken = new TunerBullmqError("INVALID_RESULT", "the study kept asking for reports it should hold");
    throw broken;
  };

  const channel: TrialChannel = {
    report(step, value) {
      send(history.length, [[step, value]]);
      history.push([step, value]);
    },
    shouldPrune() {
      const seq = history.length;
      if (decision?.seq === seq) return decision.prune;
      for (let round = 0; round < 3; round++) {
        const answer = call({ kind: "prune", seq });
        if ("resync" in answer) {
          if (answer.resync < seq) send(answer.resync, []);
          continue;
        }
        const prune = "prune" in answer && answer.prune === true;
        decision = { seq, prune };
        return prune;
      }
      broken = new TunerBullmqError("INVALID_RESULT", "the study kept asking for reports it should hold");
      throw broken;
    },
  };
  return { channel, history, broken: () => broken };
}

/**
 * Starts a worker: takes trials from the queue, runs them with the runner their executor names (from
 * `runners`, never code or module paths from the payload), and returns their outcomes. A job whose
 * payload is malformed or names an unknown runner fails with the reason and the worker carries on.
 * @param options - see {@link QueueWorkerOptions}
 * @returns the worker, connected and taking trials
 * @throws {@link TunerBullmqError} `INVALID_ARGUMENT` for a bad option, `REDIS_UNREACHABLE` when Redis
 * does not answer within `unreachableTimeoutMs`
 */
export async function createQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const settings = resolveOptions(options);
  const { endpoint, runners, name } = settings;
  const emit = (event: QueueWorkerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's error must not stop the worker.
    }
  };
  let stop!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    stop = (error) => (error === undefined ? resolve() : reject(error));
  });
  done.catch(() => {}); // the owner may never look
  let closing: Promise<void> | undefined;
  const watchdog: Watchdog = await startWatchdog(endpoint, {
    onUnreachable: (error) => {
      void shutDown({ handBack: false, force: true }).then(() => stop(error));
    },
    onRestart: (error) => emit({ type: "redis-restarted", message: error.message }),
  });
  const client = createClient(endpoint);
  const blobs = _blobStoreOnClient(client, { ...options, cacheBytes: settings.blobCacheBytes });
  const rpc = startSyncRpc(endpoint);
  const active = new Map<string, Active>();
  const inline = createInlineExecutor();

  const processor = async (job: Job, token?: string): Promise<TrialResult> => {
    const jobId = job.id ?? "";
    const checked = checkPayload(job.data);
    if (!checked.ok) {
      emit({ type: "refused", jobId, code: "INVALID_PAYLOAD", message: checked.reason });
      throw refusal("INVALID_PAYLOAD", `job ${jobId} is not a trial of this version: ${checked.reason}`);
    }
    const payload = checked.value;
    const runner = Object.hasOwn(runners, payload.runner) ? runners[payload.runner] : undefined;
    if (runner === undefined) {
      const message = `worker ${name} has no trial runner named ${JSON.stringify(payload.runner)}`;
      emit({ type: "refused", jobId, code: "UNKNOWN_RUNNER", message });
      throw refusal("UNKNOWN_RUNNER", message);
    }
    const controller = new AbortController();
    const entry: Active = { controller, handBack: false };
    active.set(jobId, entry);
    emit({ type: "started", jobId, trial: payload.task.number });
    try {
      const remote = remoteChannel(
        rpc,
        endpoint,
        { timeoutMs: settings.channelTimeoutMs, token: randomBytes(9).toString("hex") },
        payload,
        jobId,
        controller,
      );
      const context: TrialRunContext = { input: payload.input, blobs, runId: payload.runId, jobId };
      const outcome: TrialOutcome = await inline.run({
        task: payload.task,
        objective: (params, trial) => runner(params, trial, context),
        channel: remote.channel,
        signal: controller.signal,
      });
      const stopped = outcome.state === "failed" && outcome.error.code === "ABORTED";
      if (entry.handBack && stopped) {
        await job.moveToWait(token);
        emit({ type: "handed-back", jobId, trial: payload.task.number });
        throw new WaitingError();
      }
      const broken = remote.broken();
      if (broken !== undefined) throw refusal(broken.code, broken.message);
      emit({ type: "finished", jobId, trial: payload.task.number });
      return { v: WIRE_VERSION, kind: "rlvr-trial-result", outcome, reports: remote.history };
    } finally {
      active.delete(jobId);
    }
  };

  const worker = new Worker(endpoint.queue, processor, {
    connection: bullmqConnection(endpoint),
    prefix: endpoint.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    name,
    autorun: false,
  });
  worker.on("error", (error) => emit({ type: "error", message: error.message }));

  /** Closes; `force` (Redis is gone) does not wait for running trials or for Redis. */
  async function shutDown(how: { readonly handBack: boolean; readonly force: boolean }): Promise<void> {
    closing ??= (async () => {
      for (const entry of active.values()) {
        if (!how.handBack) continue;
        entry.handBack = true;
        entry.controller.abort(new TunerBullmqError("CLOSED", "the worker is closing: trial handed back"));
      }
      if (how.force) {
        await settleWithin(worker.close(true), 2000);
        await settleWithin(worker.disconnect(), 1000);
      } else await worker.close();
      watchdog.stop();
      await rpc.close();
      dropClient(client);
    })();
    return closing;
  }

  try {
    await withDeadline(endpoint, worker.waitUntilReady());
  } catch (error) {
    await shutDown({ handBack: false, force: true });
    throw error;
  }
  void worker.run().catch((error: unknown) => emit({ type: "error", message: String(error) }));

  return {
    name,
    done,
    async close(closeOptions = {}) {
      await shutDown({ handBack: closeOptions.handBack === true, force: false });
      stop();
    },
  };
}
