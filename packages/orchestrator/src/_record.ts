// The job record, built from the stages' outputs (the later ones absent when the job stopped early).
import { basename } from "node:path";
import type { RlvrExample } from "@rlvr/dataset";
import { JOB_RECORD_VERSION, type JobRecord } from "@rlvr/job-record";
import type { ResolvedRunOptions } from "./_run-options.js";
import type { ResolvedJobSpec } from "./job-spec.js";
import { json, type ResumeState, type StageLog } from "./stages/_stage.js";
import type { CheckpointOutput } from "./stages/checkpoint.js";
import type { EvaluationOutput } from "./stages/evaluate.js";
import type { JobIdentity } from "./stages/fingerprint.js";
import type { LoadedData } from "./stages/load.js";
import type { ShipOutput } from "./stages/ship.js";
import { groupCount, type Splits } from "./stages/split.js";
import type { TrainOutput } from "./stages/train.js";
import type { TuneOutput } from "./stages/tune.js";

/** What the stages before the job id produce: always there once the job has an id. */
export interface JobBasis {
  readonly loaded: LoadedData;
  readonly splits: Splits;
  readonly identity: JobIdentity;
  readonly state: ResumeState;
}

/** What the stages after `fingerprint` produced, each set once when its stage finishes. */
export interface JobProducts {
  tuned?: TuneOutput;
  trained?: TrainOutput;
  evaluation?: EvaluationOutput;
  shipped?: ShipOutput;
  checkpoint?: CheckpointOutput;
}

/** The record's ending: status, error, and the job's start for the volatile timings. */
export interface JobEnding {
  readonly status: JobRecord["status"];
  readonly error: JobRecord["error"];
  readonly startedAt: Date;
  readonly startMs: number;
}

/** The record's `spec`: the resolved spec without paths and concurrency (they change no result). */
function recordedSpec(spec: ResolvedJobSpec): JobRecord["spec"] {
  return json({
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
  });
}

/** Builds the job record (member order fixed: records are compared byte for byte). */
export function buildRecord(
  job: { readonly spec: ResolvedJobSpec; readonly options: ResolvedRunOptions; readonly log: StageLog },
  basis: JobBasis,
  made: Readonly<JobProducts>,
  ending: JobEnding,
): JobRecord {
  const { spec, options, log } = job;
  const { loaded, splits, identity } = basis;
  const total = log.times.reduce((s, t) => s + t.durationMs, 0);
  const size = (x: readonly RlvrExample[]) => ({ examples: x.length, groups: groupCount(x) });
  return {
    recordVersion: JOB_RECORD_VERSION,
    jobId: identity.jobId,
    label: spec.label,
    status: ending.status,
    error: ending.error,
    fingerprint: identity.fingerprint,
    manifest: identity.manifest,
    packages: identity.packages,
    spec: recordedSpec(spec),
    dataset: json({
      digest: loaded.digest,
      format: loaded.format,
      files: spec.datasets.map((p) => basename(p)),
      stats: loaded.stats as unknown as Record<string, unknown>,
      actions: loaded.actions,
    }),
    split: {
      seed: spec.seed,
      validation: spec.split.validation,
      test: spec.split.test,
      sizes: { train: size(splits.train), validation: size(splits.validation), test: size(splits.test) },
    },
    tuning: made.tuned?.tuning ?? null,
    finalConfig: (made.trained?.finalConfig as unknown as Record<string, unknown>) ?? null,
    training: made.trained?.training ?? null,
    evaluation: made.evaluation ?? null,
    ...(made.shipped !== undefined ? { shipping: made.shipped.shipping } : {}),
    checkpoint: made.checkpoint ?? null,
    stages: [...log.finished],
    volatile: {
      startedAt: ending.startedAt.toISOString(),
      finishedAt: options.clock.now().toISOString(),
      durationMs: options.clock.monotonicMs() - ending.startMs,
      stages: log.times.map((t) => ({
        name: t.name,
        durationMs: t.durationMs,
        share: total > 0 ? t.durationMs / total : 0,
        resumed: t.resumed,
      })),
      trials: made.tuned?.trialsVolatile ?? [],
      host: options.host.hostname,
      pid: options.host.pid,
      resumed: options.resume || log.times.some((t) => t.resumed),
      datasetPaths: [...spec.datasets],
      outDir: spec.outDir,
      registryPath: spec.registryPath,
      stateDir: basis.state.dir,
      peakRssBytes: log.peakRssBytes,
    },
  };
}
