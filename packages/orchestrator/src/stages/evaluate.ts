// Stage `evaluate`: the final policy on the test split with the baselines and paired differences.
import type { JobRecord } from "@rlvr/job-record";
import { evaluate } from "@rlvr/rlvr-loop";
import { estimatesRecord } from "../_estimates.js";
import { type JobContext, json, type Stage } from "./_stage.js";
import type { Splits } from "./split.js";
import { finalTrainingExamples, type TrainOutput } from "./train.js";

/** The record's `evaluation`. */
export type EvaluationOutput = NonNullable<JobRecord["evaluation"]>;

/** What the evaluate stage is given. */
export interface EvaluateInput {
  readonly splits: Splits;
  readonly trained: TrainOutput;
}

/** The evaluate stage; its output is kept as is for resume. */
export const evaluateStage: Stage<EvaluateInput, EvaluationOutput, JobContext> = {
  name: "evaluate",
  async run({ splits, trained }, { spec }) {
    const { resamples, confidence } = spec.evaluation;
    const ev = evaluate(trained.policy, splits.test, {
      trainingData: finalTrainingExamples(spec, splits),
      resamples,
      confidence,
      seed: spec.seed,
    });
    const learned = estimatesRecord(ev.policy);
    return json({
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
  },
  codec: { encode: (output) => output, decode: (stored) => stored as EvaluationOutput },
};
