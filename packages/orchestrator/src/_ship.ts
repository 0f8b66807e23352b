// The `ship` stage's decision: high-confidence policy improvement on the validation split (see
// docs/orchestrator.md, "Shipping rule"). Pure functions of the policy, the splits and the settings.
import type { RlvrExample } from "@rlvr/dataset";
import type { JobRecord, ShippingRecord } from "@rlvr/job-record";
import { createPolicy, evaluate, fitBehaviorModel, type LinearSoftmaxPolicy } from "@rlvr/rlvr-loop";
import { estimatesRecord } from "./_estimates.js";

/** Bias score of a shipped single-action policy: the other actions get probability e^−50 ≈ 2e−22. */
const SINGLE_ACTION_SCORE = 50;

/** What {@link decideShipping} needs. */
export interface ShippingInputs {
  /** The learned (final) policy. */
  readonly learned: LinearSoftmaxPolicy;
  /** The job's splits; the decision uses validation, with nuisance models fitted on train. */
  readonly splits: {
    readonly train: readonly RlvrExample[];
    readonly validation: readonly RlvrExample[];
    readonly test: readonly RlvrExample[];
  };
  /** The final training's examples (the test estimate of a shipped single action fits on them). */
  readonly finalTrainingExamples: readonly RlvrExample[];
  /** `safe` or `learned` (always ship the learned policy). */
  readonly rule: "safe" | "learned";
  /** Bootstrap settings of the paired intervals. */
  readonly evaluation: { readonly resamples: number; readonly confidence: number };
  /** Bootstrap seed (the job seed). */
  readonly seed: number;
  /** Whether the final training saw the validation split (the bounds are then optimistic). */
  readonly validationSeenInTraining: boolean;
  /** The learned policy's test evaluation, for the shipped policy's test estimate. */
  readonly testEvaluation: JobRecord["evaluation"];
}

/** A linear policy that takes `action` with probability 1 − ~1e-21 (where it is allowed). */
export function singleActionPolicy(learned: LinearSoftmaxPolicy, action: string): LinearSoftmaxPolicy {
  const { actions, featurizer } = learned;
  const weights = new Float64Array(featurizer.rows * actions.length);
  weights[featurizer.biasIndex * actions.length + actions.indexOf(action)] = SINGLE_ACTION_SCORE;
  return createPolicy({ actions, featurizer, weights });
}

/**
 * The policy a shipping decision puts in the checkpoint: the learned one, a single action, or a
 * behavior model fitted on train (deterministic, so a resumed job refits the same one).
 */
export function shippedPolicyOf(
  shipping: ShippingRecord,
  learned: LinearSoftmaxPolicy,
  train: readonly RlvrExample[],
  seed: number,
): LinearSoftmaxPolicy {
  if (shipping.shipped === "learned") return learned;
  if (shipping.shipped === "single-action") return singleActionPolicy(learned, shipping.action as string);
  return fitBehaviorModel(train, { featurizer: learned.featurizer.spec, actions: learned.actions, seed });
}

const fmt = (e: { value: number; lower: number; upper: number }): string =>
  `${e.value.toFixed(4)} [${e.lower.toFixed(4)}, ${e.upper.toFixed(4)}]`;

/**
 * The shipping rule on validation, with paired bootstrap intervals of DR differences:
 * 1. the best single action is the one with the highest lower end of its DR interval (actions
 *    without support get the reward range, so they cannot win);
 * 2. the baseline to beat is that action if the lower end of (always it − behavior) is > 0, else
 *    the behavior (its mean logged reward);
 * 3. the learned policy ships when the lower end of (learned − baseline) is > 0, or when the rule
 *    is `learned`; otherwise the baseline ships.
 */
export function decideShipping(inputs: ShippingInputs): ShippingRecord {
  const { learned, splits, rule, seed } = inputs;
  const { resamples, confidence } = inputs.evaluation;
  const options = {
    trainingData: splits.train,
    resamples,
    confidence,
    seed,
    bestSingleAction: "lower" as const,
  };
  const onValidation = evaluate(learned, splits.validation, options);
  const best = onValidation.baselines.bestSingleAction;
  const single = evaluate(singleActionPolicy(learned, best.action), splits.validation, options);
  const learnedVsBehavior = onValidation.differences.behavior;
  const learnedVsSingle = onValidation.differences.bestSingleAction;
  const singleVsBehavior = single.differences.behavior;
  const level = `${Math.round(confidence * 100)} %`;
  const singleIsBaseline = singleVsBehavior.lower > 0;
  const baselineName = singleIsBaseline ? `always "${best.action}"` : "the behavior";
  const versus = singleIsBaseline ? learnedVsSingle : learnedVsBehavior;
  const beats = versus.lower > 0;
  const singleNote = singleIsBaseline
    ? `always "${best.action}" beats the behavior on validation (DR difference ${fmt(singleVsBehavior)}), so it is the baseline to beat`
    : `no single action demonstrably beats the behavior (the best, always "${best.action}", by ${fmt(singleVsBehavior)}), so the behavior is the baseline to beat`;
  const versusText = `the learned policy's DR difference to ${baselineName} on validation is ${fmt(versus)} (paired ${level} interval)`;
  let shipped: ShippingRecord["shipped"];
  let reason: string;
  if (beats) {
    shipped = "learned";
    reason = `${singleNote}; ${versusText}, above 0: the learned policy is shipped`;
  } else if (rule === "learned") {
    shipped = "learned";
    reason = `${singleNote}; ${versusText}, not above 0: the learned policy is shipped only because the rule is "learned"`;
  } else if (singleIsBaseline) {
    shipped = "single-action";
    reason = `${singleNote}; ${versusText}, not above 0: always "${best.action}" is shipped`;
  } else {
    shipped = "behavior";
    reason = `${singleNote}; ${versusText}, not above 0: a behavior model fitted on train (imitating the logging policy) is shipped`;
  }
  const test = inputs.testEvaluation;
  const shippedTest =
    test === null
      ? null
      : shipped === "learned"
        ? test.learned.dr
        : shipped === "behavior"
          ? test.baselines.behavior
          : evaluate(singleActionPolicy(learned, best.action), splits.test, {
              trainingData: inputs.finalTrainingExamples,
              resamples,
              confidence,
              seed,
            }).policy.dr;
  return JSON.parse(
    JSON.stringify({
      rule,
      shipped,
      action: shipped === "single-action" ? best.action : null,
      forced: rule === "learned" && !beats,
      reason,
      split: "validation",
      confidence,
      validationSeenInTraining: inputs.validationSeenInTraining,
      learned: estimatesRecord(onValidation.policy),
      behavior: onValidation.baselines.logged,
      bestSingleAction: { action: best.action, estimates: estimatesRecord(best.estimates) },
      singleActions: [...(onValidation.baselines.singleActions ?? [])],
      differences: {
        learnedMinusBehavior: learnedVsBehavior,
        learnedMinusBestSingleAction: learnedVsSingle,
        bestSingleActionMinusBehavior: singleVsBehavior,
      },
      shippedTest,
    } satisfies ShippingRecord),
  ) as ShippingRecord;
}
