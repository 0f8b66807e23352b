// Stage `tune`: the study over the search space, trials trained on train and scored on validation,
// run by the chosen executor; the study journal keeps finished trials for resume.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JobRecord, TrialRecord, VolatileSection } from "@rlvr/job-record";
import {
  createJournalStorage,
  createStudy,
  type Executor,
  type FrozenTrial,
  type Params,
  type TuningResult,
} from "@rlvr/tuner";
import { writeChecked } from "../_fs.js";
import type { TrialWorkerData } from "../_trial-worker.js";
import { createTuningObjective, prepareTuningData, type TuningSettings } from "../_tuning-objective.js";
import { OrchestratorError } from "../errors.js";
import { JOB_PRUNERS, JOB_SAMPLERS, type TrialWorkerRecipe } from "../tables.js";
import { type JobContext, json, type Stage } from "./_stage.js";
import type { LoadedData } from "./load.js";
import type { Splits } from "./split.js";

/** The tuning part of the record and the trials' volatile timings. */
export interface TuneOutput {
  readonly tuning: NonNullable<JobRecord["tuning"]>;
  readonly trialsVolatile: VolatileSection["trials"];
}

/** What the tune stage is given. */
export interface TuneInput {
  readonly loaded: LoadedData;
  readonly splits: Splits;
}

/**
 * The built worker module of the tuning trials. Running from TypeScript sources (the tests), this
 * file is `src/stages/tune.ts` and the worker is taken from `dist/`, which `pnpm build` writes: a
 * thread cannot load TypeScript.
 */
export function trialWorkerModule(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL("../../dist/_trial-worker.js", here)
    : new URL("../_trial-worker.js", here);
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

function tuneOutputOf(result: TuningResult, objective: TuningSettings["objective"]): TuneOutput {
  const bestTrial = result.bestTrial;
  if (bestTrial === undefined) {
    const first = result.trials.find((t) => t.error)?.error;
    throw new OrchestratorError(
      "STAGE_FAILED",
      `no tuning trial completed (${result.counts.pruned} pruned, ${result.counts.failed} failed${first ? `; first error: ${first.message}` : ""})`,
      { stage: "tune" },
    );
  }
  return json({
    tuning: {
      objective,
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
}

/**
 * The objective's recipe for executors that run it elsewhere. A portable recipe carries the examples
 * of both splits where a thread would read the dataset files.
 */
function workerRecipe(
  settings: TuningSettings,
  input: TuneInput,
  job: JobContext,
  portable: boolean,
): TrialWorkerRecipe {
  const { spec } = job;
  const module = trialWorkerModule();
  if (!portable && !existsSync(module)) {
    throw new OrchestratorError(
      "STAGE_FAILED",
      `the tuning worker module ${module.pathname} is missing (build the package first, or use tuner concurrency 1)`,
      { stage: "tune" },
    );
  }
  const data = prepareTuningData(settings, input.splits);
  const factoryData: TrialWorkerData = {
    settings,
    source:
      data.kind === "prepared" || portable
        ? data
        : {
            kind: "files",
            datasets: [...spec.datasets],
            format: spec.format,
            propensityPointer: spec.propensityPointer,
            digest: input.loaded.digest,
            seed: spec.seed,
            split: spec.split,
          },
  };
  return { module, exportName: "createTrialObjective", factoryData };
}

/** The file of the resume state holding the run id of the executor (`executor-run.json`). */
const RUN_FILE = "executor-run.json";

/**
 * The run id of the job's executor: kept in the resume state (a resumed job reattaches to the trials
 * it queued), else a new one: the job id's first characters and 64 random bits. The id only names the
 * run's queue entries; no result depends on it.
 */
async function executorRunId(job: JobContext): Promise<string> {
  const file = join(job.state.dir, RUN_FILE);
  if (job.options.resume) {
    try {
      const stored = JSON.parse(await readFile(file, "utf8")) as { runId?: unknown };
      if (typeof stored.runId === "string" && /^[A-Za-z0-9_.-]{1,128}$/.test(stored.runId))
        return stored.runId;
    } catch {
      // none kept: a new run
    }
  }
  const runId = `${job.state.jobId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 48)}-${randomBytes(8).toString("hex")}`;
  await writeChecked(job.options.files, file, `${JSON.stringify({ runId })}\n`);
  return runId;
}

/** Removes the run's traces outside the job; a failure is a warning (the study is already recorded). */
async function purge(run: () => Promise<void>, job: JobContext): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = `the tuning trials' queue entries could not be removed: ${(error as Error).message}`;
    const code = (error as { code?: unknown }).code;
    job.emit({
      type: "warning",
      jobId: job.state.jobId,
      stage: "tune",
      code: typeof code === "string" ? code : "PURGE_FAILED",
      message,
    });
  }
}

/** Runs the study with the job's sampler, pruner and executor. */
async function tune(input: TuneInput, job: JobContext): Promise<TuneOutput> {
  const { spec, options, state } = job;
  const { jobId } = state;
  const totalTrials = spec.tuner.trials;
  const settings: TuningSettings = {
    base: { ...spec.rlvr, actions: input.loaded.actions },
    actions: input.loaded.actions,
    paramNames: Object.keys(spec.searchSpace),
    objective: spec.tuner.objective,
    resamples: spec.tuner.resamples,
    seed: spec.seed,
  };
  const onEpoch = (trial: number, current: number, total: number) =>
    job.emit({ type: "progress", jobId, stage: "tune", trial, unit: "epoch", current, total });
  const study = createStudy({
    space: spec.searchSpace,
    direction: "maximize",
    seed: spec.seed,
    sampler: JOB_SAMPLERS[spec.tuner.sampler](spec.tuner),
    pruner: JOB_PRUNERS[spec.tuner.pruner](spec.tuner),
    storage: createJournalStorage(join(state.dir, "study.jsonl")),
    name: jobId,
    pendingWindow: spec.tuner.pendingWindow,
    loadIfExists: true,
  });
  // A local executor runs the objective made here; the others run the worker recipe elsewhere. Both
  // compute the same numbers from the same prepared data: the result never depends on the executor.
  const factory = options.executor;
  const local = factory.local;
  const signal = options.signal;
  const objective = local
    ? createTuningObjective(settings, prepareTuningData(settings, input.splits), {
        ...(signal ? { signal } : {}),
        onEpoch,
      })
    : undefined;
  const inner = await factory.create({
    concurrency: spec.tuner.concurrency,
    pendingWindow: spec.tuner.pendingWindow,
    runId: () => executorRunId(job),
    worker: (o) => workerRecipe(settings, input, job, o?.portable === true),
  });
  const epochsOf = (params: Params) =>
    typeof params.epochs === "number" ? params.epochs : settings.base.epochs;
  // Trial starts and the epochs of remote trials are seen through the executor.
  const executor: Executor = {
    concurrency: inner.concurrency,
    run: (request) => {
      const { task } = request;
      const params = task.params as Record<string, string | number | boolean>;
      job.emit({ type: "trial-start", jobId, trial: task.number, totalTrials, params });
      if (local) return inner.run(request);
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
  let best: number | null = null;
  let result: TuningResult;
  let finished = false;
  try {
    result = await study.optimize(objective, {
      trials: totalTrials,
      concurrency: executor.concurrency,
      executor,
      ...(signal ? { signal } : {}),
      onTrialFinished: (t) => {
        if (t.state === "complete" && t.value !== undefined && (best === null || t.value > best))
          best = t.value;
        job.heartbeat();
        const value = t.value ?? null;
        const end = { trial: t.number, totalTrials, state: t.state, value, bestValue: best };
        job.emit({ type: "trial-end", jobId, ...end });
      },
    });
    finished = true;
  } finally {
    if (finished && inner.purge !== undefined) await purge(inner.purge.bind(inner), job);
    await executor.close();
  }
  return tuneOutputOf(result, spec.tuner.objective);
}

/** The tune stage; its output is kept as is for resume. */
export const tuneStage: Stage<TuneInput, TuneOutput, JobContext> = {
  name: "tune",
  run: tune,
  codec: { encode: (output) => output, decode: (stored) => stored as TuneOutput },
};
