import type { Executor, ExecutorRequest, JsonValue, TrialOutcome } from "@rlvr/tuner";
import { type Job, Queue, QueueEvents } from "bullmq";
import { answer, createLedger, type Ledger, tellReports } from "./_ledger.js";
import {
  badArgument,
  bullmqConnection,
  createClient,
  dropClient,
  isPositive,
  keyOf,
  resolveEndpoint,
  settleWithin,
  withDeadline,
} from "./_redis.js";
import { startWatchdog, type Watchdog } from "./_watchdog.js";
import type { RedisEndpointOptions } from "./connection.js";
import { TunerBullmqError, type TunerBullmqErrorCode } from "./errors.js";
import {
  type ChannelReply,
  type ChannelRequest,
  checkRequest,
  checkResult,
  parseChecked,
  RUN_ID_PATTERN,
  type TrialPayload,
  WIRE_VERSION,
} from "./wire.js";

/** Options of {@link createBullmqExecutor}. */
export interface BullmqExecutorOptions extends RedisEndpointOptions {
  /**
   * Identifies this study's trials in the queue (job ids are `<runId>-<trial number>`): 1–128 letters,
   * digits, `_`, `.` or `-`. Give a new id to every new study; give the same id again to reattach after
   * the job process died (finished trials are then reused, running ones awaited).
   */
  readonly runId: string;
  /** Name of the trial runner, as registered in every worker's table. */
  readonly runner: string;
  /**
   * The run's input for the runner (JSON: settings, blob digests), sent with every trial.
   * @defaultValue null
   */
  readonly input?: JsonValue;
  /**
   * Trials kept in the queue at once: the default `concurrency` of `optimize`. More than the study's
   * `pendingWindow + 1` gains nothing; fewer than the worker slots leaves workers idle.
   * @defaultValue 8
   */
  readonly concurrency?: number;
  /**
   * How often the state of queued trials is checked besides the queue's events (a safety net for
   * events missed while a connection was re-established).
   * @defaultValue 2000
   */
  readonly pollIntervalMs?: number;
  /**
   * How long a channel request of a trial the study has not (yet) asked for is kept before it is
   * dropped (after the job process restarted, the study asks for its trials again in order).
   * @defaultValue 30000
   */
  readonly parkMs?: number;
  /**
   * Finished jobs are kept this long in Redis (for `--resume`), then removed by BullMQ.
   * @defaultValue 604800 (7 days)
   */
  readonly keepJobsSeconds?: number;
}

/** The executor returned by {@link createBullmqExecutor}. */
export interface BullmqExecutor extends Executor {
  /** The run id. */
  readonly runId: string;
  /** The Redis URL, password masked. */
  readonly redisUrl: string;
  /** Removes this run's jobs and channel keys from Redis (after the study finished). */
  purge(): Promise<void>;
}

interface Pending {
  readonly jobId: string;
  readonly request: ExecutorRequest;
  readonly payload: TrialPayload;
  readonly ledger: Ledger;
  readonly resolve: (outcome: TrialOutcome) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** Times the trial was queued again after its channel was lost. */
  requeues: number;
  /** Being queued again (events about the old job are ignored meanwhile). */
  requeueing: boolean;
  /** Stops listening to the request's signal. */
  detach: () => void;
}

interface Parked {
  readonly request: ChannelRequest;
  readonly at: number;
}

/** Codes a worker refuses a job with that no other trial would escape either: they stop the study. */
const FATAL_REFUSALS = new Set<string>(["INVALID_PAYLOAD", "UNKNOWN_RUNNER"]);

function resolveOptions(options: BullmqExecutorOptions) {
  const where = "createBullmqExecutor";
  const endpoint = resolveEndpoint(options, where);
  const { runId, runner } = options;
  if (typeof runId !== "string" || !new RegExp(RUN_ID_PATTERN).test(runId)) {
    badArgument(where, `runId must be 1-128 letters, digits, '_', '.' or '-', got ${JSON.stringify(runId)}`);
  }
  if (typeof runner !== "string" || runner.length === 0 || runner.length > 128) {
    badArgument(where, `runner must be a name of 1-128 characters, got ${JSON.stringify(runner)}`);
  }
  const input = options.input ?? null;
  const concurrency = options.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    badArgument(where, `concurrency must be an integer >= 1, got ${String(concurrency)}`);
  }
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const parkMs = options.parkMs ?? 30_000;
  const keepJobsSeconds = options.keepJobsSeconds ?? 7 * 24 * 3600;
  for (const [name, value] of [
    ["pollIntervalMs", pollIntervalMs],
    ["parkMs", parkMs],
    ["keepJobsSeconds", keepJobsSeconds],
  ] as const) {
    if (!isPositive(value)) badArgument(where, `${name} must be a positive number, got ${String(value)}`);
  }
  return { endpoint, runId, runner, input, concurrency, pollIntervalMs, parkMs, keepJobsSeconds };
}

function failedOutcome(code: TunerBullmqErrorCode | "ABORTED", message: string): TrialOutcome {
  const name = code === "ABORTED" ? "TunerError" : "TunerBullmqError";
  return { state: "failed", error: { name, code, message } };
}

/** JSON text with object keys sorted (so that two equal values compare equal whatever their key order). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Whether a stored job holds the trial we would enqueue (same runner, input and task). */
function sameTrial(data: unknown, payload: TrialPayload): boolean {
  return canonical(data) === canonical(payload);
}

/**
 * An executor that puts each trial on a BullMQ queue in Redis and waits for a worker
 * (`createQueueWorker`, on any machine) to run it. The study, its sampler, pruner and pending window
 * stay in this process, so the trials and the result are the ones the inline executor gives.
 * `trial.report` and `trial.shouldPrune` of a remote trial reach the study through Redis and get the
 * answer an inline run gets; a trial re-run after its worker died is told to the study once.
 * @param options - see {@link BullmqExecutorOptions}
 * @returns the executor, connected
 * @throws {@link TunerBullmqError} `INVALID_ARGUMENT` for a bad option, `REDIS_UNREACHABLE` when Redis
 * does not answer within `unreachableTimeoutMs`
 */
export async function createBullmqExecutor(options: BullmqExecutorOptions): Promise<BullmqExecutor> {
  const settings = resolveOptions(options);
  const { endpoint, runId } = settings;
  const pendings = new Map<string, Pending>();
  const finished = new Set<string>();
  const parked = new Map<string, Parked[]>();
  const jobIds = new Set<string>();
  let fatal: unknown;
  let closed = false;
  let listening: Promise<void> | undefined;

  const fail = (error: unknown) => {
    if (fatal !== undefined || closed) return;
    fatal = error;
    for (const pending of [...pendings.values()]) drop(pending, error);
  };
  /** Marks a trial done here (its outcome is known or the run stops). */
  const finish = (pending: Pending): boolean => {
    if (pending.settled) return false;
    pending.settled = true;
    pendings.delete(pending.jobId);
    pending.detach();
    return true;
  };
  const drop = (pending: Pending, error: unknown) => {
    if (finish(pending)) pending.reject(error);
  };
  const watchdog: Watchdog = await startWatchdog(endpoint, { onUnreachable: fail, onRestart: fail });
  const connection = bullmqConnection(endpoint);
  const queue = new Queue(endpoint.queue, { connection, prefix: endpoint.prefix });
  const events = new QueueEvents(endpoint.queue, { connection, prefix: endpoint.prefix });
  // Outages are the watchdog's to report.
  queue.on("error", () => {});
  events.on("error", () => {});
  const blocking = createClient(endpoint);
  const replies = createClient(endpoint);
  try {
    await withDeadline(endpoint, Promise.all([queue.waitUntilReady(), events.waitUntilReady()]));
  } catch (error) {
    await shutDown();
    throw error;
  }
  const channelKey = keyOf(endpoint, "rpc", runId);

  const settle = (pending: Pending, outcome: TrialOutcome) => {
    if (!finish(pending)) return;
    finished.add(pending.jobId);
    pending.resolve(outcome);
  };

  const reply = (request: ChannelRequest, message: ChannelReply) => {
    const key = keyOf(endpoint, "reply", request.reply);
    replies
      .multi()
      .rpush(key, JSON.stringify(message))
      .pexpire(key, 60_000)
      .exec()
      .catch(() => {
        // The worker's call then times out; an outage is the watchdog's to report.
      });
  };

  const serve = (request: ChannelRequest) => {
    const pending = pendings.get(request.jobId);
    if (pending === undefined) {
      if (finished.has(request.jobId) || closed) reply(request, { v: WIRE_VERSION, cancel: true });
      else {
        const list = parked.get(request.jobId) ?? [];
        list.push({ request, at: Date.now() });
        parked.set(request.jobId, list);
      }
      return;
    }
    reply(request, answer(pending.ledger, pending.request.channel, pending.payload.task.number, request));
  };

  // The channel: one list per run, popped here one request at a time.
  const listen = async () => {
    while (!closed && fatal === undefined) {
      let popped: [string, string] | null;
      try {
        popped = await blocking.blpop(channelKey, 0.5);
      } catch {
        if (closed) return;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (popped === null) continue;
      const checked = parseChecked(popped[1], checkRequest);
      if (checked.ok && checked.value.jobId.startsWith(`${runId}-`)) serve(checked.value);
    }
  };
  listening = listen();

  const onCompleted = (jobId: string, returnvalue: unknown) => {
    const pending = pendings.get(jobId);
    if (pending === undefined || pending.settled || pending.requeueing) return;
    const checked = parseChecked(returnvalue, checkResult);
    const trial = pending.payload.task.number;
    if (!checked.ok) {
      settle(
        pending,
        failedOutcome("INVALID_RESULT", `trial ${trial} came back malformed: ${checked.reason}`),
      );
      return;
    }
    const { outcome, reports } = checked.value;
    if (outcome.state === "failed" && outcome.error.code === "ABORTED") {
      // The worker stopped the trial without handing it back (it was closed): run it again.
      void requeue(pending);
      return;
    }
    const refused = tellReports(pending.ledger, pending.request.channel, trial, 0, reports);
    if (refused !== undefined && "error" in refused)
      settle(pending, { state: "failed", error: refused.error });
    else settle(pending, outcome);
  };

  const onFailed = (jobId: string, reason: string) => {
    const pending = pendings.get(jobId);
    if (pending === undefined || pending.settled || pending.requeueing) return;
    const code = /^\[([A-Z_]+)\] /.exec(reason)?.[1];
    const trial = pending.payload.task.number;
    if (code !== undefined && FATAL_REFUSALS.has(code)) {
      drop(
        pending,
        new TunerBullmqError(
          code as TunerBullmqErrorCode,
          `a worker refused trial ${trial}: ${reason.slice(code.length + 3)}`,
        ),
      );
      return;
    }
    if (code === "CHANNEL_TIMEOUT" && pending.requeues < 2) {
      // The worker lost the channel (a request lost while the job process restarted): run it again;
      // the ledger makes the re-run's reports and decisions those the study already holds.
      pending.requeues++;
      void requeue(pending);
      return;
    }
    settle(pending, failedOutcome("JOB_FAILED", `the queue gave up on trial ${trial}: ${reason}`));
  };

  events.on("completed", ({ jobId, returnvalue }) => onCompleted(jobId, returnvalue));
  events.on("failed", ({ jobId, failedReason }) => onFailed(jobId, failedReason));

  const add = async (pending: Pending) => {
    const keep = { age: settings.keepJobsSeconds };
    await queue.add("trial", pending.payload, {
      jobId: pending.jobId,
      attempts: 1,
      removeOnComplete: keep,
      removeOnFail: keep,
    });
  };

  async function requeue(pending: Pending): Promise<void> {
    pending.requeueing = true;
    try {
      const job = await queue.getJob(pending.jobId);
      await job?.remove();
      if (!pending.settled) await add(pending);
    } catch (error) {
      drop(pending, error);
    } finally {
      pending.requeueing = false;
    }
  }

  /**
   * The job's state and, when it is finished, a copy read after the state (so that its result or
   * reason is there: a copy read before could predate the end).
   */
  const finishedJob = async (jobId: string) => {
    const state = await queue.getJobState(jobId);
    const job = state === "completed" || state === "failed" ? await queue.getJob(jobId) : undefined;
    return { state, job };
  };

  /** Reattaches to the trial's job if the run already queued it, else enqueues it. */
  const attach = async (pending: Pending) => {
    const existing: Job | undefined = await queue.getJob(pending.jobId);
    if (existing === undefined) return add(pending);
    if (!sameTrial(existing.data, pending.payload)) {
      throw new TunerBullmqError(
        "TASK_MISMATCH",
        `the queue at ${endpoint.shownUrl} already holds another trial ${pending.payload.task.number} of run ${runId}: use a new run id for a new study`,
      );
    }
    const { state, job } = await finishedJob(pending.jobId);
    if (state === "completed" && job !== undefined) onCompleted(pending.jobId, job.returnvalue);
    else if (state === "failed" || state === "unknown") {
      // A failure of an earlier attempt of the run (reattaching), or gone meanwhile: run it again.
      await job?.remove();
      await add(pending);
    }
  };

  let polling = false;
  const poll = setInterval(() => {
    if (polling || closed || fatal !== undefined) return;
    polling = true;
    const now = Date.now();
    for (const [jobId, list] of parked) {
      const kept = list.filter((p) => now - p.at < settings.parkMs);
      if (kept.length === 0) parked.delete(jobId);
      else parked.set(jobId, kept);
    }
    const checks = [...pendings.values()].map(async (pending) => {
      const { state, job } = await finishedJob(pending.jobId);
      if (pending.settled || pending.requeueing) return;
      // Removed by someone else: queue it again.
      if (state === "unknown") await add(pending);
      else if (state === "failed") onFailed(pending.jobId, job?.failedReason ?? "");
      else if (state === "completed") onCompleted(pending.jobId, job?.returnvalue);
    });
    Promise.all(checks)
      .catch(() => {
        // An outage is the watchdog's to report.
      })
      .finally(() => {
        polling = false;
      });
  }, settings.pollIntervalMs);
  poll.unref();

  async function shutDown(): Promise<void> {
    watchdog.stop();
    // The channel loop ends after its current pop (requests popped meanwhile are answered `cancel`).
    if (listening !== undefined) await settleWithin(listening, 1500);
    dropClient(blocking);
    dropClient(replies);
    // BullMQ's close waits for Redis; do not let an outage make close() hang.
    await settleWithin(Promise.all([queue.close(), events.close()]), 2000);
    await settleWithin(Promise.all([queue.disconnect(), events.disconnect()]), 1000);
  }

  return {
    concurrency: settings.concurrency,
    runId,
    redisUrl: endpoint.shownUrl,
    run(request: ExecutorRequest): Promise<TrialOutcome> {
      if (closed) return Promise.reject(new TunerBullmqError("CLOSED", "the queue executor was closed"));
      if (fatal !== undefined) return Promise.reject(fatal);
      const { task, signal } = request;
      const jobId = `${runId}-${task.number}`;
      jobIds.add(jobId);
      finished.delete(jobId);
      return new Promise<TrialOutcome>((resolve, reject) => {
        const pending: Pending = {
          jobId,
          request,
          payload: {
            v: WIRE_VERSION,
            kind: "rlvr-trial",
            runId,
            runner: settings.runner,
            input: settings.input,
            task: { number: task.number, seed: task.seed, params: { ...task.params } },
          },
          ledger: createLedger(),
          resolve,
          reject,
          settled: false,
          requeues: 0,
          requeueing: false,
          detach: () => {},
        };
        pendings.set(jobId, pending);
        const onAbort = () => {
          settle(pending, failedOutcome("ABORTED", "the study was aborted"));
          // A trial nobody started yet leaves the queue; a running one is told by its next request.
          void queue
            .getJob(jobId)
            .then((job) => job?.remove())
            .catch(() => {});
        };
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener("abort", onAbort, { once: true });
        pending.detach = () => signal.removeEventListener("abort", onAbort);
        const later = parked.get(jobId) ?? [];
        parked.delete(jobId);
        for (const p of later) serve(p.request);
        attach(pending).catch((error: unknown) => drop(pending, error));
      });
    },
    async purge() {
      const ids = [...jobIds];
      await withDeadline(
        endpoint,
        Promise.all([...ids.map((id) => queue.remove(id)), replies.del(channelKey)]),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      for (const pending of pendings.values()) {
        settle(pending, failedOutcome("ABORTED", "the queue executor was closed"));
      }
      await shutDown();
    },
  };
}
