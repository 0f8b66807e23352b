import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import { type Environment, exactBaselines, exactPolicyValue } from "./environment.js";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer, type Featurizer } from "./featurizer.js";
import { type FeaturizerSpec, sameFeaturizerSpec } from "./featurizer-spec.js";
import { nuisance } from "./internal/nuisance.js";
import {
  bootstrap,
  type GroupSums,
  groupSums,
  interval,
  linearPolicyProbs,
  type PointEstimates,
  pointEstimates,
  type Replicates,
} from "./internal/ope.js";
import { isLinearSoftmaxPolicy, type Policy } from "./policy.js";
import { type FitModelOptions, predictRewards, type RewardModel } from "./reward-model.js";
import { assertSeed } from "./rng.js";
import { buildTrainingData, examplesOf, type TrainingData } from "./training-data.js";

/** An estimate with its percentile-bootstrap interval over groups. */
export interface Estimate {
  /** Point estimate. */
  readonly value: number;
  /** Lower end of the interval. */
  readonly lower: number;
  /** Upper end of the interval. */
  readonly upper: number;
  /** Standard deviation of the bootstrap replicates. */
  readonly standardError: number;
}

/** The four off-policy estimates of one policy's value, with the effective sample size. */
export interface PolicyEstimates {
  /** Inverse propensity scoring: (1/n) Σ w_i r_i. */
  readonly ips: Estimate;
  /** Self-normalised IPS: Σ w_i r_i / Σ w_i. */
  readonly snips: Estimate;
  /** Direct method: (1/n) Σ_i Σ_a π(a|x_i) q̂(x_i, a). */
  readonly dm: Estimate;
  /** Doubly robust: (1/n) Σ_i [Σ_a π q̂ + w_i (r_i − q̂(x_i, a_i))]. */
  readonly dr: Estimate;
  /** Effective sample size (Σ w)² / Σ w² of the importance weights. */
  readonly effectiveSampleSize: number;
}

/** Where behavior probabilities or the reward model came from. */
export type ModelSource = "logged" | "provided" | "fitted-on-training" | "cross-fitted";

/** Result of {@link evaluate}. */
export interface Evaluation {
  /** Examples evaluated. */
  readonly numExamples: number;
  /** Groups (bootstrap units). */
  readonly numGroups: number;
  /** The action list. */
  readonly actions: readonly string[];
  /** Source of the behavior probabilities p_i. */
  readonly behaviorSource: Exclude<ModelSource, "provided">;
  /** Source of the reward model q̂ of DM and DR. */
  readonly rewardModelSource: Exclude<ModelSource, "logged">;
  /** Estimates of the evaluated policy. */
  readonly policy: PolicyEstimates;
  /** Baselines on the same data, with the same resamples. */
  readonly baselines: {
    /** Mean logged reward (the behavior policy's value). */
    readonly logged: Estimate;
    /** The uniform policy. */
    readonly uniform: PolicyEstimates;
    /** The single action with the highest DR estimate (or lower bound, see `bestSingleAction`). */
    readonly bestSingleAction: { readonly action: string; readonly estimates: PolicyEstimates };
    /**
     * Every single action's DR estimate with its interval and effective sample size, in action
     * order (with `bestSingleAction: "lower"` only; absent otherwise). An action the logs rarely
     * tried shows a wide interval: the data supports no claim about it.
     */
    readonly singleActions?: readonly {
      readonly action: string;
      readonly dr: Estimate;
      readonly effectiveSampleSize: number;
      /** Whether the effective sample size reaches `minSupport` (else the interval is the reward range). */
      readonly supported: boolean;
    }[];
  };
  /**
   * The policy's DR value minus each baseline's (the behavior's mean logged reward, the uniform and
   * best-single-action policies' DR), with paired percentile-bootstrap intervals: every replicate
   * resamples the same groups for both terms, so the interval is that of the difference itself and
   * is usually much narrower than the two separate intervals suggest. An interval above zero means
   * the policy is better than that baseline at the chosen confidence.
   */
  readonly differences: {
    /** Policy DR − mean logged reward. */
    readonly behavior: Estimate;
    /** Policy DR − uniform DR. */
    readonly uniform: Estimate;
    /** Policy DR − best single action's DR. */
    readonly bestSingleAction: Estimate;
  };
  /**
   * How often each action is chosen, in `actions` order: `behavior` is the (weighted) share of the
   * evaluated examples that logged it, `learned` the policy's mean probability π(a|x) over them. Each
   * column sums to 1.
   */
  readonly actionDistribution: readonly {
    readonly action: string;
    readonly behavior: number;
    readonly learned: number;
  }[];
  /** Exact values, when an environment with a finite context set was given. */
  readonly exact?: {
    /** Exact value of the policy. */
    readonly policy: number;
    /** Exact optimum. */
    readonly optimum: number;
    /** Exact value of the uniform policy. */
    readonly uniform: number;
    /** Exact best single action. */
    readonly bestSingleAction: { readonly action: string; readonly value: number };
    /** policy / optimum. */
    readonly ratioToOptimum: number;
  };
  /** Settings used. */
  readonly settings: {
    readonly resamples: number;
    readonly confidence: number;
    readonly seed: number;
    readonly clipWeight: number | null;
    readonly minPropensity: number;
  };
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /**
   * The training split: fits the behavior model (when needed) and the reward model. Without it, both
   * are cross-fitted on the evaluated data (`crossFitFolds` folds by group).
   * @defaultValue undefined
   */
  readonly trainingData?: RlvrDataset | readonly RlvrExample[];
  /**
   * `logged`: use `behaviorProb` (every example must have one); `fitted`: fit a behavior model;
   * `auto`: logged when every example has one.
   * @defaultValue "auto"
   */
  readonly behavior?: "auto" | "logged" | "fitted";
  /**
   * A fitted reward model to use for DM/DR instead of fitting one (same actions as the policy).
   * @defaultValue undefined
   */
  readonly rewardModel?: RewardModel;
  /**
   * Featurizer of the fitted models.
   * @defaultValue the policy's featurizer for a linear policy, the default featurizer otherwise
   */
  readonly featurizer?: Featurizer | Partial<FeaturizerSpec>;
  /**
   * Optimisation settings of the fitted models (featurizer and actions are set by `evaluate`).
   * @defaultValue the defaults of {@link fitRewardModel}
   */
  readonly fit?: Omit<FitModelOptions, "featurizer" | "actions">;
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
   * Seed of the bootstrap and cross-fitting streams.
   * @defaultValue 0
   */
  readonly seed?: number;
  /**
   * Clip importance weights at λ; null = no clipping.
   * @defaultValue null
   */
  readonly clipWeight?: number | null;
  /**
   * Floor of fitted behavior probabilities (logged ones are used as they are).
   * @defaultValue 0.001
   */
  readonly minPropensity?: number;
  /**
   * Folds for cross-fitting.
   * @defaultValue 2
   */
  readonly crossFitFolds?: number;
  /**
   * How the best single action baseline is chosen: `point` = the highest DR point estimate; `lower` =
   * the highest lower end of its DR interval (an action the logs rarely tried has a wide interval, so
   * it cannot win on a lucky estimate: the baseline is the best one the data can vouch for).
   * @defaultValue "point"
   */
  readonly bestSingleAction?: "point" | "lower";
  /**
   * With `bestSingleAction: "lower"`: a single action whose importance weights have an effective
   * sample size below this is `supported: false` in `baselines.singleActions`, and its interval is
   * widened to the range of the logged rewards (its estimate would be the reward model's
   * extrapolation; the data support no claim about it).
   * @defaultValue 30
   */
  readonly minSupport?: number;
  /**
   * Reward component weights, as in `TrainConfig.rewardWeights`.
   * @defaultValue undefined
   */
  readonly rewardWeights?: Readonly<Record<string, number>>;
  /**
   * An environment with a finite context set: adds the exact values.
   * @defaultValue undefined
   */
  readonly environment?: Environment;
}

/** An estimate with its percentile interval from bootstrap replicates. @internal */
export function estimate(value: number, replicates: Float64Array, confidence: number): Estimate {
  return { value, ...interval(replicates, confidence) };
}

/** The four estimates of one policy from its point estimates and replicates. @internal */
export function policyEstimates(
  point: PointEstimates,
  reps: Replicates,
  confidence: number,
): PolicyEstimates {
  return {
    ips: estimate(point.ips, reps.ips, confidence),
    snips: estimate(point.snips, reps.snips, confidence),
    dm: estimate(point.dm, reps.dm, confidence),
    dr: estimate(point.dr, reps.dr, confidence),
    effectiveSampleSize: point.ess,
  };
}

/** π_e(·|x_i) for every example, through the fast path for a linear policy with the data's featurizer. */
function targetProbs(
  policy: Policy,
  evaluated: { data: TrainingData; featurizer: Featurizer; examples: readonly RlvrExample[] },
): Float64Array {
  const { data, featurizer: dataFeaturizer, examples } = evaluated;
  if (isLinearSoftmaxPolicy(policy) && sameFeaturizerSpec(policy.featurizer.spec, dataFeaturizer.spec)) {
    return linearPolicyProbs(policy.weights, data);
  }
  const A = data.actions.length;
  const out = new Float64Array(data.numExamples * A);
  for (let i = 0; i < data.numExamples; i++) {
    const e = examples[data.sourceIndex ? data.sourceIndex[i]! : i]!;
    const lp = policy.logProbs(
      e.context,
      e.allowedActions ? { allowedActions: e.allowedActions } : undefined,
    );
    for (let a = 0; a < A; a++) out[i * A + a] = Math.exp(lp[a]!);
  }
  return out;
}

/** Weighted share of each logged action and mean policy probability per action (see `actionDistribution`). */
function actionShares(data: TrainingData, pi: Float64Array): Evaluation["actionDistribution"] {
  const A = data.actions.length;
  const behavior = new Float64Array(A);
  const learned = new Float64Array(A);
  let total = 0;
  for (let i = 0; i < data.numExamples; i++) {
    const w = data.weights === null ? 1 : data.weights[i]!;
    total += w;
    const logged = data.actionIndex[i]!;
    behavior[logged] = behavior[logged]! + w;
    for (let a = 0; a < A; a++) learned[a] = learned[a]! + w * pi[i * A + a]!;
  }
  return data.actions.map((action, a) => ({
    action,
    behavior: total > 0 ? behavior[a]! / total : 0,
    learned: total > 0 ? learned[a]! / total : 0,
  }));
}

function constantProbs(data: TrainingData, action: number | null): Float64Array {
  const A = data.actions.length;
  const out = new Float64Array(data.numExamples * A);
  const mask = data.allowedMask;
  for (let i = 0; i < data.numExamples; i++) {
    let allowed = 0;
    for (let a = 0; a < A; a++) allowed += mask === null ? 1 : mask[i * A + a]!;
    const useConst = action !== null && (mask === null || mask[i * A + action] === 1);
    for (let a = 0; a < A; a++) {
      const on = mask === null || mask[i * A + a] === 1;
      out[i * A + a] = useConst ? (a === action ? 1 : 0) : on ? 1 / allowed : 0;
    }
  }
  return out;
}

/**
 * Off-policy evaluation of `policy` on logged data: IPS, SNIPS, DM and DR estimates, each with a
 * percentile-bootstrap interval over groups (seeded), the effective sample size, and the same
 * estimates for the baselines (logged behavior, uniform, best single action). With an environment,
 * also the exact values. Behavior probabilities come from the data (when every example has one) or
 * from a behavior model; the reward model of DM/DR is fitted on `trainingData`, or cross-fitted.
 * @param policy - the policy to evaluate
 * @param data - held-out logged examples
 * @param options - models, bootstrap, clipping, environment
 */
export function evaluate(
  policy: Policy,
  data: RlvrDataset | readonly RlvrExample[],
  options: EvaluateOptions = {},
): Evaluation {
  const where = "evaluation options";
  const examples = examplesOf(data);
  const resamples = options.resamples ?? 500;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  const clipWeight = options.clipWeight ?? null;
  const minPropensity = options.minPropensity ?? 0.001;
  const folds = options.crossFitFolds ?? 2;
  const bad = (message: string): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: ${message}`);
  };
  if (!Number.isInteger(resamples) || resamples < 200)
    bad(`resamples must be an integer ≥ 200, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) bad(`confidence must be in (0, 1), got ${confidence}`);
  assertSeed(seed, where);
  if (clipWeight !== null && !(clipWeight > 0)) bad(`clipWeight must be positive or null, got ${clipWeight}`);
  if (!(minPropensity > 0 && minPropensity <= 1))
    bad(`minPropensity must be in (0, 1], got ${minPropensity}`);
  if (!Number.isInteger(folds) || folds < 2) bad(`crossFitFolds must be an integer ≥ 2, got ${folds}`);
  const behavior = options.behavior ?? "auto";
  if (!["auto", "logged", "fitted"].includes(behavior))
    bad(`behavior must be "auto", "logged" or "fitted", got ${behavior}`);

  const featurizer: Featurizer =
    typeof options.featurizer === "object" && options.featurizer !== null && "featurize" in options.featurizer
      ? (options.featurizer as Featurizer)
      : options.featurizer !== undefined
        ? createFeaturizer(options.featurizer as Partial<FeaturizerSpec>)
        : isLinearSoftmaxPolicy(policy)
          ? policy.featurizer
          : createFeaturizer();
  const actions = policy.actions;
  const build = (d: RlvrDataset | readonly RlvrExample[]) =>
    buildTrainingData(d, {
      featurizer,
      actions,
      ...(options.rewardWeights ? { rewardWeights: options.rewardWeights } : {}),
    });
  const evalData = build(examples);
  const training = options.trainingData !== undefined ? build(options.trainingData) : null;
  let providedQ: Float64Array | null = null;
  if (options.rewardModel !== undefined) {
    const rm = options.rewardModel;
    if (rm.actions.length !== actions.length || rm.actions.some((a, i) => a !== actions[i])) {
      throw new RlvrLoopError(
        "INCOMPATIBLE_POLICY",
        `${where}: the reward model's actions ${JSON.stringify(rm.actions)} differ from the policy's ${JSON.stringify(actions)}`,
      );
    }
    // Both builds order the examples identically (group by group), so rows correspond.
    const modelData = sameFeaturizerSpec(rm.featurizer.spec, featurizer.spec)
      ? evalData
      : buildTrainingData(examples, { featurizer: rm.featurizer, actions });
    providedQ = predictRewards(rm.weights, modelData);
  }
  const fit = {
    epochs: options.fit?.epochs ?? 5,
    batchSize: options.fit?.batchSize ?? 256,
    learningRate: options.fit?.learningRate ?? 0.05,
    weightDecay: options.fit?.weightDecay ?? 0.001,
    seed: options.fit?.seed ?? seed,
  };
  let nuis = nuisance(evalData, {
    behavior,
    training,
    fit,
    minPropensity,
    folds,
    seed,
    needQhat: providedQ === null,
  });
  if (providedQ !== null) nuis = { ...nuis, qhat: providedQ, rewardModelSource: "provided" };

  const evaluateProbs = (pi: Float64Array): { sums: GroupSums; point: PointEstimates } => {
    const sums = groupSums(evalData, { pi, propensity: nuis.propensity, qhat: nuis.qhat, clip: clipWeight });
    return { sums, point: pointEstimates(sums) };
  };
  const pi = targetProbs(policy, { data: evalData, featurizer, examples });
  const target = evaluateProbs(pi);
  const targetReps = bootstrap(target.sums, resamples, seed);
  const policyEst = policyEstimates(target.point, targetReps, confidence);
  const logged = estimate(target.point.logged, targetReps.logged, confidence);
  // Every bootstrap call uses the same seed, hence the same resampled groups: replicates are paired.
  const uniformFit = evaluateProbs(constantProbs(evalData, null));
  const uniformReps = bootstrap(uniformFit.sums, resamples, seed);
  const uniform = policyEstimates(uniformFit.point, uniformReps, confidence);
  let bestAction = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  const byLower = options.bestSingleAction === "lower";
  const minSupport = options.minSupport ?? 30;
  const singleActions: {
    action: string;
    dr: Estimate;
    effectiveSampleSize: number;
    supported: boolean;
  }[] = [];
  let rMin = Number.POSITIVE_INFINITY;
  let rMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < evalData.numExamples; i++) {
    rMin = Math.min(rMin, evalData.rewards[i]!);
    rMax = Math.max(rMax, evalData.rewards[i]!);
  }
  for (let a = 0; a < actions.length; a++) {
    const fitted = evaluateProbs(constantProbs(evalData, a));
    let v = fitted.point.dr;
    if (byLower) {
      const boot = estimate(fitted.point.dr, bootstrap(fitted.sums, resamples, seed).dr, confidence);
      // Too few logged decisions of the action: its DR is the reward model's extrapolation, whose
      // bootstrap interval is narrow but means nothing; the data bound it only by the reward range.
      const supported = fitted.point.ess >= minSupport;
      const dr = supported ? boot : { ...boot, lower: rMin, upper: rMax };
      singleActions.push({ action: actions[a]!, dr, effectiveSampleSize: fitted.point.ess, supported });
      v = dr.lower;
    }
    if (v > bestValue) {
      bestValue = v;
      bestAction = a;
    }
  }
  const bestFit = evaluateProbs(constantProbs(evalData, bestAction));
  const bestReps = bootstrap(bestFit.sums, resamples, seed);
  const best = policyEstimates(bestFit.point, bestReps, confidence);
  const difference = (value: number, reps: Float64Array): Estimate => {
    const d = new Float64Array(resamples);
    for (let b = 0; b < resamples; b++) d[b] = targetReps.dr[b]! - reps[b]!;
    return estimate(target.point.dr - value, d, confidence);
  };
  const differences = {
    behavior: difference(target.point.logged, targetReps.logged),
    uniform: difference(uniformFit.point.dr, uniformReps.dr),
    bestSingleAction: difference(bestFit.point.dr, bestReps.dr),
  };

  let exact: Evaluation["exact"];
  if (options.environment !== undefined) {
    const env = options.environment;
    const base = exactBaselines(env);
    const value = exactPolicyValue(env, policy);
    exact = {
      policy: value,
      optimum: base.optimum,
      uniform: base.uniform,
      bestSingleAction: base.bestSingleAction,
      ratioToOptimum: value / base.optimum,
    };
  }
  return {
    numExamples: evalData.numExamples,
    numGroups: evalData.numGroups,
    actions,
    behaviorSource: nuis.behaviorSource,
    rewardModelSource: nuis.rewardModelSource,
    policy: policyEst,
    baselines: {
      logged,
      uniform,
      bestSingleAction: { action: actions[bestAction]!, estimates: best },
      ...(byLower ? { singleActions } : {}),
    },
    differences,
    actionDistribution: actionShares(evalData, pi),
    ...(exact ? { exact } : {}),
    settings: { resamples, confidence, seed, clipWeight, minPropensity },
  };
}
