import { RlvrLoopError } from "./errors.js";
import { type PolicyEstimates, policyEstimates } from "./evaluation.js";
import { nuisance } from "./internal/nuisance.js";
import { bootstrap, groupSums, linearPolicyProbs, pointEstimates } from "./internal/ope.js";
import type { LinearSoftmaxPolicy } from "./policy.js";
import { predictRewards, type RewardModel } from "./reward-model.js";
import { assertSeed } from "./rng.js";
import type { TrainingData } from "./training-data.js";

/** The nuisance values of one evaluation set: what a {@link PolicyScorer} computes once. */
export interface ScorerNuisance {
  /** Behavior probability p_i of each example's logged action (n). */
  readonly propensity: Float64Array;
  /** Reward predictions q̂(x_i, a), n × |actions|, row-major. */
  readonly qhat: Float64Array;
}

/** Options of {@link createPolicyScorer}. */
export interface PolicyScorerOptions {
  /**
   * Reward model giving q̂ (its featurizer and actions must match the data's). Required unless
   * `nuisance` is given.
   * @defaultValue undefined
   */
  readonly rewardModel?: RewardModel;
  /**
   * Training data to fit the behavior model on when the evaluated data lack logged probabilities
   * (the same fit as `evaluate`'s `trainingData`). Without it the behavior model is cross-fitted on
   * the evaluated data, as `evaluate` does.
   * @defaultValue undefined
   */
  readonly trainingData?: TrainingData;
  /**
   * Precomputed nuisance values (from another scorer's `nuisance`, e.g. in a worker thread): nothing
   * is fitted or predicted.
   * @defaultValue undefined
   */
  readonly nuisance?: ScorerNuisance;
  /**
   * Bootstrap resamples (≥ 200).
   * @defaultValue 500
   */
  readonly resamples?: number;
  /**
   * Confidence level of the intervals.
   * @defaultValue 0.95
   */
  readonly confidence?: number;
  /**
   * Seed of the bootstrap (and of the behavior model's fit).
   * @defaultValue 0
   */
  readonly seed?: number;
  /**
   * Floor of fitted behavior probabilities.
   * @defaultValue 0.001
   */
  readonly minPropensity?: number;
}

/** Scores linear policies on one evaluation set; see {@link createPolicyScorer}. */
export interface PolicyScorer {
  /** The evaluated data. */
  readonly data: TrainingData;
  /** The propensities and reward predictions, computed once. */
  readonly nuisance: ScorerNuisance;
  /**
   * IPS, SNIPS, DM and DR with percentile-bootstrap intervals and the effective sample size: the
   * same numbers as `evaluate(policy, examples, { rewardModel, trainingData, ... }).policy` on the
   * examples the data were built from.
   */
  score(policy: LinearSoftmaxPolicy): PolicyEstimates;
}

/**
 * Creates a scorer for many policies on the same evaluation set, as tuning needs: the behavior
 * probabilities and the reward predictions are computed once (not per policy, as `evaluate` does),
 * and can be handed to a scorer in another thread through `nuisance`. No baselines are computed.
 * @param data - the evaluation set (`buildTrainingData` with the policies' featurizer and actions)
 * @param options - reward model, training data, bootstrap settings
 * @throws {@link RlvrLoopError} `INVALID_ARGUMENT` for bad options, `INCOMPATIBLE_POLICY` for a
 *   reward model (or, in `score`, a policy) whose actions or size do not fit the data
 */
export function createPolicyScorer(data: TrainingData, options: PolicyScorerOptions = {}): PolicyScorer {
  const where = "policy scorer";
  const bad = (message: string): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: ${message}`);
  };
  const resamples = options.resamples ?? 500;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  const minPropensity = options.minPropensity ?? 0.001;
  if (!Number.isInteger(resamples) || resamples < 200)
    bad(`resamples must be an integer ≥ 200, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) bad(`confidence must be in (0, 1), got ${confidence}`);
  assertSeed(seed, where);
  if (!(minPropensity > 0 && minPropensity <= 1))
    bad(`minPropensity must be in (0, 1], got ${minPropensity}`);
  const n = data.numExamples;
  const A = data.actions.length;

  let nuis: ScorerNuisance;
  if (options.nuisance !== undefined) {
    const { propensity, qhat } = options.nuisance;
    if (!(propensity instanceof Float64Array) || propensity.length !== n)
      bad(`nuisance.propensity must be a Float64Array of ${n} values`);
    if (!(qhat instanceof Float64Array) || qhat.length !== n * A)
      bad(`nuisance.qhat must be a Float64Array of ${n} × ${A} values`);
    nuis = { propensity, qhat };
  } else {
    const rm = options.rewardModel ?? bad("give a rewardModel or a nuisance");
    if (rm.actions.length !== A || rm.actions.some((a, i) => a !== data.actions[i])) {
      throw new RlvrLoopError(
        "INCOMPATIBLE_POLICY",
        `${where}: the reward model's actions ${JSON.stringify(rm.actions)} differ from the data's ${JSON.stringify(data.actions)}`,
      );
    }
    const fitted = nuisance(data, {
      behavior: "auto",
      training: options.trainingData ?? null,
      fit: { epochs: 5, batchSize: 256, learningRate: 0.05, weightDecay: 0.001, seed },
      minPropensity,
      folds: 2,
      seed,
      needQhat: false,
    });
    nuis = { propensity: fitted.propensity, qhat: predictRewards(rm.weights, data) };
  }

  const pi = new Float64Array(n * A);
  return {
    data,
    nuisance: nuis,
    score(policy) {
      if (policy.actions.length !== A || policy.actions.some((a, i) => a !== data.actions[i])) {
        throw new RlvrLoopError(
          "INCOMPATIBLE_POLICY",
          `${where}: the policy's actions ${JSON.stringify(policy.actions)} differ from the data's ${JSON.stringify(data.actions)}`,
        );
      }
      if (policy.weights.length !== data.rows * A) {
        throw new RlvrLoopError(
          "INCOMPATIBLE_POLICY",
          `${where}: the policy has ${policy.weights.length} weights, the data's featurizer needs ${data.rows * A}`,
        );
      }
      linearPolicyProbs(policy.weights, data, pi);
      const sums = groupSums(data, { pi, propensity: nuis.propensity, qhat: nuis.qhat, clip: null });
      return policyEstimates(pointEstimates(sums), bootstrap(sums, resamples, seed), confidence);
    },
  };
}
