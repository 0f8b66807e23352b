// Trials of a job on many machines: the `bullmq` executor of the job's table and the worker that runs
// the job's trials (`rlvr-train worker`). The job ships its prepared trial data through Redis once,
// canonically encoded and content-addressed (equal data, equal digest, in any process: a resumed job
// finds its queued trials again); every worker runs the package's own trial code on it.
// `@rlvr/tuner-bullmq` (BullMQ and ioredis) is an optional peer: loaded only when a queue is used, and
// never named by the public types below, so that installing the job (`pnpm dlx rlvr-train demo`) does
// not install BullMQ and its optional native build.

import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { Params, Trial } from "@rlvr/tuner";
import type { BlobStore, TrialRunner } from "@rlvr/tuner-bullmq";
import { decodeTrialData, encodeTrialData } from "./_trial-data-codec.js";
import { createTrialObjective, type TrialWorkerData } from "./_trial-worker.js";
import { OrchestratorError } from "./errors.js";
import type { ExecutorFactory, JobExecutor } from "./tables.js";
import { VERSION } from "./version.js";

/**
 * The name the job's trials are queued under: a worker of another version of this package does not
 * know it and refuses the trials (`UNKNOWN_RUNNER`), so a job never mixes trial code of two versions.
 */
export const JOB_TRIAL_RUNNER = `rlvr-job-trial@${VERSION}`;

/** Shipped trial data is kept this long in Redis (every job shipping the same bytes refreshes it). */
const DATA_TTL_SECONDS = 7 * 24 * 3600;

/** Where the queue is: the job and every worker must give the same host, `prefix` and `queue`. */
export interface QueueEndpointOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://...` for TLS (password shown as `***`). */
  readonly redis: string;
  /** TLS options of a `rediss://` URL (a private CA as `ca`). @defaultValue Node.js defaults */
  readonly tls?: TlsOptions;
  /** Prefix of every Redis key. @defaultValue "rlvr" */
  readonly prefix?: string;
  /** Name of the queue of trials. @defaultValue "trials" */
  readonly queue?: string;
  /** Milliseconds Redis may stay unreachable before `REDIS_UNREACHABLE`. @defaultValue 10000 */
  readonly unreachableTimeoutMs?: number;
}

/** Loads the optional queue package, or says how to install it. */
async function queuePackage(): Promise<typeof import("@rlvr/tuner-bullmq")> {
  try {
    return await import("@rlvr/tuner-bullmq");
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new OrchestratorError(
      "PACKAGE_MISSING",
      "trials through a queue need the package @rlvr/tuner-bullmq, which is not installed: install it beside rlvr-train (npm install -g rlvr-train @rlvr/tuner-bullmq, or add it to your project)",
      { cause: error },
    );
  }
}

/**
 * Options of {@link bullmqExecutor}: where the queue is (`redis` URL, `tls`, `prefix`, `queue`,
 * `unreachableTimeoutMs`, shared with the workers) and how many trials are queued at once.
 */
export interface BullmqJobExecutorOptions extends QueueEndpointOptions {
  /**
   * Trials queued at once. More than the study's `pendingWindow + 1` gains nothing (the study waits
   * for older trials before it asks for more).
   * @defaultValue the larger of the job's `tuner.concurrency` and `pendingWindow + 1`
   */
  readonly concurrency?: number;
}

/** The input every queued trial of a job carries: the digest of the shipped trial data. */
interface JobTrialInput {
  readonly data: string;
}

/**
 * The executor of a job's trials on a BullMQ queue in Redis (`rlvr-train run --executor bullmq`).
 * On creation it ships the trial data (prepared feature matrices and nuisance values, or the examples
 * of both splits when a tuned parameter changes the features) to Redis once, under the SHA-256 of its
 * bytes, and queues the trials under the job's run id, which `--resume` reuses to reattach. Workers
 * (`createJobWorker`, `rlvr-train worker`) on any machine run them; the record is the one the inline
 * executor writes.
 * @param options - the Redis endpoint (required `redis`) and `concurrency`
 * @throws {@link OrchestratorError} `INVALID_ARGUMENT` without a `redis` URL (Redis itself is only
 * reached when the job's tune stage starts: `REDIS_UNREACHABLE` then fails the job)
 */
export function bullmqExecutor(options: Partial<BullmqJobExecutorOptions>): ExecutorFactory {
  const { redis, concurrency: queued, ...endpoint } = options;
  if (typeof redis !== "string" || redis.length === 0) {
    throw new OrchestratorError(
      "INVALID_ARGUMENT",
      "the bullmq executor needs the Redis URL (redis://host:port) of the queue",
    );
  }
  return {
    name: "bullmq",
    local: false,
    create: async ({ concurrency, pendingWindow, runId, worker }): Promise<JobExecutor> => {
      const queue = await queuePackage();
      const recipe = worker({ portable: true });
      const blobs = await queue.openBlobStore({ redis, ...endpoint, ttlSeconds: DATA_TTL_SECONDS });
      let data: string;
      try {
        data = await blobs.put(encodeTrialData(recipe.factoryData));
      } finally {
        await blobs.close();
      }
      const input: JobTrialInput = { data };
      const executor = await queue.createBullmqExecutor({
        redis,
        ...endpoint,
        runId: await runId(),
        runner: JOB_TRIAL_RUNNER,
        input: { ...input },
        concurrency: queued ?? Math.max(concurrency, pendingWindow + 1),
      });
      return {
        concurrency: executor.concurrency,
        run: (request) => executor.run(request),
        close: () => executor.close(),
        purge: () => executor.purge(),
      };
    },
  };
}

/** What a worker tells its owner (for logs; nothing depends on it). */
export type JobWorkerEvent =
  | { readonly type: "started" | "finished" | "handed-back"; readonly jobId: string; readonly trial: number }
  | { readonly type: "refused"; readonly jobId: string; readonly code: string; readonly message: string }
  | { readonly type: "redis-restarted" | "error"; readonly message: string };

/**
 * Options of {@link createJobWorker} (those of `createQueueWorker` of `@rlvr/tuner-bullmq`, whose
 * documentation gives the details).
 */
export interface JobWorkerOptions extends QueueEndpointOptions {
  /** Trials at once in this process. @defaultValue 1 */
  readonly concurrency?: number;
  /** Wait for the job's answer to a report or pruning question. @defaultValue 15000 */
  readonly channelTimeoutMs?: number;
  /** A trial's lock without renewal; a killed worker's trial runs elsewhere after it. @defaultValue 30000 */
  readonly lockDurationMs?: number;
  /** How often this worker looks for trials of killed workers. @defaultValue 30000 */
  readonly stalledIntervalMs?: number;
  /** Take-backs of a trial before it fails for good. @defaultValue 2 */
  readonly maxStalledCount?: number;
  /** Bytes of shipped data kept in memory. @defaultValue 1 GiB */
  readonly blobCacheBytes?: number;
  /** Name of the worker on the trials it runs. @defaultValue `<host>:<pid>` */
  readonly name?: string;
  /** Hears what the worker does. */
  readonly onEvent?: (event: JobWorkerEvent) => void;
}

type TrialFunction = (params: Params, trial: Trial) => Promise<number>;

/** The trial data's digest from a payload's input, or a clear error (the trial then fails). */
function inputDigest(input: unknown): string {
  const data = (input as { data?: unknown } | null)?.data;
  if (
    typeof input !== "object" ||
    input === null ||
    typeof data !== "string" ||
    !data.startsWith("sha256:")
  ) {
    throw new OrchestratorError(
      "INVALID_ARGUMENT",
      `a queued trial's input must be { "data": "sha256:..." } (the job's shipped data), got ${JSON.stringify(input)}`,
    );
  }
  return data;
}

/** Checks the outline of shipped trial data (its bytes were already checked against their digest). */
function trialData(value: unknown, digest: string): TrialWorkerData {
  const v = value as Partial<TrialWorkerData> | null;
  const kind = (v?.source as { kind?: unknown } | undefined)?.kind;
  if (
    typeof v !== "object" ||
    v === null ||
    typeof v.settings !== "object" ||
    v.settings === null ||
    (kind !== "prepared" && kind !== "examples")
  ) {
    throw new OrchestratorError("INVALID_ARGUMENT", `the blob ${digest} is not a job's trial data`);
  }
  return v as TrialWorkerData;
}

/** How many runs' trial objectives a worker keeps (each holds a run's data). */
const KEPT_RUNS = 2;

/**
 * The job's trial runner: fetches the run's data from the blob store (once per worker, then cached),
 * builds the objective a job's inline executor would build, and runs one trial with it.
 */
function jobTrialRunner(): TrialRunner {
  const objectives = new Map<string, Promise<TrialFunction>>();
  const objectiveOf = (digest: string, blobs: BlobStore): Promise<TrialFunction> => {
    const kept = objectives.get(digest);
    if (kept !== undefined) {
      objectives.delete(digest); // most recently used last
      objectives.set(digest, kept);
      return kept;
    }
    const made = blobs
      .get(digest)
      .then((bytes) => createTrialObjective(trialData(decodeTrialData(bytes), digest)));
    made.catch(() => objectives.delete(digest));
    objectives.set(digest, made);
    for (const old of objectives.keys()) {
      if (objectives.size <= KEPT_RUNS) break;
      objectives.delete(old);
    }
    return made;
  };
  return async (params, trial, context) => {
    const objective = await objectiveOf(inputDigest(context.input), context.blobs);
    return objective(params, trial);
  };
}

/** A running worker of job trials. */
export interface JobWorker {
  /** Its name. */
  readonly name: string;
  /** Settles when it stops: resolves after `close()`, rejects with `REDIS_UNREACHABLE`. */
  readonly done: Promise<void>;
  /** Stops taking trials; with `handBack` its running trials go back to the queue at once. */
  close(options?: { readonly handBack?: boolean }): Promise<void>;
  /** The Redis URL, any password shown as `***`. */
  readonly redisUrl: string;
}

/**
 * Starts a worker that runs the trials of jobs queued with the `bullmq` executor (what `rlvr-train
 * worker` runs). It serves until closed: `close({ handBack: true })` puts its running trials back on
 * the queue for other workers. Workers hold no study state and share no disk with the job; they must
 * run the job's version of `@rlvr/orchestrator` (trials of another version are refused).
 * @param options - the Redis endpoint (`redis`, `tls`, `prefix`, `queue`), `concurrency` (trials at
 * once, default 1: run one process per core instead), lock and stall timings, `onEvent`
 * @throws `TunerBullmqError` `REDIS_UNREACHABLE` when Redis does not answer at start
 */
export async function createJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const queue = await queuePackage();
  const worker = await queue.createQueueWorker({
    ...options,
    runners: { [JOB_TRIAL_RUNNER]: jobTrialRunner() },
  });
  return {
    name: worker.name,
    done: worker.done,
    close: (o) => worker.close(o),
    redisUrl: queue.maskRedisUrl(options.redis),
  };
}
