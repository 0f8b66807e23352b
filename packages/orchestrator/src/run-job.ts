import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import {
  VERSION as DATASET_VERSION,
  type DatasetStats,
  DatasetValidationError,
  loadDataset,
  type RlvrExample,
  splitByGroup,
} from "@rlvr/dataset";
import {
  buildManifest,
  createTrainingEnvironment,
  VERSION as FINGERPRINT_VERSION_PKG,
  fingerprint as fingerprintOf,
  sha256,
  type TrainingEnvironment,
} from "@rlvr/env-fingerprint";
import {
  JOB_MODE_STAGES,
  JOB_RECORD_VERSION,
  type JobRecord,
  type ShippingRecord,
  type StageName,
  type TrialRecord,
  type VolatileSection,
} from "@rlvr/job-record";
import {
  type Evaluation,
  evaluate,
  type LinearSoftmaxPolicy,
  VERSION as LOOP_VERSION,
  loadCheckpoint,
  serializeCheckpoint,
  type TrainConfig,
  train,
} from "@rlvr/rlvr-loop";
import {
  createGridSampler,
  createInlineExecutor,
  createJournalStorage,
  createMedianPruner,
  createNopPruner,
  createRandomSampler,
  createStudy,
  createSuccessiveHalvingPruner,
  createTpeSampler,
  createWorkerPoolExecutor,
  type Executor,
  type FrozenTrial,
  type Params,
  type Pruner,
  type Sampler,
  VERSION as TUNER_VERSION,
  type TuningResult,
} from "@rlvr/tuner";
import { estimatesRecord } from "./_estimates.js";
import { sha256Bytes, writeFileAtomic } from "./_fs.js";
import { selectionOf } from "./_selection.js";
import { decideShipping, shippedPolicyOf } from "./_ship.js";
import { loadSqlite } from "./_sqlite.js";
import type { TrialWorkerData } from "./_trial-worker.js";
import { createTuningObjective, prepareTuningData, type TuningSettings } from "./_tuning-objective.js";
import { OrchestratorError } from "./errors.js";
import type { JobEvent } from "./job-events.js";
import { assertJobRecord } from "./job-record.js";
import { type JobSpec, type ResolvedJobSpec, resolveJobSpec } from "./job-spec.js";
import { applyParams, checkParamPaths, sanitizeLabel } from "./params.js";
import { createRegistry, fingerprintFamily, type Registry } from "./registry.js";
import { VERSION } from "./version.js";

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /**
   * Cancels the job: running work stops at its next check, the record gets status `cancelled`
   * (the CLI maps it to exit 130) and resume state is kept. Cancelled before the job id is known
   * (while loading), `runJob` rejects with an `ABORTED` {@link OrchestratorError} instead.
   * @defaultValue undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Receives progress events (synchronously; errors it throws are ignored).
   * @defaultValue undefined
   */
  readonly onEvent?: (event: JobEvent) => void;
  /**
   * Continue from `<outDir>/.rlvr-job/<jobId>/`: finished stages and trials are reused. Without it,
   * existing state of the same job is discarded.
   * @defaultValue false
   */
  readonly resume?: boolean;
  /**
   * Folder relative paths of the spec are resolved against.
   * @defaultValue the current folder
   */
  readonly baseDir?: string;
  /**
   * Extra package versions entering the fingerprint (e.g. `{ "rlvr-train": VERSION }`); the `@rlvr/*`
   * packages are always included.
   * @defaultValue `{}`
   */
  readonly packages?: Readonly<Record<string, string>>;
  /**
   * Host name recorded in `volatile.host` and the registry.
   * @defaultValue `os.hostname()`
   */
  readonly host?: string;
  /**
   * Milliseconds between registry heartbeats while the job runs.
   * @defaultValue 5000
   */
  readonly heartbeatMs?: number;
}

/** Versions of the `@rlvr/*` packages that compute a job's result (they enter the fingerprint). */
export function rlvrPackageVersions(): Record<string, string> {
  return {
    "@rlvr/dataset": DATASET_VERSION,
    "@rlvr/env-fingerprint": FINGERPRINT_VERSION_PKG,
    "@rlvr/orchestrator": VERSION,
    "@rlvr/rlvr-loop": LOOP_VERSION,
    "@rlvr/tuner": TUNER_VERSION,
  };
}

/**
 * The job id: `job-` and the first 16 hex digits of SHA-256 of `fingerprint + "\n" + label`. Never the
 * clock, so the same job (inputs and label) always has the same id.
 */
export function deriveJobId(fingerprint: string, label: string): string {
  return `job-${sha256(`${fingerprint}\n${label}`).slice("sha256:".length, "sha256:".length + 16)}`;
}

/** Folder of a job's resume state: `<outDir>/.rlvr-job/<jobId>`. */
export function jobStateDir(outDir: string, jobId: string): string {
  return join(outDir, ".rlvr-job", jobId);
}

/** File name of a job's checkpoint inside the output folder: `<sanitised label>.ckpt`. */
export function checkpointFileName(label: string): string {
  return `${sanitizeLabel(label)}.ckpt`;
}

/**
 * The built worker module of the tuning threads. Running from TypeScript sources (the tests), this
 * file is `src/run-job.ts` and the worker is taken from `dist/`, which `pnpm build` writes: a worker
 * thread cannot load TypeScript.
 */
function trialWorkerModule(): { module: URL; execArgv?: string[] } {
  const here = new URL(import.meta.url);
  const fromSources = here.pathname.endsWith(".ts");
  const url = fromSources ? new URL("../dist/_trial-worker.js", here) : new URL("./_trial-worker.js", here);
  if (!existsSync(url)) {
    throw new OrchestratorError(
      "STAGE_FAILED",
      `runJob: tune: the worker module ${url.pathname} is missing (run \`pnpm build\` first, or use concurrency 1)`,
      { stage: "tune" },
    );
  }
  if (!fromSources) return { module: url };
  // The built worker must resolve the built packages, not the `@rlvr/source` condition of the tests.
  const execArgv: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--conditions" || a === "-C") i++;
    else if (!a.startsWith("--conditions=") && !a.startsWith("-C=")) execArgv.push(a);
  }
  return { module: url, execArgv };
}

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function groupCount(examples: readonly RlvrExample[]): number {
  const seen = new Set<string>();
  for (const e of examples) seen.add(e.groupId);
  return seen.size;
}

function sortedActions(examples: readonly RlvrExample[]): string[] {
  const set = new Set<string>();
  for (const e of examples) {
    set.add(e.action);
    if (e.allowedActions) for (const a of e.allowedActions) set.add(a);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function samplerFor(spec: ResolvedJobSpec): Sampler {
  switch (spec.tuner.sampler) {
    case "random":
      return createRandomSampler();
    case "grid":
      return createGridSampler();
    default:
      return createTpeSampler({ nStartupTrials: spec.tuner.nStartupTrials });
  }
}

function prunerFor(spec: ResolvedJobSpec): Pruner {
  switch (spec.tuner.pruner) {
    case "none":
      return createNopPruner();
    case "successive_halving":
      return createSuccessiveHalvingPruner();
    default:
      return createMedianPruner({ nStartupTrials: 5, nWarmupSteps: 1 });
  }
}

function trialRecord(t: FrozenTrial): TrialRecord {
  return json({
    number: t.number,
    state: t.state,
    params: t.params as Record<string, string | number | boolean>,
    seed: t.seed,
    value: t.value ?? null,
    intermediateValues: t.intermediateValues.map((v) => ({ step: v.step, value: v.value })),
    error: t.error
      ? { name: t.error.name, message: t.error.message, ...(t.error.code ? { code: t.error.code } : {}) }
      : null,
  });
}

/** Everything a stage produces that the record and later stages need. */
interface TuneStage {
  readonly tuning: NonNullable<JobRecord["tuning"]>;
  readonly trialsVolatile: VolatileSection["trials"];
}
interface TrainStage {
  readonly finalConfig: TrainConfig;
  readonly training: NonNullable<JobRecord["training"]>;
}
/** The shipping decision and the shipped policy's weights when it is not the learned one. */
interface ShipStage {
  readonly shipping: ShippingRecord;
}

function errorOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === "string" ? e.code : "ERROR",
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}

/**
 * Runs a training job: load and validate the datasets, split by group, fingerprint, tune on train
 * with the objective on validation, train the final policy with the best parameters (on train +
 * validation by default), evaluate it on test with baselines, write the checkpoint atomically to
 * `<outDir>/<label>.ckpt`, register the run, and return the {@link JobRecord}.
 *
 * Bad input (spec, dataset) rejects with an {@link OrchestratorError} (`INVALID_SPEC`,
 * `DATASET_INVALID`) before anything is written. Once the job id is known, a failure or a
 * cancellation resolves to a record with status `failed` or `cancelled` (resume state is kept).
 * @param spec - the job spec (see `resolveJobSpec` for the defaults)
 * @param options - cancellation, progress events, resume
 */
export async function runJob(spec: JobSpec, options: RunJobOptions = {}): Promise<JobRecord> {
  const run = new JobRun(resolveChecked(spec, options.baseDir), options);
  return run.execute();
}

/** Resolves a spec and checks that every search-space name is a TrainConfig path. */
function resolveChecked(spec: JobSpec, baseDir: string | undefined): ResolvedJobSpec {
  const resolved = resolveJobSpec(spec, baseDir === undefined ? {} : { baseDir });
  const pathProblems = checkParamPaths(resolved.rlvr, Object.keys(resolved.searchSpace));
  if (pathProblems.length > 0) {
    throw new OrchestratorError(
      "INVALID_SPEC",
      `runJob: invalid search space:\n  ${pathProblems.join("\n  ")}`,
      { details: pathProblems },
    );
  }
  return resolved;
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
  const run = new JobRun(resolved, options);
  try {
    await run.load();
  } catch (error) {
    throw run.inputError(error);
  }
  const environment = run.computeFingerprint();
  return {
    jobId: run.jobId as string,
    fingerprint: run.fingerprint,
    environment,
    manifest: run.manifest as Record<string, unknown>,
    dataset: {
      digest: run.digest,
      format: run.format,
      stats: run.stats as DatasetStats,
      files: resolved.datasets.map((p) => basename(p)),
    },
  };
}

class JobRun {
  readonly spec: ResolvedJobSpec;
  readonly options: RunJobOptions;
  readonly signal: AbortSignal | undefined;
  readonly startedAt = new Date();
  readonly t0 = performance.now();
  jobId: string | null = null;
  stateDir = "";
  stage: StageName | null = null;
  readonly stageTimes: { name: StageName; durationMs: number; resumed: boolean }[] = [];
  peakRss = process.memoryUsage().rss;
  resumedAny = false;
  registry: Registry | null = null;
  heartbeat: ReturnType<typeof setInterval> | null = null;

  // stage products
  examples: readonly RlvrExample[] = [];
  digest = "";
  stats: DatasetStats | null = null;
  format = "";
  actions: string[] = [];
  splits: { train: RlvrExample[]; validation: RlvrExample[]; test: RlvrExample[] } | null = null;
  fingerprint = "";
  manifest: Record<string, unknown> | null = null;
  packages: Record<string, string> = {};
  tune: TuneStage | null = null;
  trained: TrainStage | null = null;
  policy: LinearSoftmaxPolicy | null = null;
  evaluation: NonNullable<JobRecord["evaluation"]> | null = null;
  shipping: ShippingRecord | null = null;
  shippedPolicy: LinearSoftmaxPolicy | null = null;
  checkpoint: NonNullable<JobRecord["checkpoint"]> | null = null;
  finished: StageName[] = [];

  constructor(spec: ResolvedJobSpec, options: RunJobOptions) {
    this.spec = spec;
    this.options = options;
    this.signal = options.signal;
  }

  emit(event: JobEvent): void {
    if (this.options.onEvent === undefined) return;
    try {
      this.options.onEvent(event);
    } catch {
      // progress display must never break a job
    }
  }

  checkAbort(): void {
    if (this.signal?.aborted) {
      throw new OrchestratorError("ABORTED", "runJob: cancelled", { cause: this.signal.reason });
    }
  }

  async stageRun<T>(name: StageName, body: () => Promise<{ value: T; resumed: boolean }>): Promise<T> {
    this.checkAbort();
    this.stage = name;
    this.emit({
      type: "stage-start",
      jobId: this.jobId,
      stage: name,
      index: JOB_MODE_STAGES[this.spec.mode].indexOf(name),
      total: JOB_MODE_STAGES[this.spec.mode].length,
    });
    const start = performance.now();
    const { value, resumed } = await body();
    const durationMs = performance.now() - start;
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
    this.stageTimes.push({ name, durationMs, resumed });
    if (resumed) this.resumedAny = true;
    this.finished.push(name);
    this.registry?.heartbeat(this.jobId ?? "");
    this.emit({ type: "stage-end", jobId: this.jobId, stage: name, durationMs, resumed });
    return value;
  }

  stageFile(name: string): string {
    return join(this.stateDir, "stages", `${name}.json`);
  }

  async readStage<T>(name: string): Promise<T | null> {
    if (!this.options.resume) return null;
    try {
      return JSON.parse(await readFile(this.stageFile(name), "utf8")) as T;
    } catch {
      return null;
    }
  }

  async writeStage(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.stageFile(name), `${JSON.stringify(value)}\n`);
  }

  async execute(): Promise<JobRecord> {
    // Stages before the job id exists: errors are thrown (bad input writes nothing).
    try {
      await this.stageRun("load", () => this.load());
      await this.stageRun("split", async () => ({ value: this.split(), resumed: false }));
      await this.stageRun("fingerprint", () => this.fingerprintStage());
      // a missing SQLite binding is the installation's fault, not the job's: thrown, nothing recorded
      if (this.spec.registryPath !== null) loadSqlite();
    } catch (error) {
      this.emit({ type: "error", jobId: this.jobId, stage: this.stage, ...errorOf(error) });
      throw this.inputError(error);
    }
    const jobId = this.jobId as string;
    let status: JobRecord["status"] = "succeeded";
    let failure: JobRecord["error"] = null;
    try {
      this.openRegistry();
      const stages = JOB_MODE_STAGES[this.spec.mode];
      if (stages.includes("tune")) await this.stageRun("tune", () => this.tuneStage());
      if (stages.includes("train")) await this.stageRun("train", () => this.trainStage());
      if (stages.includes("evaluate")) await this.stageRun("evaluate", () => this.evaluateStage());
      if (stages.includes("ship")) await this.stageRun("ship", () => this.shipStage());
      if (stages.includes("checkpoint")) await this.stageRun("checkpoint", () => this.checkpointStage());
    } catch (error) {
      const cancelled = this.signal?.aborted === true;
      status = cancelled ? "cancelled" : "failed";
      const e = errorOf(error);
      failure = { code: cancelled ? "ABORTED" : e.code, message: e.message, stage: this.stage };
      this.emit({ type: "error", jobId, stage: this.stage, code: failure.code, message: failure.message });
    }
    const record = this.buildRecord(status, failure);
    assertJobRecord(record);
    this.closeRegistry(record);
    return record;
  }

  /** Maps an error of the stages before the job id exists to an {@link OrchestratorError}. */
  inputError(error: unknown): OrchestratorError {
    if (OrchestratorError.is(error)) return error;
    if (DatasetValidationError.is(error)) {
      return new OrchestratorError("DATASET_INVALID", `runJob: ${(error as Error).message}`, {
        cause: error,
        stage: this.stage ?? "load",
      });
    }
    const e = errorOf(error);
    return new OrchestratorError(
      e.code === "ABORTED"
        ? "ABORTED"
        : e.code === "FILE_NOT_FOUND" || e.code === "FILE_READ_ERROR"
          ? "IO_ERROR"
          : "STAGE_FAILED",
      `runJob: ${this.stage ?? "load"}: ${e.message}`,
      { cause: error, stage: this.stage ?? "load" },
    );
  }

  async load(): Promise<{ value: undefined; resumed: boolean }> {
    const loaded = await loadDataset([...this.spec.datasets], {
      format: this.spec.format,
      propensityPointer: this.spec.propensityPointer,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    this.examples = loaded.dataset.examples;
    this.digest = loaded.digest;
    this.stats = loaded.stats;
    this.format = [...new Set(loaded.formats)].join(",");
    this.actions = sortedActions(this.examples);
    return { value: undefined, resumed: false };
  }

  split(): undefined {
    const { validation, test } = this.spec.split;
    const s = splitByGroup(this.examples, { seed: this.spec.seed, validation, test });
    for (const name of ["train", "validation", "test"] as const) {
      if (s[name].length === 0) {
        throw new OrchestratorError(
          "INVALID_SPEC",
          `runJob: the ${name} split is empty (${groupCount(this.examples)} groups; split fractions validation ${validation}, test ${test}): use more groups or other fractions`,
          { stage: "split" },
        );
      }
    }
    this.splits = s;
    return undefined;
  }

  /** Computes the fingerprint, manifest and job id from the loaded dataset and the spec. */
  computeFingerprint(): TrainingEnvironment {
    const { spec } = this;
    this.packages = { ...rlvrPackageVersions(), ...(this.options.packages ?? {}) };
    const { concurrency: _concurrency, ...tunerSettings } = spec.tuner;
    const env = createTrainingEnvironment({
      seed: spec.seed,
      dataset: {
        digest: this.digest,
        stats: this.stats,
        format: this.format,
        paths: spec.datasets.map((p) => basename(p)),
      },
      rlvrConfig: spec.rlvr,
      searchSpace: spec.searchSpace,
      // A job that runs no search does not depend on the tuner's settings.
      tunerSettings: spec.mode === "train" ? {} : tunerSettings,
      extraInputs: {
        mode: spec.mode,
        split: spec.split,
        finalTraining: spec.finalTraining,
        evaluation: spec.evaluation,
        shipping: spec.shipping,
      },
      packages: this.packages,
      label: spec.label,
    });
    this.fingerprint = fingerprintOf(env);
    this.manifest = json(buildManifest(env)) as unknown as Record<string, unknown>;
    this.jobId = deriveJobId(this.fingerprint, spec.label);
    return env;
  }

  async fingerprintStage(): Promise<{ value: undefined; resumed: boolean }> {
    const { spec } = this;
    this.computeFingerprint();
    this.stateDir = jobStateDir(spec.outDir, this.jobId as string);
    const marker = join(this.stateDir, "job.json");
    if (this.options.resume && existsSync(marker)) {
      const stored = JSON.parse(await readFile(marker, "utf8")) as { fingerprint?: unknown };
      if (stored.fingerprint !== this.fingerprint) {
        throw new OrchestratorError(
          "RESUME_MISMATCH",
          `runJob: resume state in ${this.stateDir} belongs to fingerprint ${String(stored.fingerprint)}, not ${this.fingerprint}`,
        );
      }
    } else {
      await rm(this.stateDir, { recursive: true, force: true });
      await mkdir(join(this.stateDir, "stages"), { recursive: true });
      await writeFileAtomic(
        marker,
        `${JSON.stringify({ jobId: this.jobId, fingerprint: this.fingerprint, label: spec.label })}\n`,
      );
    }
    return { value: undefined, resumed: false };
  }

  openRegistry(): void {
    const path = this.spec.registryPath;
    if (path === null) return;
    this.registry = createRegistry(path);
    this.registry.startRun({
      id: this.jobId as string,
      label: this.spec.label,
      fingerprint: this.fingerprint,
      family: fingerprintFamily((this.manifest as { inputs: Record<string, unknown> }).inputs),
      datasetDigest: this.digest,
      params: {
        mode: this.spec.mode,
        seed: this.spec.seed,
        tuner: this.spec.tuner,
        searchSpace: this.spec.searchSpace,
      },
      host: this.options.host ?? hostname(),
      pid: process.pid,
      outDir: this.spec.outDir,
    });
    const every = this.options.heartbeatMs ?? 5000;
    this.heartbeat = setInterval(() => {
      try {
        this.registry?.heartbeat(this.jobId as string);
      } catch {
        // a busy registry must not stop the job; the next heartbeat retries
      }
    }, every);
    this.heartbeat.unref();
  }

  closeRegistry(record: JobRecord): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.registry === null) return;
    try {
      this.registry.finishRun(record);
    } finally {
      this.registry.close();
    }
  }

  // --- tune -------------------------------------------------------------------------------------

  async tuneStage(): Promise<{ value: undefined; resumed: boolean }> {
    const stored = await this.readStage<TuneStage>("tune");
    if (stored !== null) {
      this.tune = stored;
      return { value: undefined, resumed: true };
    }
    const { spec } = this;
    const splits = this.splits as NonNullable<JobRun["splits"]>;
    const jobId = this.jobId as string;
    const totalTrials = spec.tuner.trials;
    let best: number | null = null;
    const settings: TuningSettings = {
      base: { ...spec.rlvr, actions: this.actions },
      actions: this.actions,
      paramNames: Object.keys(spec.searchSpace),
      objective: spec.tuner.objective,
      resamples: spec.tuner.resamples,
      seed: spec.seed,
    };
    const onEpoch = (trial: number, current: number, total: number) =>
      this.emit({ type: "progress", jobId, stage: "tune", trial, unit: "epoch", current, total });
    const study = createStudy({
      space: spec.searchSpace,
      direction: "maximize",
      seed: spec.seed,
      sampler: samplerFor(spec),
      pruner: prunerFor(spec),
      storage: createJournalStorage(join(this.stateDir, "study.jsonl")),
      name: jobId,
      pendingWindow: spec.tuner.pendingWindow,
      loadIfExists: true,
    });
    // One trial at a time runs in this thread; more run in worker threads. Both paths compute the
    // same numbers from the same prepared data: the result never depends on the concurrency.
    const parallel = spec.tuner.concurrency > 1 && spec.tuner.trials > 1;
    const data = prepareTuningData(settings, splits);
    const inner: Executor = parallel
      ? createWorkerPoolExecutor({
          ...trialWorkerModule(),
          exportName: "createTrialObjective",
          concurrency: spec.tuner.concurrency,
          factoryData: {
            settings,
            source:
              data.kind === "prepared"
                ? data
                : {
                    kind: "files",
                    datasets: [...spec.datasets],
                    format: spec.format,
                    propensityPointer: spec.propensityPointer,
                    digest: this.digest,
                    seed: spec.seed,
                    split: spec.split,
                  },
          } satisfies TrialWorkerData,
        })
      : createInlineExecutor({ concurrency: 1 });
    const objective = parallel
      ? undefined
      : createTuningObjective(settings, data, { ...(this.signal ? { signal: this.signal } : {}), onEpoch });
    const epochsOf = (params: Params) =>
      typeof params.epochs === "number" ? params.epochs : settings.base.epochs;
    // Trial starts and per-epoch progress of worker trials are seen through the executor.
    const executor: Executor = {
      concurrency: inner.concurrency,
      run: (request) => {
        const { task } = request;
        this.emit({
          type: "trial-start",
          jobId,
          trial: task.number,
          totalTrials,
          params: task.params as Record<string, string | number | boolean>,
        });
        if (!parallel) return inner.run(request);
        const channel = {
          report: (step: number, value: number) => {
            request.channel.report(step, value);
            onEpoch(task.number, step, epochsOf(task.params));
          },
          shouldPrune: () => request.channel.shouldPrune(),
        };
        return inner.run({ ...request, channel });
      },
      close: () => inner.close(),
    };
    let result: TuningResult;
    try {
      result = await study.optimize(objective, {
        trials: totalTrials,
        concurrency: executor.concurrency,
        executor,
        ...(this.signal ? { signal: this.signal } : {}),
        onTrialFinished: (t) => {
          if (t.state === "complete" && t.value !== undefined && (best === null || t.value > best))
            best = t.value;
          this.registry?.heartbeat(jobId);
          this.emit({
            type: "trial-end",
            jobId,
            trial: t.number,
            totalTrials,
            state: t.state,
            value: t.value ?? null,
            bestValue: best,
          });
        },
      });
    } finally {
      await executor.close();
    }
    const bestTrial = result.bestTrial;
    if (bestTrial === undefined) {
      const first = result.trials.find((t) => t.error)?.error;
      throw new OrchestratorError(
        "STAGE_FAILED",
        `runJob: tune: no trial completed (${result.counts.pruned} pruned, ${result.counts.failed} failed${first ? `; first error: ${first.message}` : ""})`,
        { stage: "tune" },
      );
    }
    const tune: TuneStage = json({
      tuning: {
        objective: spec.tuner.objective,
        direction: "maximize" as const,
        sampler: result.sampler as unknown as Record<string, unknown>,
        pruner: result.pruner as unknown as Record<string, unknown>,
        pendingWindow: result.pendingWindow,
        trials: result.trials.map(trialRecord),
        counts: result.counts,
        bestTrial: bestTrial.number,
        bestValue: bestTrial.value ?? null,
        bestParams: bestTrial.params as Record<string, string | number | boolean>,
        importance: result.importance.map((i) => ({
          name: i.name,
          importance: i.importance,
          varianceExplained: i.varianceExplained,
        })),
      },
      trialsVolatile: result.trials.map((t) => ({
        number: t.number,
        durationMs: t.durationMs ?? null,
        attempts: t.attempts,
      })),
    });
    await this.writeStage("tune", tune);
    this.tune = tune;
    return { value: undefined, resumed: false };
  }

  // --- train ------------------------------------------------------------------------------------

  finalTrainingExamples(): RlvrExample[] {
    const s = this.splits as NonNullable<JobRun["splits"]>;
    return this.spec.finalTraining === "train" ? s.train : [...s.train, ...s.validation];
  }

  async trainStage(): Promise<{ value: undefined; resumed: boolean }> {
    const ckptFile = join(this.stateDir, "final-policy.ckpt");
    const stored = await this.readStage<TrainStage>("train");
    if (stored !== null && existsSync(ckptFile)) {
      this.trained = stored;
      this.policy = loadCheckpoint(new Uint8Array(await readFile(ckptFile))).policy;
      return { value: undefined, resumed: true };
    }
    const jobId = this.jobId as string;
    const base: TrainConfig = { ...this.spec.rlvr, actions: this.actions };
    // With finalTraining "train", the final model is the best trial reproduced: same data (train, with
    // validation for the per-epoch metric and the restore of the best epoch), parameters and seed.
    const tuning = this.tune?.tuning ?? null;
    const bestTrial =
      tuning !== null && tuning.bestTrial !== null
        ? (tuning.trials.find((t) => t.number === tuning.bestTrial) ?? null)
        : null;
    const reproduce = this.spec.finalTraining === "train";
    const seed = reproduce && bestTrial !== null ? bestTrial.seed : base.seed;
    const config = applyParams({ ...base, seed }, tuning?.bestParams ?? {});
    const splits = this.splits as NonNullable<JobRun["splits"]>;
    const source = reproduce
      ? { train: splits.train, validation: splits.validation }
      : { train: this.finalTrainingExamples() };
    const result = await train(source, config, {
      ...(this.signal ? { signal: this.signal } : {}),
      onMetrics: (event) => {
        if (event.type !== "epoch") return;
        this.emit({
          type: "progress",
          jobId,
          stage: "train",
          trial: null,
          unit: "epoch",
          current: event.metrics.epoch,
          total: config.epochs,
        });
      },
    });
    const selection = selectionOf(result, bestTrial, reproduce, seed);
    const trained: TrainStage = json({
      finalConfig: result.config,
      training: {
        data: this.spec.finalTraining,
        examples: result.data.numExamples,
        groups: result.data.numGroups,
        stopReason: result.stopReason,
        totalSteps: result.totalSteps,
        plannedSteps: result.plannedSteps,
        importanceCorrection: result.importanceCorrection,
        target: result.target,
        targetModels: result.targetModels,
        selection,
        degenerateGroups: result.degenerateGroups,
        steps: result.steps as unknown as Record<string, number>[],
        epochs: result.epochs as unknown as Record<string, number | null>[],
      },
    });
    await writeFileAtomic(ckptFile, serializeCheckpoint(result.policy, { config: result.config }));
    await this.writeStage("train", trained);
    this.trained = trained;
    this.policy = result.policy;
    return { value: undefined, resumed: false };
  }

  // --- evaluate ---------------------------------------------------------------------------------

  async evaluateStage(): Promise<{ value: undefined; resumed: boolean }> {
    const stored = await this.readStage<NonNullable<JobRecord["evaluation"]>>("evaluate");
    if (stored !== null) {
      this.evaluation = stored;
      return { value: undefined, resumed: true };
    }
    const splits = this.splits as NonNullable<JobRun["splits"]>;
    const { resamples, confidence } = this.spec.evaluation;
    const ev: Evaluation = evaluate(this.policy as LinearSoftmaxPolicy, splits.test, {
      trainingData: this.finalTrainingExamples(),
      resamples,
      confidence,
      seed: this.spec.seed,
    });
    const learned = estimatesRecord(ev.policy);
    const evaluation: NonNullable<JobRecord["evaluation"]> = json({
      split: "test" as const,
      examples: ev.numExamples,
      groups: ev.numGroups,
      behaviorSource: ev.behaviorSource,
      rewardModelSource: ev.rewardModelSource,
      resamples: ev.settings.resamples,
      confidence: ev.settings.confidence,
      seed: ev.settings.seed,
      learned,
      baselines: {
        behavior: ev.baselines.logged,
        uniform: estimatesRecord(ev.baselines.uniform),
        bestSingleAction: {
          action: ev.baselines.bestSingleAction.action,
          estimates: estimatesRecord(ev.baselines.bestSingleAction.estimates),
        },
      },
      effectiveSampleSize: ev.policy.effectiveSampleSize,
      differences: ev.differences,
      actionDistribution: ev.actionDistribution.map((d) => ({ ...d })),
      beats: {
        behavior: learned.dr.value > ev.baselines.logged.value,
        bestSingleAction: learned.dr.value > ev.baselines.bestSingleAction.estimates.dr.value,
      },
    });
    await this.writeStage("evaluate", evaluation);
    this.evaluation = evaluation;
    return { value: undefined, resumed: false };
  }

  // --- ship -------------------------------------------------------------------------------------

  async shipStage(): Promise<{ value: undefined; resumed: boolean }> {
    const splits = this.splits as NonNullable<JobRun["splits"]>;
    const learned = this.policy as LinearSoftmaxPolicy;
    const stored = await this.readStage<ShipStage>("ship");
    if (stored !== null) {
      this.shipping = stored.shipping;
      this.shippedPolicy = shippedPolicyOf(stored.shipping, learned, splits.train, this.spec.seed);
      return { value: undefined, resumed: true };
    }
    const shipping = decideShipping({
      learned,
      splits,
      finalTrainingExamples: this.finalTrainingExamples(),
      rule: this.spec.shipping.policy,
      evaluation: this.spec.evaluation,
      seed: this.spec.seed,
      validationSeenInTraining: this.spec.finalTraining === "train+validation",
      testEvaluation: this.evaluation,
    });
    await this.writeStage("ship", { shipping } satisfies ShipStage);
    this.shipping = shipping;
    this.shippedPolicy = shippedPolicyOf(shipping, learned, splits.train, this.spec.seed);
    return { value: undefined, resumed: false };
  }

  // --- checkpoint -------------------------------------------------------------------------------

  async checkpointStage(): Promise<{ value: undefined; resumed: boolean }> {
    const trained = this.trained as TrainStage;
    const evaluation = this.evaluation as NonNullable<JobRecord["evaluation"]>;
    const shipping = this.shipping;
    const shippedTest = shipping?.shippedTest ?? evaluation.learned.dr;
    const bytes = serializeCheckpoint(this.shippedPolicy ?? (this.policy as LinearSoftmaxPolicy), {
      config: trained.finalConfig,
      metrics: {
        testDr: shippedTest.value,
        testDrLower: shippedTest.lower,
        testDrUpper: shippedTest.upper,
      },
      metadata: {
        jobId: this.jobId as string,
        fingerprint: this.fingerprint,
        label: this.spec.label,
        shipped: shipping?.shipped ?? "learned",
        ...(shipping?.action ? { shippedAction: shipping.action } : {}),
      },
    });
    const name = checkpointFileName(this.spec.label);
    await writeFileAtomic(join(this.spec.outDir, name), bytes);
    const header = loadCheckpoint(bytes).header;
    this.checkpoint = {
      path: name,
      fileDigest: sha256Bytes(bytes),
      contentDigest: header.digest,
      bytes: bytes.byteLength,
      formatVersion: header.formatVersion,
    };
    return { value: undefined, resumed: false };
  }

  // --- record -----------------------------------------------------------------------------------

  buildRecord(status: JobRecord["status"], error: JobRecord["error"]): JobRecord {
    const { spec } = this;
    const finishedAt = new Date();
    const total = this.stageTimes.reduce((s, t) => s + t.durationMs, 0);
    const splits = this.splits as NonNullable<JobRun["splits"]>;
    const size = (x: readonly RlvrExample[]) => ({ examples: x.length, groups: groupCount(x) });
    return {
      recordVersion: JOB_RECORD_VERSION,
      jobId: this.jobId as string,
      label: spec.label,
      status,
      error,
      fingerprint: this.fingerprint,
      manifest: this.manifest,
      packages: this.packages,
      spec: json({
        mode: spec.mode,
        seed: spec.seed,
        format: spec.format,
        // only when given, so records of jobs without it keep their bytes
        ...(spec.propensityPointer === null ? {} : { propensityPointer: spec.propensityPointer }),
        split: spec.split,
        finalTraining: spec.finalTraining,
        evaluation: spec.evaluation,
        shipping: spec.shipping,
        tuner: (({ concurrency: _c, ...rest }) => rest)(spec.tuner),
        searchSpace: spec.searchSpace as unknown as Record<string, unknown>,
        baseConfig: spec.rlvr as unknown as Record<string, unknown>,
      }),
      dataset: json({
        digest: this.digest,
        format: this.format,
        files: spec.datasets.map((p) => basename(p)),
        stats: this.stats as unknown as Record<string, unknown>,
        actions: this.actions,
      }),
      split: {
        seed: spec.seed,
        validation: spec.split.validation,
        test: spec.split.test,
        sizes: { train: size(splits.train), validation: size(splits.validation), test: size(splits.test) },
      },
      tuning: this.tune?.tuning ?? null,
      finalConfig: (this.trained?.finalConfig as unknown as Record<string, unknown>) ?? null,
      training: this.trained?.training ?? null,
      evaluation: this.evaluation,
      ...(this.shipping !== null ? { shipping: this.shipping } : {}),
      checkpoint: this.checkpoint,
      stages: [...this.finished],
      volatile: {
        startedAt: this.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: performance.now() - this.t0,
        stages: this.stageTimes.map((t) => ({
          name: t.name,
          durationMs: t.durationMs,
          share: total > 0 ? t.durationMs / total : 0,
          resumed: t.resumed,
        })),
        trials: this.tune?.trialsVolatile ?? [],
        host: this.options.host ?? hostname(),
        pid: process.pid,
        resumed: this.resumedAny || this.options.resume === true,
        datasetPaths: [...spec.datasets],
        outDir: spec.outDir,
        registryPath: spec.registryPath,
        stateDir: this.stateDir,
        peakRssBytes: this.peakRss,
      },
    };
  }
}
