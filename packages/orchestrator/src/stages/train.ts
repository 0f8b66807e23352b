// Stage `train`: the final policy with the best parameters (the best trial reproduced, or on
// train + validation); its checkpoint in the resume state lets a resumed job skip it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RlvrExample } from "@rlvr/dataset";
import type { JobRecord } from "@rlvr/job-record";
import {
  type LinearSoftmaxPolicy,
  loadCheckpoint,
  serializeCheckpoint,
  type TrainConfig,
  train,
} from "@rlvr/rlvr-loop";
import { writeChecked } from "../_fs.js";
import { selectionOf } from "../_selection.js";
import type { ResolvedJobSpec } from "../job-spec.js";
import { applyParams } from "../params.js";
import { type JobContext, json, type Stage } from "./_stage.js";
import type { Splits } from "./split.js";
import type { TuneOutput } from "./tune.js";

/** The final training's record parts and the learned policy. */
export interface TrainOutput {
  readonly finalConfig: TrainConfig;
  readonly training: NonNullable<JobRecord["training"]>;
  readonly policy: LinearSoftmaxPolicy;
}

/** What the train stage is given. */
export interface TrainInput {
  readonly actions: readonly string[];
  readonly splits: Splits;
  /** The tuning result, or null in mode `train`. */
  readonly tuned: TuneOutput | null;
}

/** The examples of the final training: train, or train + validation. */
export function finalTrainingExamples(spec: ResolvedJobSpec, splits: Splits): RlvrExample[] {
  return spec.finalTraining === "train" ? splits.train : [...splits.train, ...splits.validation];
}

const policyFile = (job: JobContext) => join(job.state.dir, "final-policy.ckpt");

async function trainFinal({ actions, splits, tuned }: TrainInput, job: JobContext): Promise<TrainOutput> {
  const { spec, options } = job;
  const base: TrainConfig = { ...spec.rlvr, actions: [...actions] };
  // With finalTraining "train", the final model is the best trial reproduced: same data (train, with
  // validation for the per-epoch metric and the restore of the best epoch), parameters and seed.
  const tuning = tuned?.tuning ?? null;
  const bestTrial =
    tuning !== null && tuning.bestTrial !== null
      ? (tuning.trials.find((t) => t.number === tuning.bestTrial) ?? null)
      : null;
  const reproduce = spec.finalTraining === "train";
  const seed = reproduce && bestTrial !== null ? bestTrial.seed : base.seed;
  const config = applyParams({ ...base, seed }, tuning?.bestParams ?? {});
  const source = reproduce
    ? { train: splits.train, validation: splits.validation }
    : { train: finalTrainingExamples(spec, splits) };
  const jobId = job.state.jobId;
  const result = await train(source, config, {
    ...(options.signal ? { signal: options.signal } : {}),
    onMetrics: (event) => {
      if (event.type !== "epoch") return;
      const current = event.metrics.epoch;
      job.emit({
        type: "progress",
        jobId,
        stage: "train",
        trial: null,
        unit: "epoch",
        current,
        total: config.epochs,
      });
    },
  });
  const selection = selectionOf(result, bestTrial, reproduce, seed);
  const { finalConfig, training } = json({
    finalConfig: result.config,
    training: {
      data: spec.finalTraining,
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
  const bytes = serializeCheckpoint(result.policy, { config: result.config });
  await writeChecked(options.files, policyFile(job), bytes);
  return { finalConfig, training, policy: result.policy };
}

async function readPolicy(job: JobContext): Promise<LinearSoftmaxPolicy | null> {
  try {
    return loadCheckpoint(new Uint8Array(await readFile(policyFile(job)))).policy;
  } catch {
    return null;
  }
}

/** The train stage; resume keeps the record parts as JSON and the policy as a checkpoint file. */
export const trainStage: Stage<TrainInput, TrainOutput, JobContext> = {
  name: "train",
  run: trainFinal,
  codec: {
    encode: ({ finalConfig, training }) => ({ finalConfig, training }),
    async decode(stored, _input, job) {
      const policy = await readPolicy(job);
      if (policy === null) return null;
      const parts = stored as Pick<TrainOutput, "finalConfig" | "training">;
      return { finalConfig: parts.finalConfig, training: parts.training, policy };
    },
  },
};
