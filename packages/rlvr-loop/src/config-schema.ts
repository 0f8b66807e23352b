// The one definition of the training configuration and of the featurizer spec: TypeBox schemas
// giving each member's type, range, default (`default`) and meaning (`description`). Their static
// types are derived here; their JSON Schema is the file `config-schema.generated.ts`, written from
// these definitions by `pnpm --filter @rlvr/rlvr-loop run generate-schema` (a test fails when it is
// out of date), so that loading the package does not load TypeBox (measured: importing TypeBox takes
// 0.3–0.5 s here, about as long as the rest of the package; every tuning worker thread would pay it).
// Runtime modules import this file for types only; the defaults are read from the JSON Schema.
import { type Static, type TSchema, Type } from "typebox";

const nonNegative = (value: number, description: string) =>
  Type.Number({ minimum: 0, default: value, description });
const positive = (value: number, description: string) =>
  Type.Number({ exclusiveMinimum: 0, default: value, description });
const positiveInt = (value: number, description: string) =>
  Type.Integer({ minimum: 1, default: value, description });
const unitOpen = (value: number, description: string) =>
  Type.Number({ minimum: 0, exclusiveMaximum: 1, default: value, description });
const section = <P extends Parameters<typeof Type.Object>[0]>(description: string, properties: P) =>
  Type.Object(properties, { additionalProperties: false, description });
const oneOf = <V extends string[]>(values: readonly [...V], value: V[number], description: string) =>
  Type.Enum(values, { default: value, description });

/** Largest number of hash buckets D. */
const MAX_DIMENSION = 1 << 26;

/** The featurizer spec (the key scheme is documented at `FeaturizerSpec` in featurizer-spec.ts). */
export const featurizerSpecDefinition = Type.Object(
  {
    kind: Type.Literal("hashing", {
      default: "hashing",
      description: "Featurizer family; only `hashing` exists.",
    }),
    version: Type.Literal(1, {
      default: 1,
      description: "Version of the key scheme; bumped if it ever changes.",
    }),
    dimension: Type.Integer({
      minimum: 1,
      maximum: MAX_DIMENSION,
      default: 262144,
      description: "Number of hash buckets D (the policy has D + 1 feature rows including the bias).",
    }),
    seed: Type.Integer({
      minimum: 0,
      maximum: 4294967295,
      default: 0,
      description: "Seed of the hash function (changes which keys collide).",
    }),
    features: Type.Boolean({ default: true, description: "Use the named `features` of the context." }),
    unigrams: Type.Boolean({ default: true, description: "Use word unigrams of the prompt." }),
    bigrams: Type.Boolean({ default: true, description: "Use word bigrams of the prompt." }),
    lowercase: Type.Boolean({
      default: true,
      description: "Lower-case the prompt before splitting it into words (locale independent).",
    }),
    crosses: Type.Array(Type.Tuple([Type.String(), Type.String()]), {
      default: [],
      description: "Pairs of feature names whose combination becomes a feature of its own.",
    }),
    numeric: oneOf(
      ["identity", "signed_log1p"],
      "identity",
      "Transform of numeric feature values: `identity` or sign(v) · ln(1 + |v|).",
    ),
  },
  { additionalProperties: false, description: "A hashing featurizer (stored in checkpoints)." },
);

const AdvantageSchema = section(
  "How advantages A_i are formed from the rewards of a group (docs/algorithms.md §2).",
  {
    baseline: oneOf(
      ["group", "rloo"],
      "group",
      "Baseline b_i: `group` = mean reward of the group (GRPO); `rloo` = mean of the other examples of the group.",
    ),
    scale: oneOf(
      ["group", "batch", "none"],
      "group",
      "Scaling s: `group` = sample std of the group + ε (GRPO); `batch` = std of the minibatch + ε; `none` = 1 (Dr. GRPO).",
    ),
    epsilon: nonNegative(1e-4, "ε added to the standard deviation."),
    degenerateGroups: oneOf(
      ["zero", "drop", "batch_mean"],
      "batch_mean",
      "Groups without a group signal (one example, or all rewards equal): `zero` = advantage 0; `drop` = left out of the loss; `batch_mean` = baseline the minibatch mean, scaled by the minibatch std + ε.",
    ),
  },
);
/** How advantages A_i are formed from the rewards of a group. */
export type AdvantageConfig = Of<typeof AdvantageSchema>;

const ClipSchema = section("PPO-style clipping of the importance ratio ρ = π_θ / π_old.", {
  epsilonLow: unitOpen(0.2, "ε_low: the ratio is clipped below at 1 − ε_low (negative advantages)."),
  epsilonHigh: nonNegative(
    0.2,
    "ε_high: the ratio is clipped above at 1 + ε_high (positive advantages; DAPO's clip higher uses ε_high > ε_low).",
  ),
});
/** PPO-style clipping of the importance ratio. */
export type ClipConfig = Of<typeof ClipSchema>;

const ImportanceCorrectionSchema = section(
  "Truncated importance correction for logged (off-policy) actions.",
  {
    enabled: Type.Union([Type.Boolean(), Type.Literal("auto")], {
      default: "auto",
      description:
        "Multiply each example's clipped surrogate by c_i = min(c̄, π_old(a_i|x_i) / μ_i) with the logged behavior probability μ_i; `true` requires one on every training example, `auto` applies it when every training example has one.",
    }),
    cap: positive(10, "The truncation level c̄ (see docs/rlvr-loop.md for the measurements behind 10)."),
  },
);
/** Truncated importance correction for logged (off-policy) actions. */
export type ImportanceCorrectionConfig = Of<typeof ImportanceCorrectionSchema>;

const OffPolicySchema = section(
  "Offline objective and its nuisance models (docs/rlvr-loop.md, Learning without propensities).",
  {
    target: oneOf(
      ["auto", "grpo", "dm", "dr"],
      "auto",
      "The offline objective: `grpo` = the clipped surrogate of the logged actions; `dm` = the direct method with a cross-fitted reward model; `dr` = doubly robust; `auto` = the measured choice offline, `grpo` online.",
    ),
    folds: Type.Integer({
      minimum: 2,
      maximum: 20,
      default: 10,
      description: "Folds (by group) of the cross-fitted models of `dm`/`dr`.",
    }),
    minPropensity: Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.5,
      default: 0.01,
      description: "Floor of fitted propensities μ̂.",
    }),
    modelEpochs: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 1,
      description: "Epochs of each cross-fitted model.",
    }),
  },
);
/** Offline objective and its nuisance models. */
export type OffPolicyConfig = Of<typeof OffPolicySchema>;
/** The offline objective: `grpo`, `dm` (direct method), `dr` (doubly robust) or `auto`. */
export type OffPolicyTarget = OffPolicyConfig["target"];

const KlSchema = section("KL penalty to the reference policy (the initial policy unless one is given).", {
  beta: nonNegative(
    0,
    "Coefficient β of the KL term in the loss (0: no penalty; the `kl` metric is still reported).",
  ),
  estimator: oneOf(
    ["exact", "k3"],
    "exact",
    "`exact`: KL(π_θ(·|x) ‖ π_ref(·|x)) over the allowed actions; `k3`: exp(Δ) − Δ − 1 at the taken action.",
  ),
});
/** KL penalty to the reference policy. */
export type KlConfig = Of<typeof KlSchema>;

const OptimizerSchema = section("AdamW optimizer and gradient clipping.", {
  learningRate: positive(0.02, "Peak learning rate."),
  beta1: unitOpen(0.9, "β1 (first-moment decay)."),
  beta2: unitOpen(0.999, "β2 (second-moment decay)."),
  epsilon: positive(1e-8, "ε of the Adam denominator."),
  weightDecay: nonNegative(0, "Decoupled weight decay λ (never applied to the bias row)."),
  maxGradNorm: Type.Union([Type.Null(), Type.Number({ exclusiveMinimum: 0 })], {
    default: 1,
    description: "Clip the global gradient norm to this value; null = no clipping.",
  }),
  lazy: Type.Boolean({
    default: true,
    description:
      "Lazy (row-wise) moments: a step updates only the feature rows present in the minibatch (PyTorch SparseAdam semantics).",
  }),
});
/** AdamW optimizer and gradient clipping. */
export type OptimizerConfig = Of<typeof OptimizerSchema>;

const ScheduleSchema = section("Learning-rate schedule over the planned optimizer steps.", {
  kind: oneOf(
    ["constant", "linear", "cosine"],
    "constant",
    "`constant`, `linear` decay or `cosine` decay, after the warm-up.",
  ),
  warmupSteps: Type.Integer({ minimum: 0, default: 0, description: "Linear warm-up steps." }),
  minLearningRateRatio: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description: "Floor of the decay as a fraction of the peak learning rate.",
  }),
});
/** Learning-rate schedule. */
export type ScheduleConfig = Of<typeof ScheduleSchema>;

const OnlineSchema = section("Online training against an environment.", {
  roundsPerEpoch: positiveInt(
    25,
    "Update rounds per epoch (each samples tasks, acts, verifies and updates).",
  ),
  tasksPerRound: positiveInt(32, "Tasks sampled per round (= groups per round)."),
  groupSize: positiveInt(8, "G: actions sampled from the policy per task."),
});
/** Online training against an environment. */
export type OnlineConfig = Of<typeof OnlineSchema>;

const ValidationSchema = section("Validation after every epoch (drives early stopping).", {
  metric: oneOf(
    ["auto", "none", "ips", "snips", "dm", "dr", "exact_value"],
    "auto",
    "Metric after every epoch: an off-policy estimate (`ips`, `snips`, `dm`, `dr`), the environment's `exact_value`, `none`, or `auto` (exact value online when supported, else `snips` when every validation example has a behavior probability, else `dr`).",
  ),
});
/** Validation after every epoch. */
export type ValidationConfig = Of<typeof ValidationSchema>;
/** Metric computed on the validation data after every epoch. */
export type ValidationMetric = ValidationConfig["metric"];

const EarlyStoppingSchema = section("Early stopping on the validation metric (higher is better).", {
  patience: Type.Union([Type.Null(), Type.Integer({ minimum: 1 })], {
    default: null,
    description:
      "Stop after this many epochs without an improvement larger than `minDelta`; null disables early stopping.",
  }),
  minDelta: nonNegative(0, "Smallest increase that counts as an improvement."),
  restoreBest: Type.Boolean({
    default: true,
    description: "Return the weights of the best validated epoch rather than the last.",
  }),
  collapseEntropy: nonNegative(
    0.05,
    "Stop (reason `collapse`) when the entropy of the mean action distribution on validation falls below this many nats while the validation value fell; 0 disables it.",
  ),
});
/** Early stopping on the validation metric. */
export type EarlyStoppingConfig = Of<typeof EarlyStoppingSchema>;

/** A complete training configuration: every member required, unknown members rejected. */
export const trainConfigDefinition = Type.Object(
  {
    seed: Type.Integer({
      minimum: 0,
      maximum: 4294967295,
      default: 0,
      description: "Seed of every random stream (shuffling; online: tasks, actions, tools).",
    }),
    actions: Type.Union(
      [Type.Null(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })],
      {
        default: null,
        description:
          "The action list (sorted on use); null = the sorted actions of the data, or the environment's.",
      },
    ),
    featurizer: featurizerSpecDefinition,
    epochs: positiveInt(
      10,
      "Passes over the training groups (offline) or blocks of `online.roundsPerEpoch` rounds (online).",
    ),
    minibatchGroups: positiveInt(
      64,
      "Groups per minibatch; online, each round's groups are split into minibatches of this size.",
    ),
    innerIterations: positiveInt(
      1,
      "μ: optimizer steps on each minibatch against the same π_old (TRL `num_iterations`).",
    ),
    shuffle: Type.Boolean({ default: true, description: "Shuffle the groups before every epoch (offline)." }),
    advantage: AdvantageSchema,
    clip: ClipSchema,
    importanceCorrection: ImportanceCorrectionSchema,
    offPolicy: OffPolicySchema,
    kl: KlSchema,
    entropyCoef: nonNegative(0, "α of the entropy bonus (the loss gets −α H(π_θ(·|x)))."),
    lossAggregation: oneOf(
      ["grpo", "bnpo", "dr_grpo"],
      "grpo",
      "`grpo`: mean within each group, then over groups; `bnpo`: mean over the minibatch's examples; `dr_grpo`: sum / (groups × largest group size).",
    ),
    rewardWeights: Type.Union(
      [Type.Null(), Type.Record(Type.String(), Type.Number(), { minProperties: 1 })],
      {
        default: null,
        description: "Weights c_k of reward components: r_i = Σ_k c_k rewards_ik; null = use `reward`.",
      },
    ),
    optimizer: OptimizerSchema,
    schedule: ScheduleSchema,
    online: OnlineSchema,
    validation: ValidationSchema,
    earlyStopping: EarlyStoppingSchema,
  },
  {
    additionalProperties: false,
    title: "TrainConfig",
    description: "Complete training configuration of @rlvr/rlvr-loop.",
  },
);

/** The static type of a schema, every member (nested ones too) read-only. */
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;
type Of<S extends TSchema> = Frozen<Static<S>>;

/** Complete training configuration, the static type of {@link trainConfigDefinition}. */
export type TrainConfig = {
  readonly [K in keyof Of<typeof trainConfigDefinition>]: K extends "featurizer"
    ? FeaturizerSpec
    : Of<typeof trainConfigDefinition>[K];
};

/**
 * How numeric feature values enter the feature vector: `identity` keeps the value, `signed_log1p`
 * uses sign(v) · ln(1 + |v|) (tames heavy-tailed counts and durations).
 */
export type NumericTransform = Static<typeof featurizerSpecDefinition>["numeric"];

/**
 * Description of a hashing featurizer. It is stored in checkpoints, so a loaded policy featurizes
 * exactly as the trained one did. Feature keys (hashed with MurmurHash3 x86-32 of their UTF-8 bytes):
 * - string feature `name` with value `v`: key `s:name=v`, value 1;
 * - boolean feature: key `b:name=true` or `b:name=false`, value 1;
 * - numeric feature: key `n:name`, value v (after `numeric`);
 * - prompt word unigram `w`: key `u:w`; bigram of consecutive words `w1 w2`: key `g:w1 w2` (value =
 *   count); words are maximal runs of Unicode letters, marks and digits after NFC normalisation;
 * - cross of two features `[a, b]`: key `x:a=va&b=vb` (value 1) when both are categorical, the numeric
 *   value (or product of values) otherwise;
 * - a bias feature with value 1 at index `dimension` (one extra row, never hashed into).
 * A key lands in bucket `murmur3(key, seed) mod dimension`; colliding keys add their values.
 * Members, ranges and defaults: {@link featurizerSpecDefinition}.
 */
export type FeaturizerSpec = {
  readonly [K in keyof Static<typeof featurizerSpecDefinition>]: K extends "crosses"
    ? readonly (readonly [string, string])[]
    : Static<typeof featurizerSpecDefinition>[K];
};
