import { Ajv, type ErrorObject } from "ajv";
import { RlvrLoopError } from "./errors.js";
import { defaultFeaturizerSpec, type FeaturizerSpec, resolveFeaturizerSpec } from "./featurizer.js";

/** How advantages A_i are formed from the rewards of a group (docs/algorithms.md §2). */
export interface AdvantageConfig {
  /**
   * Baseline b_i: `group` = mean reward of the group (GRPO); `rloo` = mean of the *other* examples of
   * the group (leave-one-out).
   * @defaultValue "group"
   */
  readonly baseline: "group" | "rloo";
  /**
   * Scaling s: `group` = sample std of the group's rewards + ε (GRPO); `batch` = sample std of the
   * minibatch's rewards + ε; `none` = 1 (Dr. GRPO).
   * @defaultValue "group"
   */
  readonly scale: "group" | "batch" | "none";
  /**
   * ε added to the standard deviation.
   * @defaultValue 0.0001
   */
  readonly epsilon: number;
  /**
   * Policy for groups without a group signal (one example, or all rewards equal); they are always
   * counted in `frac_reward_zero_std`. `zero`: advantage 0 (still in the loss through KL/entropy and
   * the aggregation denominators, as TRL does); `drop`: left out of the minibatch loss entirely;
   * `batch_mean`: baseline = minibatch mean reward, scaled by the minibatch std + ε (1 with scale `none`).
   * @defaultValue "batch_mean"
   */
  readonly degenerateGroups: "zero" | "drop" | "batch_mean";
}

/** PPO-style clipping of the importance ratio ρ = π_θ / π_old. */
export interface ClipConfig {
  /**
   * ε_low: the ratio is clipped below at 1 − ε_low (for negative advantages).
   * @defaultValue 0.2
   */
  readonly epsilonLow: number;
  /**
   * ε_high: the ratio is clipped above at 1 + ε_high (for positive advantages). DAPO's "clip higher"
   * uses ε_high > ε_low, e.g. 0.28.
   * @defaultValue 0.2
   */
  readonly epsilonHigh: number;
}

/** Truncated importance correction for logged (off-policy) actions. */
export interface ImportanceCorrectionConfig {
  /**
   * Multiply each example's clipped surrogate by c_i = min(c̄, π_old(a_i|x_i) / μ_i), where μ_i is the
   * logged behavior probability (V-trace style), so that updates from logs drawn by another policy
   * follow the gradient of π's own value. `true` requires `behaviorProb` on every training example;
   * `auto` applies it exactly when every training example has one (online, μ_i = π_old, so c_i = 1).
   * Without it, offline GRPO does not converge to the best policy: its fixed point weights actions by
   * their logged advantages (see docs/rlvr-loop.md).
   * @defaultValue "auto"
   */
  readonly enabled: boolean | "auto";
  /**
   * The truncation level c̄. IMPALA uses 1; a larger value removes the bias for actions the learned
   * policy prefers far more than the behavior did (measured on the built-in environment from 50 k
   * uniform logs: c̄ = 1 reaches 98.4–99.0 % of the optimum, c̄ = 3 or 10 reaches 99.96–99.97 %,
   * no correction 91.8–93.1 %).
   * @defaultValue 10
   */
  readonly cap: number;
}

/**
 * What the offline policy gradient follows (see docs/rlvr-loop.md, "Learning without propensities").
 * `grpo`: the group-relative clipped surrogate of the logged actions (with the importance correction
 * when propensities are logged); `dm`: the direct method, maximise (1/n) Σ_i Σ_a π(a|x_i) r̂(x_i, a)
 * with a reward model r̂ cross-fitted on the training data; `dr`: doubly robust, the `dm` term plus
 * the clipped surrogate of the residual r_i − r̂(x_i, a_i) weighted by c_i = min(c̄, π_old(a_i|x_i)/μ_i)
 * (μ_i logged, or a behavior model cross-fitted on the training data when any is missing).
 */
export type OffPolicyTarget = "auto" | "grpo" | "dm" | "dr";

/** Offline objective and its nuisance models. */
export interface OffPolicyConfig {
  /**
   * The objective offline; `auto` = `dr` offline (with logged or fitted propensities), `grpo` online.
   * @defaultValue "auto"
   */
  readonly target: OffPolicyTarget;
  /**
   * Folds (by group) of the cross-fitted reward and behavior models of `dm`/`dr`; each example's
   * predictions come from models fitted on the other folds.
   * @defaultValue 10
   */
  readonly folds: number;
  /**
   * Floor of fitted propensities μ̂ (a fitted model can put almost no mass on a logged action).
   * @defaultValue 0.01
   */
  readonly minPropensity: number;
  /**
   * Epochs of each cross-fitted model (lazy AdamW, batch 256, learning rate 0.05 decaying to 0,
   * weight decay 0.001). Few epochs regularise (see docs/rlvr-loop.md, "Learning without
   * propensities", for the measurements behind 10 folds of 1 epoch).
   * @defaultValue 1
   */
  readonly modelEpochs: number;
}

/** KL penalty to the reference policy (the initial policy unless one is given). */
export interface KlConfig {
  /**
   * Coefficient β of the KL term in the loss (0: no penalty; the `kl` metric is still reported).
   * @defaultValue 0
   */
  readonly beta: number;
  /**
   * `exact`: KL(π_θ(·|x) ‖ π_ref(·|x)) summed over the allowed actions; `k3`: exp(Δ) − Δ − 1 with
   * Δ = log π_ref(a_i|x) − log π_θ(a_i|x) at the taken action (Schulman's estimator, as TRL).
   * @defaultValue "exact"
   */
  readonly estimator: "exact" | "k3";
}

/** AdamW optimizer and gradient clipping. */
export interface OptimizerConfig {
  /**
   * Peak learning rate. With lazy Adam every active feature weight moves by about this much per
   * step, so a decision's scores move by about (active features) × learningRate: keep it small.
   * @defaultValue 0.02
   */
  readonly learningRate: number;
  /**
   * β1 (first-moment decay).
   * @defaultValue 0.9
   */
  readonly beta1: number;
  /**
   * β2 (second-moment decay).
   * @defaultValue 0.999
   */
  readonly beta2: number;
  /**
   * ε of the Adam denominator.
   * @defaultValue 1e-8
   */
  readonly epsilon: number;
  /**
   * Decoupled weight decay λ (w ← w(1 − lr λ) before the Adam step; never applied to the bias row).
   * @defaultValue 0
   */
  readonly weightDecay: number;
  /**
   * Clip the global gradient norm to this value (PyTorch `clip_grad_norm_` arithmetic); null = no clipping.
   * @defaultValue 1
   */
  readonly maxGradNorm: number | null;
  /**
   * Lazy (row-wise) moments: a step updates only the feature rows present in the minibatch, so it costs
   * O(touched rows) instead of O(D). Differs from dense AdamW for rows absent from a step: their moments
   * do not decay and momentum does not move them (PyTorch SparseAdam semantics).
   * @defaultValue true
   */
  readonly lazy: boolean;
}

/** Learning-rate schedule over the planned optimizer steps. */
export interface ScheduleConfig {
  /**
   * `constant`, `linear` decay or `cosine` decay, after the warm-up.
   * @defaultValue "constant"
   */
  readonly kind: "constant" | "linear" | "cosine";
  /**
   * Linear warm-up steps (lr · step / warmupSteps for step ≤ warmupSteps).
   * @defaultValue 0
   */
  readonly warmupSteps: number;
  /**
   * Floor of the decay as a fraction of the peak learning rate.
   * @defaultValue 0
   */
  readonly minLearningRateRatio: number;
}

/** Online training against an {@link Environment}. */
export interface OnlineConfig {
  /**
   * Update rounds per epoch (each round samples tasks, acts, verifies and updates).
   * @defaultValue 25
   */
  readonly roundsPerEpoch: number;
  /**
   * Tasks sampled per round (= groups per round).
   * @defaultValue 32
   */
  readonly tasksPerRound: number;
  /**
   * G: actions sampled from the policy per task (group size).
   * @defaultValue 8
   */
  readonly groupSize: number;
}

/** Metric computed on the validation data after every epoch (drives early stopping). */
export type ValidationMetric = "auto" | "none" | "ips" | "snips" | "dm" | "dr" | "exact_value";

/** Validation after every epoch. */
export interface ValidationConfig {
  /**
   * `ips`, `snips`, `dm`, `dr`: off-policy estimate of the policy's value on the validation data
   * (behavior probabilities logged, or from a behavior model fitted on the training data; the reward
   * model of DM/DR is fitted on the training data); `exact_value`: the environment's exact value
   * (online mode); `auto`: `exact_value` online when the environment supports it, otherwise `snips` if
   * every validation example has a behavior probability, otherwise `dr`; `none`: no validation.
   * @defaultValue "auto"
   */
  readonly metric: ValidationMetric;
}

/** Early stopping on the validation metric (higher is better). */
export interface EarlyStoppingConfig {
  /**
   * Stop after this many epochs without an improvement larger than `minDelta`; null disables early
   * stopping (validation is still recorded).
   * @defaultValue null
   */
  readonly patience: number | null;
  /**
   * Smallest increase that counts as an improvement.
   * @defaultValue 0
   */
  readonly minDelta: number;
  /**
   * Return the weights of the best validated epoch rather than the last.
   * @defaultValue true
   */
  readonly restoreBest: boolean;
  /**
   * Collapse detection (offline, with validation data): stop (reason `collapse`) after an epoch where
   * the policy's mean action distribution on validation, p̄_a = mean_x π(a|x), has an entropy H(p̄)
   * below this many nats (the policy takes one action whatever the context) while the validation
   * value fell below the best one by more than `minDelta`; the best validated weights are then
   * restored (with `restoreBest`). A deterministic policy that routes by context is not a collapse.
   * 0 disables it.
   * @defaultValue 0.05
   */
  readonly collapseEntropy: number;
}

/** Complete training configuration; every member has a documented default ({@link defaultTrainConfig}). */
export interface TrainConfig {
  /**
   * Seed of every random stream (shuffling; online: tasks, actions, tools). Integer in [0, 2^32 − 1].
   * @defaultValue 0
   */
  readonly seed: number;
  /**
   * The action list (sorted on use); null = the sorted actions found in the data, or the environment's.
   * @defaultValue null
   */
  readonly actions: readonly string[] | null;
  /**
   * Featurizer of the policy.
   * @defaultValue {@link defaultFeaturizerSpec}
   */
  readonly featurizer: FeaturizerSpec;
  /**
   * Passes over the training groups (offline) or blocks of `online.roundsPerEpoch` rounds (online).
   * @defaultValue 10
   */
  readonly epochs: number;
  /**
   * Groups per minibatch (offline). Online, each round's groups are split into minibatches of this size.
   * @defaultValue 64
   */
  readonly minibatchGroups: number;
  /**
   * μ: optimizer steps on each minibatch against the same π_old (TRL `num_iterations`).
   * @defaultValue 1
   */
  readonly innerIterations: number;
  /**
   * Shuffle the groups before every epoch (offline).
   * @defaultValue true
   */
  readonly shuffle: boolean;
  /** Advantage baseline, scaling and degenerate-group policy. */
  readonly advantage: AdvantageConfig;
  /** Ratio clipping. */
  readonly clip: ClipConfig;
  /** Truncated importance correction with logged behavior probabilities. */
  readonly importanceCorrection: ImportanceCorrectionConfig;
  /** The offline objective (`grpo`, `dm`, `dr`) and its nuisance models. */
  readonly offPolicy: OffPolicyConfig;
  /** KL penalty to the reference policy. */
  readonly kl: KlConfig;
  /**
   * α of the entropy bonus (the loss gets −α H(π_θ(·|x))).
   * @defaultValue 0
   */
  readonly entropyCoef: number;
  /**
   * `grpo`: mean within each group, then over groups; `bnpo`: mean over the minibatch's examples;
   * `dr_grpo`: sum / (groups × largest group size). Sample weights enter as weighted means.
   * @defaultValue "grpo"
   */
  readonly lossAggregation: "grpo" | "bnpo" | "dr_grpo";
  /**
   * Weights c_k of reward components: r_i = Σ_k c_k rewards_ik; null = use `reward`.
   * @defaultValue null
   */
  readonly rewardWeights: Readonly<Record<string, number>> | null;
  /** AdamW and gradient clipping. */
  readonly optimizer: OptimizerConfig;
  /** Learning-rate schedule. */
  readonly schedule: ScheduleConfig;
  /** Online-mode sizes. */
  readonly online: OnlineConfig;
  /** Validation metric. */
  readonly validation: ValidationConfig;
  /** Early stopping. */
  readonly earlyStopping: EarlyStoppingConfig;
}

/** A partial {@link TrainConfig}: any member may be left out, nested objects too. */
export type PartialTrainConfig = {
  readonly [K in keyof TrainConfig]?: TrainConfig[K] extends readonly unknown[] | null
    ? TrainConfig[K]
    : TrainConfig[K] extends object
      ? Partial<TrainConfig[K]>
      : TrainConfig[K];
};

/** The default training configuration (deeply frozen). */
export const defaultTrainConfig: TrainConfig = deepFreeze({
  seed: 0,
  actions: null,
  featurizer: defaultFeaturizerSpec,
  epochs: 10,
  minibatchGroups: 64,
  innerIterations: 1,
  shuffle: true,
  advantage: { baseline: "group", scale: "group", epsilon: 1e-4, degenerateGroups: "batch_mean" },
  clip: { epsilonLow: 0.2, epsilonHigh: 0.2 },
  importanceCorrection: { enabled: "auto", cap: 10 },
  offPolicy: { target: "auto", folds: 10, minPropensity: 0.01, modelEpochs: 1 },
  kl: { beta: 0, estimator: "exact" },
  entropyCoef: 0,
  lossAggregation: "grpo",
  rewardWeights: null,
  optimizer: {
    learningRate: 0.02,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    maxGradNorm: 1,
    lazy: true,
  },
  schedule: { kind: "constant", warmupSteps: 0, minLearningRateRatio: 0 },
  online: { roundsPerEpoch: 25, tasksPerRound: 32, groupSize: 8 },
  validation: { metric: "auto" },
  earlyStopping: { patience: null, minDelta: 0, restoreBest: true, collapseEntropy: 0.05 },
} satisfies TrainConfig);

const positive = { type: "number", exclusiveMinimum: 0 } as const;
const nonNegative = { type: "number", minimum: 0 } as const;
const positiveInt = { type: "integer", minimum: 1 } as const;
const unit = (max: "inclusive" | "exclusive") =>
  max === "inclusive"
    ? ({ type: "number", minimum: 0, maximum: 1 } as const)
    : ({ type: "number", minimum: 0, exclusiveMaximum: 1 } as const);
const obj = (properties: Record<string, unknown>) => ({
  type: "object",
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

/**
 * JSON Schema (draft 2020-12 vocabulary, validated with Ajv) of a complete {@link TrainConfig}. Every
 * member is required: validate the output of {@link resolveTrainConfig}, or a stored configuration.
 */
export const trainConfigSchema = deepFreeze({
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "TrainConfig",
  ...obj({
    seed: { type: "integer", minimum: 0, maximum: 4294967295 },
    actions: {
      anyOf: [
        { type: "null" },
        { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", minLength: 1 } },
      ],
    },
    featurizer: obj({
      kind: { const: "hashing" },
      version: { const: 1 },
      dimension: { type: "integer", minimum: 1, maximum: 1 << 26 },
      seed: { type: "integer", minimum: 0, maximum: 4294967295 },
      features: { type: "boolean" },
      unigrams: { type: "boolean" },
      bigrams: { type: "boolean" },
      lowercase: { type: "boolean" },
      crosses: {
        type: "array",
        items: { type: "array", minItems: 2, maxItems: 2, items: { type: "string" } },
      },
      numeric: { enum: ["identity", "signed_log1p"] },
    }),
    epochs: positiveInt,
    minibatchGroups: positiveInt,
    innerIterations: positiveInt,
    shuffle: { type: "boolean" },
    advantage: obj({
      baseline: { enum: ["group", "rloo"] },
      scale: { enum: ["group", "batch", "none"] },
      epsilon: nonNegative,
      degenerateGroups: { enum: ["zero", "drop", "batch_mean"] },
    }),
    clip: obj({ epsilonLow: unit("exclusive"), epsilonHigh: nonNegative }),
    importanceCorrection: obj({ enabled: { enum: [true, false, "auto"] }, cap: positive }),
    offPolicy: obj({
      target: { enum: ["auto", "grpo", "dm", "dr"] },
      folds: { type: "integer", minimum: 2, maximum: 20 },
      minPropensity: { type: "number", exclusiveMinimum: 0, maximum: 0.5 },
      modelEpochs: { type: "integer", minimum: 1, maximum: 100 },
    }),
    kl: obj({ beta: nonNegative, estimator: { enum: ["exact", "k3"] } }),
    entropyCoef: nonNegative,
    lossAggregation: { enum: ["grpo", "bnpo", "dr_grpo"] },
    rewardWeights: {
      anyOf: [
        { type: "null" },
        { type: "object", minProperties: 1, additionalProperties: { type: "number" } },
      ],
    },
    optimizer: obj({
      learningRate: positive,
      beta1: unit("exclusive"),
      beta2: unit("exclusive"),
      epsilon: positive,
      weightDecay: nonNegative,
      maxGradNorm: { anyOf: [{ type: "null" }, positive] },
      lazy: { type: "boolean" },
    }),
    schedule: obj({
      kind: { enum: ["constant", "linear", "cosine"] },
      warmupSteps: { type: "integer", minimum: 0 },
      minLearningRateRatio: unit("inclusive"),
    }),
    online: obj({ roundsPerEpoch: positiveInt, tasksPerRound: positiveInt, groupSize: positiveInt }),
    validation: obj({ metric: { enum: ["auto", "none", "ips", "snips", "dm", "dr", "exact_value"] } }),
    earlyStopping: obj({
      patience: { anyOf: [{ type: "null" }, positiveInt] },
      minDelta: nonNegative,
      restoreBest: { type: "boolean" },
      collapseEntropy: nonNegative,
    }),
  }),
});

let validator: ReturnType<Ajv["compile"]> | undefined;

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "/" : error.instancePath;
  if (error.keyword === "additionalProperties") {
    return `${where}: unknown member ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return `${where}: ${error.message ?? "is invalid"}`;
}

/**
 * Check a complete configuration against {@link trainConfigSchema} (plus finiteness); throws
 * `INVALID_CONFIG` naming the JSON pointer of the first problem.
 */
export function validateTrainConfig(config: unknown): asserts config is TrainConfig {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    const { $schema: _ignored, ...schema } = trainConfigSchema;
    validator = ajv.compile(schema);
  }
  if (!validator(config)) {
    const first = validator.errors?.[0];
    throw new RlvrLoopError("INVALID_CONFIG", `train config: ${first ? describe(first) : "invalid"}`);
  }
  const bad = findNonFinite(config, "");
  if (bad !== null)
    throw new RlvrLoopError("INVALID_CONFIG", `train config: ${bad}: must be a finite number`);
}

function findNonFinite(value: unknown, path: string): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path || "/";
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const r = findNonFinite(v, `${path}/${k}`);
      if (r !== null) return r;
    }
  }
  return null;
}

const NESTED = [
  "advantage",
  "clip",
  "importanceCorrection",
  "offPolicy",
  "kl",
  "optimizer",
  "schedule",
  "online",
  "validation",
  "earlyStopping",
] as const;

/**
 * The complete configuration: `partial` merged over {@link defaultTrainConfig} (nested objects merged
 * member by member, arrays replaced, the featurizer completed by `resolveFeaturizerSpec`), validated.
 * Throws `INVALID_CONFIG` naming the JSON pointer of a bad or unknown member.
 * @param partial - the members to override
 */
export function resolveTrainConfig(partial: PartialTrainConfig = {}): TrainConfig {
  if (typeof partial !== "object" || partial === null || Array.isArray(partial)) {
    throw new RlvrLoopError("INVALID_CONFIG", "resolveTrainConfig: config must be an object");
  }
  const merged: Record<string, unknown> = { ...defaultTrainConfig, ...partial };
  for (const key of NESTED) {
    const value = (partial as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new RlvrLoopError("INVALID_CONFIG", `train config: /${key}: must be an object`);
    }
    merged[key] = { ...(defaultTrainConfig[key] as object), ...value };
  }
  if (partial.featurizer !== undefined) {
    try {
      merged.featurizer = resolveFeaturizerSpec(partial.featurizer);
    } catch (err) {
      throw new RlvrLoopError("INVALID_CONFIG", `train config: /featurizer: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (Array.isArray(merged.actions)) merged.actions = [...(merged.actions as string[])];
  if (merged.rewardWeights !== null && typeof merged.rewardWeights === "object") {
    merged.rewardWeights = { ...(merged.rewardWeights as Record<string, number>) };
  }
  validateTrainConfig(merged);
  return deepFreeze(merged as unknown as TrainConfig);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
