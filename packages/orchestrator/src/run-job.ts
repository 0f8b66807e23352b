// The job: a short chain of stages (files under `stages/`), each through the one resumable wrapper.
import { basename } from "node:path";
import { VERSION as DATASET_VERSION, type DatasetStats, DatasetValidationError } from "@rlvr/dataset";
import { VERSION as FINGERPRINT_VERSION, type TrainingEnvironment } from "@rlvr/env-fingerprint";
import { JOB_MODE_STAGES, type JobRecord } from "@rlvr/job-record";
import { VERSION as LOOP_VERSION } from "@rlvr/rlvr-loop";
import { VERSION as TUNER_VERSION } from "@rlvr/tuner";
import { type JobRegistry, NO_REGISTRY, startJobRegistry } from "./_job-registry.js";
import { checkOutDir, lockOutDir } from "./_out-dir.js";
import { buildRecord, type JobBasis, type JobEnding, type JobProducts } from "./_record.js";
import { type ResolvedRunOptions, resolveRunOptions } from "./_run-options.js";
import { loadSqlite } from "./_sqlite.js";
import { OrchestratorError } from "./errors.js";
import type { JobEvent } from "./job-events.js";
import { assertJobRecord } from "./job-record.js";
import type { JobSpec, ResolvedJobSpec } from "./job-spec.js";
import { resolveJobSpec } from "./job-spec-resolve.js";
import { checkParamPaths } from "./params.js";
import type { RunJobOptions } from "./run-options.js";
import {
  abortedError,
  createStageLog,
  type JobContext,
  runStage,
  type StageContext,
} from "./stages/_stage.js";
import { checkpointStage } from "./stages/checkpoint.js";
import { evaluateStage } from "./stages/evaluate.js";
import { fingerprintStage, identityOf, jobStateDir } from "./stages/fingerprint.js";
import { loadStage } from "./stages/load.js";
import { writeOutputs } from "./stages/outputs.js";
import { shipStage } from "./stages/ship.js";
import { splitStage } from "./stages/split.js";
import { trainStage } from "./stages/train.js";
import { tuneStage } from "./stages/tune.js";
import { VERSION } from "./version.js";

export { checkpointFileName } from "./stages/checkpoint.js";
export { deriveJobId, jobStateDir } from "./stages/fingerprint.js";
export { recordFileName } from "./stages/outputs.js";

/** Versions of the `@rlvr/*` packages that compute a job's result (they enter the fingerprint). */
export function rlvrPackageVersions(): Record<string, string> {
  return {
    "@rlvr/dataset": DATASET_VERSION,
    "@rlvr/env-fingerprint": FINGERPRINT_VERSION,
    "@rlvr/orchestrator": VERSION,
    "@rlvr/rlvr-loop": LOOP_VERSION,
    "@rlvr/tuner": TUNER_VERSION,
  };
}

function errorOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === "string" ? e.code : "ERROR",
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}

/** Resolves a spec and checks that every search-space name is a TrainConfig path. */
function resolveChecked(spec: JobSpec, baseDir: string | undefined): ResolvedJobSpec {
  const resolved = resolveJobSpec(spec, baseDir === undefined ? {} : { baseDir });
  const problems = checkParamPaths(resolved.rlvr, Object.keys(resolved.searchSpace));
  if (problems.length > 0) {
    throw new OrchestratorError("INVALID_SPEC", `invalid search space:\n  ${problems.join("\n  ")}`, {
      details: problems,
    });
  }
  return resolved;
}

function createContext(spec: ResolvedJobSpec, options: ResolvedRunOptions): StageContext {
  const listener = options.onEvent;
  return {
    spec,
    options,
    log: createStageLog(options.host.rssBytes()),
    emit(event: JobEvent) {
      if (listener === undefined) return;
      try {
        listener(event);
      } catch {
        // progress display must never break a job
      }
    },
    checkAbort() {
      if (options.signal?.aborted) throw abortedError(options.signal);
    },
  };
}

/** Maps an error of the stages before the job id exists to an {@link OrchestratorError}. */
function inputError(error: unknown, stage: string): OrchestratorError {
  if (OrchestratorError.is(error)) return error;
  if (DatasetValidationError.is(error)) {
    return new OrchestratorError("DATASET_INVALID", (error as Error).message, { cause: error, stage });
  }
  const e = errorOf(error);
  const code =
    e.code === "ABORTED"
      ? "ABORTED"
      : e.code === "FILE_NOT_FOUND" || e.code === "FILE_READ_ERROR"
        ? "IO_ERROR"
        : "STAGE_FAILED";
  return new OrchestratorError(code, `${stage}: ${e.message}`, { cause: error, stage });
}

/** Runs a step before the job id exists: an error is announced and thrown (nothing is recorded). */
async function beforeId<T>(context: StageContext, body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const stage = context.log.current;
    context.emit({ type: "error", jobId: null, stage, ...errorOf(error) });
    throw inputError(error, stage ?? "load");
  }
}

/**
 * Runs a training job: load and validate the datasets, split by group, fingerprint, tune on train
 * with the objective on validation, train the final policy with the best parameters, evaluate it on
 * test with baselines, decide what ships, write the checkpoint, and write the record (and the
 * `outputs` renderers' files) into the output folder before the registry says the job is done.
 *
 * The output folder is checked before any work and locked while the job writes it. Bad input (spec,
 * dataset, output folder) rejects with an {@link OrchestratorError} (`INVALID_SPEC`,
 * `DATASET_INVALID`, `OUTPUT_UNUSABLE`, `OUTPUT_LOCKED`) before anything is written. Once the job id
 * is known, a failure or a cancellation resolves to a record with status `failed` or `cancelled`
 * (resume state is kept); a record that cannot be written rejects with `IO_ERROR` after the registry
 * was told the job failed.
 * @param spec - the job spec (see `resolveJobSpec` for the defaults)
 * @param options - cancellation, progress events, resume, injected dependencies
 */
export async function runJob(spec: JobSpec, options: RunJobOptions = {}): Promise<JobRecord> {
  const resolved = resolveChecked(spec, options.baseDir);
  const run = resolveRunOptions(resolved, options);
  await checkOutDir(resolved.outDir);
  const context = createContext(resolved, run);
  const start = { startedAt: run.clock.now(), startMs: run.clock.monotonicMs() };
  const loaded = await beforeId(context, () => runStage(loadStage, undefined, context));
  const splits = await beforeId(context, () => runStage(splitStage, loaded, context));
  const lock = await lockOutDir(resolved.outDir, {
    label: resolved.label,
    host: run.host,
    now: start.startedAt,
  });
  try {
    const packages = { ...rlvrPackageVersions(), ...run.packages };
    const identity = await beforeId(context, async () => {
      const input = { loaded, packages, claim: lock.claim };
      const id = await runStage(fingerprintStage, input, context);
      // a missing SQLite binding is the installation's fault, not the job's: thrown, nothing recorded
      if (resolved.registryPath !== null && options.registry === undefined) loadSqlite();
      return id;
    });
    const state = { jobId: identity.jobId, dir: jobStateDir(resolved.outDir, identity.jobId) };
    return await finishJob(context, { loaded, splits, identity, state }, start);
  } finally {
    await lock.release();
  }
}

/** Runs the stages after `fingerprint`, in the mode's order; each output is kept in `made`. */
async function runStages(job: JobContext, basis: JobBasis, made: JobProducts): Promise<void> {
  const { splits, loaded, identity } = basis;
  const runs = (name: (typeof JOB_MODE_STAGES)["full"][number]) =>
    JOB_MODE_STAGES[job.spec.mode].includes(name);
  const tuned = runs("tune") ? await runStage(tuneStage, { loaded, splits }, job) : null;
  if (tuned !== null) made.tuned = tuned;
  if (!runs("train")) return;
  const trained = await runStage(trainStage, { actions: loaded.actions, splits, tuned }, job);
  made.trained = trained;
  const evaluation = await runStage(evaluateStage, { splits, trained }, job);
  made.evaluation = evaluation;
  const shipped = await runStage(shipStage, { splits, trained, evaluation }, job);
  made.shipped = shipped;
  made.checkpoint = await runStage(checkpointStage, { identity, trained, evaluation, shipped }, job);
}

/** The job once it has an id: registry, stages, record, outputs, registry again. */
async function finishJob(
  context: StageContext,
  basis: JobBasis,
  start: Pick<JobEnding, "startedAt" | "startMs">,
): Promise<JobRecord> {
  const { spec, options } = context;
  let registry = NO_REGISTRY;
  const job: JobContext = { ...context, state: basis.state, heartbeat: () => registry.heartbeat() };
  const made: JobProducts = {};
  let ending: JobEnding = { status: "succeeded", error: null, ...start };
  try {
    registry = startJobRegistry(spec, options, basis);
    await runStages(job, basis, made);
  } catch (error) {
    const cancelled = options.signal?.aborted === true;
    const e = errorOf(error);
    const failure = { code: cancelled ? "ABORTED" : e.code, message: e.message, stage: context.log.current };
    ending = { ...ending, status: cancelled ? "cancelled" : "failed", error: failure };
    context.emit({ type: "error", jobId: basis.state.jobId, ...failure });
  }
  try {
    const record = buildRecord(context, basis, made, ending);
    assertJobRecord(record);
    await writeOrFail(record, job, registry);
    registry.finish(record);
    return record;
  } finally {
    registry.close();
  }
}

/**
 * Writes the job's files; when that fails, tells the registry the job failed (the record is not
 * there) and rethrows the `IO_ERROR` with the step `outputs`.
 */
async function writeOrFail(record: JobRecord, job: JobContext, registry: JobRegistry): Promise<void> {
  try {
    await writeOutputs(record, job);
  } catch (error) {
    const e = errorOf(error);
    job.emit({ type: "error", jobId: record.jobId, stage: null, ...e });
    try {
      registry.finish({ ...record, status: "failed", error: { ...e, stage: null } });
    } catch {
      // the write error is the one to report
    }
    throw OrchestratorError.is(error)
      ? new OrchestratorError(error.code, error.message, { cause: error.cause, stage: "outputs" })
      : error;
  }
}

/** What {@link fingerprintJob} returns. */
export interface JobFingerprint {
  /** The job id `runJob` would use. */
  readonly jobId: string;
  /** The fingerprint `runJob` would record. */
  readonly fingerprint: string;
  /** The training environment that was fingerprinted (for `buildManifest` with recorded metadata). */
  readonly environment: TrainingEnvironment;
  /** The manifest as the job record holds it (no recorded host, time or paths). */
  readonly manifest: Record<string, unknown>;
  /** The dataset as read. */
  readonly dataset: {
    readonly digest: string;
    readonly format: string;
    readonly stats: DatasetStats;
    readonly files: readonly string[];
  };
}

/**
 * Loads and validates a job's datasets and computes the fingerprint and job id that {@link runJob}
 * would record for the same spec and options, without running or writing anything.
 * @param spec - the job spec
 * @param options - `baseDir`, `packages` and `signal` as for {@link runJob} (the others are ignored)
 * @throws {@link OrchestratorError} `INVALID_SPEC`, `DATASET_INVALID`, `IO_ERROR` or `ABORTED`
 */
export async function fingerprintJob(
  spec: JobSpec,
  options: Pick<RunJobOptions, "baseDir" | "packages" | "signal"> = {},
): Promise<JobFingerprint> {
  const resolved = resolveChecked(spec, options.baseDir);
  const run = resolveRunOptions(resolved, { ...options, executor: "inline" });
  const context = createContext(resolved, run);
  const loaded = await beforeId(context, () => runStage(loadStage, undefined, context));
  const identity = identityOf(resolved, loaded, { ...rlvrPackageVersions(), ...run.packages });
  return {
    jobId: identity.jobId,
    fingerprint: identity.fingerprint,
    environment: identity.environment,
    manifest: identity.manifest,
    dataset: {
      digest: loaded.digest,
      format: loaded.format,
      stats: loaded.stats,
      files: resolved.datasets.map((p) => basename(p)),
    },
  };
}
