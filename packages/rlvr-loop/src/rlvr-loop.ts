import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import type { PartialTrainConfig } from "./config.js";
import { type EvaluateOptions, type Evaluation, evaluate } from "./evaluation.js";
import type { Policy } from "./policy.js";
import { type TrainHooks, type TrainingResult, type TrainingSource, train } from "./train.js";

/** The RLVR loop as one injectable object (what the orchestrator depends on). */
export interface RlvrLoop {
  /** See {@link train}. */
  train(source: TrainingSource, config?: PartialTrainConfig, hooks?: TrainHooks): Promise<TrainingResult>;
  /** See {@link evaluate}. */
  evaluate(policy: Policy, data: RlvrDataset | readonly RlvrExample[], options?: EvaluateOptions): Evaluation;
}

/** The default {@link RlvrLoop}: {@link train} and {@link evaluate} of this package. */
export const rlvrLoop: RlvrLoop = Object.freeze({ train, evaluate });
