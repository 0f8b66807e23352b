// Stage `ship`: which policy goes into the checkpoint (the shipping rule on validation).
import type { ShippingRecord } from "@rlvr/job-record";
import type { LinearSoftmaxPolicy } from "@rlvr/rlvr-loop";
import { decideShipping, shippedPolicyOf } from "../_ship.js";
import type { JobContext, Stage } from "./_stage.js";
import type { EvaluationOutput } from "./evaluate.js";
import type { Splits } from "./split.js";
import { finalTrainingExamples, type TrainOutput } from "./train.js";

/** The shipping decision and the policy it ships. */
export interface ShipOutput {
  readonly shipping: ShippingRecord;
  readonly policy: LinearSoftmaxPolicy;
}

/** What the ship stage is given. */
export interface ShipInput {
  readonly splits: Splits;
  readonly trained: TrainOutput;
  readonly evaluation: EvaluationOutput;
}

/** The ship stage; resume keeps the decision and refits the shipped policy (deterministic). */
export const shipStage: Stage<ShipInput, ShipOutput, JobContext> = {
  name: "ship",
  async run({ splits, trained, evaluation }, { spec }) {
    const shipping = decideShipping({
      learned: trained.policy,
      splits,
      finalTrainingExamples: finalTrainingExamples(spec, splits),
      rule: spec.shipping.policy,
      evaluation: spec.evaluation,
      seed: spec.seed,
      validationSeenInTraining: spec.finalTraining === "train+validation",
      testEvaluation: evaluation,
    });
    return { shipping, policy: shippedPolicyOf(shipping, trained.policy, splits.train, spec.seed) };
  },
  codec: {
    encode: ({ shipping }) => ({ shipping }),
    decode(stored, { splits, trained }, { spec }) {
      const { shipping } = stored as { shipping: ShippingRecord };
      return { shipping, policy: shippedPolicyOf(shipping, trained.policy, splits.train, spec.seed) };
    },
  },
};
