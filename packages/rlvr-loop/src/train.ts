import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import {
  type PartialTrainConfig,
  resolveTrainConfig,
  type TrainConfig,
  type ValidationMetric,
} from "./config.js";
import type { Environment, EnvironmentTask } from "./environment.js";
import { RlvrLoopError, TrainingDivergedError } from "./errors.js";
import { type Nuisance, nuisance, validationEstimate } from "./evaluation.js";
import { compareCodeUnits, createFeaturizer, type Featurizer } from "./featurizer.js";
import { sameFeaturizerSpec } from "./featurizer-spec.js";
import { AdamW } from "./internal/adamw.js";
import { type BatchStats, prepareBatch } from "./internal/advantages.js";
import { ExactEvaluator } from "./internal/exact.js";
import { GradientBuffer, logSoftmaxInto, scoresInto } from "./internal/linear.js";
import {
  type ObjectiveSums,
  objective,
  type Reference,
  type RoundBuffers,
  Scratch,
} from "./internal/objective.js";
import { learningRateAt } from "./internal/schedule.js";
import { buildMask, type LinearSoftmaxPolicy, linearPolicyFromParts } from "./policy.js";
import {
  deriveRng,
  STREAM_ACTIONS,
  STREAM_ENVIRONMENT,
  STREAM_SHUFFLE,
  STREAM_TASKS,
  sampleIndex,
  shuffleInPlace,
} from "./rng.js";
import { buildTrainingData, ColumnarBuilder, examplesOf, type TrainingData } from "./training-data.js";

/** Logged data plus an optional validation split. */
export interface OfflineTrainingSource {
  /** The training examples. */
  readonly train: RlvrDataset | readonly RlvrExample[] | TrainingData;
  /** Held-out examples for the per-epoch validation metric and early stopping. */
  readonly validation?: RlvrDataset | readonly RlvrExample[] | TrainingData;
}

/** An environment to train against online. */
export interface OnlineTrainingSource {
  /** The environment: tasks are sampled from it, actions from the policy, rewards from its verifier. */
  readonly environment: Environment;
}

/**
 * What {@link train} learns from: logged examples (a dataset, an array, or columnar
 * {@link TrainingData}), logged examples with a validation split, or an environment (online).
 */
export type TrainingSource =
  | RlvrDataset
  | readonly RlvrExample[]
  | TrainingData
  | OfflineTrainingSource
  | OnlineTrainingSource;

/** Metrics of one optimizer step (names follow TRL's GRPO trainer where the concept is the same). */
export interface StepMetrics {
  /** 1-based optimizer step. */
  readonly step: number;
  /** 1-based epoch. */
  readonly epoch: number;
  /** Mean reward of the minibatch. */
  readonly reward: number;
  /** Mean over groups of the within-group sample std of rewards. */
  readonly reward_std: number;
  /** Fraction of groups with one example or all-equal rewards. */
  readonly frac_reward_zero_std: number;
  /** Mean KL term (exact KL or k3, as configured) to the reference policy. */
  readonly kl: number;
  /** Mean entropy of π_θ(·|x). */
  readonly entropy: number;
  /** Fraction of examples with A < 0 and ρ < 1 − ε_low. */
  readonly "clip_ratio/low_mean": number;
  /** Fraction of examples with A > 0 and ρ > 1 + ε_high. */
  readonly "clip_ratio/high_mean": number;
  /** Fraction of examples clipped on either side. */
  readonly "clip_ratio/region_mean": number;
  /** Global gradient norm before clipping. */
  readonly grad_norm: number;
  /** Learning rate of this step. */
  readonly learning_rate: number;
  /** Minibatch loss before the step. */
  readonly loss: number;
  /** Examples in the minibatch. */
  readonly num_examples: number;
  /** Groups in the minibatch. */
  readonly num_groups: number;
}

/** Metrics of one epoch: means of its step metrics, plus validation. */
export interface EpochMetrics {
  /** 1-based epoch. */
  readonly epoch: number;
  /** Optimizer steps in the epoch. */
  readonly steps: number;
  /** Examples used (each minibatch counted once, whatever μ). */
  readonly examples: number;
  /** Mean of the steps' `reward`. */
  readonly reward: number;
  /** Mean of the steps' `reward_std`. */
  readonly reward_std: number;
  /** Mean of the steps' `frac_reward_zero_std`. */
  readonly frac_reward_zero_std: number;
  /** Mean of the steps' `kl`. */
  readonly kl: number;
  /** Mean of the steps' `entropy`. */
  readonly entropy: number;
  /** Mean of the steps' `clip_ratio/region_mean`. */
  readonly "clip_ratio/region_mean": number;
  /** Mean of the steps' `grad_norm`. */
  readonly grad_norm: number;
  /** Mean of the steps' `loss`. */
  readonly loss: number;
  /** Learning rate of the epoch's last step. */
  readonly learning_rate: number;
  /** Validation metric after the epoch (null without validation). */
  readonly validation: number | null;
}

/** A metrics event streamed to {@link TrainHooks.onMetrics}. */
export type MetricsEvent =
  | { readonly type: "step"; readonly metrics: StepMetrics }
  | { readonly type: "epoch"; readonly metrics: EpochMetrics };

/** Hooks and extra inputs of {@link train}. */
export interface TrainHooks {
  /**
   * Called synchronously after every step and every epoch (the CLI progress bar uses it); an error it
   * throws stops training and rejects `train`.
   * @defaultValue undefined
   */
  readonly onMetrics?: (event: MetricsEvent) => void;
  /**
   * Aborts training; `train` then rejects with an `ABORTED` {@link RlvrLoopError} whose `cause` is the
   * signal's reason. Checked before every step.
   * @defaultValue undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Start from this policy (same actions and featurizer) instead of zero weights.
   * @defaultValue undefined (zero weights: the uniform policy)
   */
  readonly initialPolicy?: LinearSoftmaxPolicy;
  /**
   * Reference policy π_ref of the KL term.
   * @defaultValue the initial policy (uniform for zero weights)
   */
  readonly referencePolicy?: LinearSoftmaxPolicy;
}

/** Why training stopped. */
export type StopReason = "completed" | "early_stopping" | "collapse";

/** Result of {@link train}. */
export interface TrainingResult {
  /** The trained policy. */
  readonly policy: LinearSoftmaxPolicy;
  /** The complete configuration used. */
  readonly config: TrainConfig;
  /** `offline` (logged examples) or `online` (environment). */
  readonly mode: "offline" | "online";
  /** Metrics of every optimizer step. */
  readonly steps: readonly StepMetrics[];
  /** Metrics of every epoch. */
  readonly epochs: readonly EpochMetrics[];
  /** Why training stopped. */
  readonly stopReason: StopReason;
  /** The validation metric used (null: none). */
  readonly validationMetric: Exclude<ValidationMetric, "auto" | "none"> | null;
  /** Epoch with the best validation value (null without validation). */
  readonly bestEpoch: number | null;
  /** Best validation value (null without validation). */
  readonly bestValidation: number | null;
  /** Whether the returned weights are those of `bestEpoch` rather than of the last epoch. */
  readonly restoredBest: boolean;
  /** Optimizer steps taken. */
  readonly totalSteps: number;
  /** Optimizer steps planned (for the schedule). */
  readonly plannedSteps: number;
  /** Examples used (each minibatch counted once). */
  readonly examplesProcessed: number;
  /** Whether the truncated importance correction was applied (see `importanceCorrection.enabled`). */
  readonly importanceCorrection: boolean;
  /**
   * The offline objective used (`offPolicy.target` resolved): `grpo`, `dm` or `dr` (always `grpo` online).
   */
  readonly target: "grpo" | "dm" | "dr";
  /**
   * Sources of the nuisance models of `dm`/`dr` (`behavior`: `logged`, `cross-fitted` or `none` for
   * `dm`; `rewardModel`: `cross-fitted`), null for `grpo`.
   */
  readonly targetModels: {
    readonly behavior: string;
    readonly rewardModel: string;
    readonly folds: number;
  } | null;
  /** The degenerate-group policy in force (also in `config`), stated for the job record. */
  readonly degenerateGroups: TrainConfig["advantage"]["degenerateGroups"];
  /** Source of the validation nuisance models (null without off-policy validation). */
  readonly validationModels: { readonly behavior: string; readonly rewardModel: string } | null;
  /** Size of the training data (offline) or of the data generated (online). */
  readonly data: {
    readonly numExamples: number;
    readonly numGroups: number;
    readonly actions: readonly string[];
    readonly rows: number;
    readonly nonZeros: number;
  };
}

function isTrainingData(value: unknown): value is TrainingData {
  return typeof value === "object" && value !== null && (value as TrainingData).offsets instanceof Int32Array;
}

function isOnline(value: unknown): value is OnlineTrainingSource {
  return typeof value === "object" && value !== null && "environment" in value;
}

function isOffline(value: unknown): value is OfflineTrainingSource {
  return typeof value === "object" && value !== null && "train" in value && !Array.isArray(value);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function abortError(signal: AbortSignal): RlvrLoopError {
  return new RlvrLoopError("ABORTED", "train: aborted", { cause: signal.reason });
}

function toData(
  source: RlvrDataset | readonly RlvrExample[] | TrainingData,
  featurizer: Featurizer,
  actions: readonly string[] | null,
  config: TrainConfig,
  what: string,
): TrainingData {
  if (isTrainingData(source)) {
    if (source.rows !== featurizer.rows) {
      throw new RlvrLoopError(
        "INVALID_DATA",
        `train: ${what} data has ${source.rows} feature rows but config.featurizer gives ${featurizer.rows}`,
      );
    }
    if (
      actions !== null &&
      (actions.length !== source.actions.length || actions.some((a, i) => a !== source.actions[i]))
    ) {
      throw new RlvrLoopError(
        "INVALID_DATA",
        `train: ${what} data actions differ from the configured actions`,
      );
    }
    return source;
  }
  return buildTrainingData(examplesOf(source), {
    featurizer,
    ...(actions !== null ? { actions } : {}),
    ...(config.rewardWeights !== null ? { rewardWeights: config.rewardWeights } : {}),
  });
}

function checkCompatible(
  policy: LinearSoftmaxPolicy,
  actions: readonly string[],
  featurizer: Featurizer,
  what: string,
): void {
  if (policy.actions.length !== actions.length || policy.actions.some((a, i) => a !== actions[i])) {
    throw new RlvrLoopError(
      "INCOMPATIBLE_POLICY",
      `train: the ${what} policy's actions differ from the training actions`,
    );
  }
  if (!sameFeaturizerSpec(policy.featurizer.spec, featurizer.spec)) {
    throw new RlvrLoopError(
      "INCOMPATIBLE_POLICY",
      `train: the ${what} policy's featurizer differs from config.featurizer`,
    );
  }
}

const STEP_KEYS = [
  "reward",
  "reward_std",
  "frac_reward_zero_std",
  "kl",
  "entropy",
  "clip_ratio/region_mean",
  "grad_norm",
  "loss",
] as const;

/**
 * Train a log-linear softmax policy with the GRPO-family objective (docs/algorithms.md §2), offline from
 * logged groups or online against an environment. Deterministic: the same data, configuration and seed
 * give bit-identical weights and metrics. Rejects with a {@link TrainingDivergedError} when the loss,
 * gradient or weights become non-finite, and with an `ABORTED` error when `hooks.signal` aborts.
 * @param source - logged examples (optionally with a validation split) or an environment
 * @param config - partial configuration, completed by {@link resolveTrainConfig}
 * @param hooks - metrics callback, abort signal, initial and reference policies
 */
export async function train(
  source: TrainingSource,
  config: PartialTrainConfig = {},
  hooks: TrainHooks = {},
): Promise<TrainingResult> {
  const cfg = resolveTrainConfig(config);
  const signal = hooks.signal;
  if (signal?.aborted) throw abortError(signal);
  const featurizer = createFeaturizer(cfg.featurizer);
  const online = isOnline(source);
  const env = online ? source.environment : null;

  // ---- data and actions
  let data: TrainingData | null = null;
  let validationData: TrainingData | null = null;
  let actions: readonly string[];
  if (env !== null) {
    if (typeof env.sample !== "function" || typeof env.verify !== "function" || !Array.isArray(env.actions)) {
      throw new RlvrLoopError("INVALID_ARGUMENT", "train: environment must have actions, sample and verify");
    }
    actions = env.actions;
    if (cfg.actions !== null) {
      const sorted = [...cfg.actions].sort(compareCodeUnits);
      if (sorted.length !== actions.length || sorted.some((a, i) => a !== actions[i])) {
        throw new RlvrLoopError(
          "INVALID_CONFIG",
          "train: config.actions differ from the environment's actions",
        );
      }
    }
  } else {
    const offline = isOffline(source)
      ? source
      : { train: source as RlvrDataset | readonly RlvrExample[] | TrainingData };
    data = toData(offline.train, featurizer, cfg.actions, cfg, "training");
    actions = data.actions;
    if (offline.validation !== undefined)
      validationData = toData(offline.validation, featurizer, actions, cfg, "validation");
  }
  const A = actions.length;
  const rows = featurizer.rows;
  const size = rows * A;

  // ---- parameters
  const W = new Float64Array(size);
  if (hooks.initialPolicy !== undefined) {
    checkCompatible(hooks.initialPolicy, actions, featurizer, "initial");
    W.set(hooks.initialPolicy.weights);
  }
  let reference: Reference = { kind: "uniform" };
  const refPolicy = hooks.referencePolicy ?? hooks.initialPolicy;
  if (refPolicy !== undefined) {
    checkCompatible(refPolicy, actions, featurizer, "reference");
    if (refPolicy.weights.some((w) => w !== 0))
      reference = { kind: "weights", weights: refPolicy.weights.slice() };
  }
  const G = new GradientBuffer(rows, A);
  const adam = new AdamW(rows, A, featurizer.biasIndex, cfg.optimizer);
  const scratch = new Scratch(A);
  const settings = {
    epsilonLow: cfg.clip.epsilonLow,
    epsilonHigh: cfg.clip.epsilonHigh,
    beta: cfg.kl.beta,
    klEstimator: cfg.kl.estimator,
    entropyCoef: cfg.entropyCoef,
  };
  let correctionCap: number | null = null;
  if (cfg.importanceCorrection.enabled !== false) {
    let missing = -1;
    if (data !== null) {
      const probs = data.behaviorProbs;
      for (let i = 0; i < data.numExamples && missing < 0; i++)
        if (probs === null || Number.isNaN(probs[i]!)) missing = i;
    }
    if (missing >= 0 && cfg.importanceCorrection.enabled === true) {
      const id = data?.sourceIndex ? data.sourceIndex[missing] : missing;
      throw new RlvrLoopError(
        "INVALID_DATA",
        `train: importanceCorrection.enabled needs a behaviorProb on every training example (missing at example ${id})`,
      );
    }
    if (missing < 0) correctionCap = cfg.importanceCorrection.cap;
  }
  const mu = cfg.innerIterations;

  // ---- offline target: grpo, or a model-based (dm) / doubly robust (dr) policy gradient
  const requestedTarget = cfg.offPolicy.target;
  if (env !== null && (requestedTarget === "dm" || requestedTarget === "dr")) {
    throw new RlvrLoopError(
      "INVALID_CONFIG",
      `train: offPolicy.target "${requestedTarget}" is for logged data (offline); online training uses grpo`,
    );
  }
  const target: TrainingResult["target"] =
    env !== null ? "grpo" : requestedTarget === "auto" ? AUTO_OFFLINE_TARGET : requestedTarget;
  let targetModels: TrainingResult["targetModels"] = null;
  let qhatTrain: Float64Array | null = null;
  let targetPropensity: Float64Array | null = null;
  if (target !== "grpo" && data !== null) {
    const models = offPolicyModels(data, cfg, target === "dr");
    qhatTrain = models.qhat;
    targetPropensity = target === "dr" ? models.propensity : null;
    targetModels = {
      behavior: target === "dr" ? models.behaviorSource : "none",
      rewardModel: models.rewardModelSource,
      folds: Math.min(cfg.offPolicy.folds, data.numGroups),
    };
    // dm: no residual term; dr: the residual is weighted by c_i = min(c̄, π_old/μ_i)
    correctionCap = target === "dr" ? cfg.importanceCorrection.cap : null;
  }
  const advantageSettings =
    target === "grpo" ? cfg.advantage : { ...cfg.advantage, degenerateGroups: "zero" as const };

  // ---- validation
  let metric: TrainingResult["validationMetric"] = null;
  let exact: ExactEvaluator | null = null;
  let nuis: Nuisance | null = null;
  let piBuffer: Float64Array | null = null;
  const requested = cfg.validation.metric;
  if (env !== null) {
    const hasExact = typeof env.contexts === "function" && typeof env.expectedRewards === "function";
    if (requested === "exact_value" || (requested === "auto" && hasExact)) {
      exact = new ExactEvaluator(env, featurizer, actions);
      metric = "exact_value";
    } else if (requested !== "auto" && requested !== "none") {
      throw new RlvrLoopError(
        "INVALID_CONFIG",
        `train: validation.metric "${requested}" needs logged validation data (offline mode)`,
      );
    }
  } else if (validationData !== null && requested !== "none") {
    if (requested === "exact_value") {
      throw new RlvrLoopError(
        "INVALID_CONFIG",
        'train: validation.metric "exact_value" needs an environment (online mode)',
      );
    }
    const allLogged = validationData.behaviorProbs?.every((p) => !Number.isNaN(p));
    metric = requested === "auto" ? (allLogged ? "snips" : "dr") : requested;
    nuis = nuisance(validationData, {
      behavior: "auto",
      training: data,
      fit: { epochs: 5, batchSize: 256, learningRate: 0.05, weightDecay: 0.001, seed: cfg.seed },
      minPropensity: 0.001,
      folds: 2,
      seed: cfg.seed,
      needQhat: metric === "dm" || metric === "dr",
    });
    piBuffer = new Float64Array(validationData.numExamples * A);
  } else if (requested !== "auto" && requested !== "none") {
    throw new RlvrLoopError(
      "INVALID_CONFIG",
      `train: validation.metric "${requested}" needs validation data`,
    );
  }
  // entropy of the policy's mean action distribution on validation, H(mean_x π(·|x)) (collapse check)
  let marginalEntropy: number | null = null;
  const validate = (): number | null => {
    if (exact !== null) return exact.value(W);
    if (nuis !== null && validationData !== null && metric !== null && metric !== "exact_value") {
      const value = validationEstimate(W, validationData, nuis, metric, piBuffer!);
      marginalEntropy = meanDistributionEntropy(piBuffer!, validationData.numExamples, A);
      return value;
    }
    return null;
  };

  // ---- planned steps
  const tasks = cfg.online.tasksPerRound;
  const minibatchesPerUnit =
    env !== null
      ? cfg.online.roundsPerEpoch * Math.ceil(tasks / cfg.minibatchGroups)
      : Math.ceil(data!.numGroups / cfg.minibatchGroups);
  const plannedSteps = cfg.epochs * minibatchesPerUnit * mu;

  // ---- state
  const steps: StepMetrics[] = [];
  const epochs: EpochMetrics[] = [];
  let step = 0;
  let epoch = 0;
  let examplesProcessed = 0;
  const sums: ObjectiveSums = { examples: 0, kl: 0, entropy: 0, lowClipped: 0, highClipped: 0 };
  let buffers: RoundBuffers = makeBuffers(data !== null ? data.numExamples : tasks * cfg.online.groupSize);
  let included = new Int32Array(Math.max(cfg.minibatchGroups, 1));

  const update = async (d: TrainingData, groups: Int32Array, gStart: number, gEnd: number): Promise<void> => {
    if (buffers.kappa.length < d.numExamples) buffers = makeBuffers(d.numExamples);
    if (included.length < gEnd - gStart) included = new Int32Array(gEnd - gStart);
    const stats: BatchStats = prepareBatch(
      d,
      groups,
      gStart,
      gEnd,
      advantageSettings,
      cfg.lossAggregation,
      buffers.advantages,
      buffers.kappa,
      included,
    );
    if (qhatTrain !== null) residualAdvantages(d, included, stats.includedGroups, qhatTrain, target, buffers);
    examplesProcessed += stats.numExamples;
    for (let it = 0; it < mu; it++) {
      if (signal?.aborted) throw abortError(signal);
      step++;
      const lr = learningRateAt(cfg.optimizer.learningRate, cfg.schedule, step, plannedSteps);
      G.clear();
      sums.examples = 0;
      sums.kl = 0;
      sums.entropy = 0;
      sums.lowClipped = 0;
      sums.highClipped = 0;
      const loss = objective(
        W,
        G,
        d,
        included,
        stats.includedGroups,
        buffers,
        settings,
        reference,
        { recordOld: it === 0, correctionCap, propensity: targetPropensity },
        sums,
        scratch,
      );
      if (!Number.isFinite(loss))
        throw new TrainingDivergedError({ step, epoch, metric: "loss", value: loss });
      const norm = G.norm();
      if (!Number.isFinite(norm))
        throw new TrainingDivergedError({ step, epoch, metric: "grad_norm", value: norm });
      const maxNorm = cfg.optimizer.maxGradNorm;
      const clipCoef = maxNorm === null ? 1 : maxNorm / (norm + 1e-6);
      const check = adam.step(W, G, lr, Math.min(clipCoef, 1));
      if (check !== 0) {
        let bad = Number.NaN;
        for (let i = 0; i < W.length; i++) {
          if (!Number.isFinite(W[i]!)) {
            bad = W[i]!;
            break;
          }
        }
        throw new TrainingDivergedError({ step, epoch, metric: "weights", value: bad });
      }
      const count = sums.examples;
      const metrics: StepMetrics = {
        step,
        epoch,
        reward: stats.reward,
        reward_std: stats.rewardStd,
        frac_reward_zero_std: stats.fracZeroStd,
        kl: count > 0 ? sums.kl / count : 0,
        entropy: count > 0 ? sums.entropy / count : 0,
        "clip_ratio/low_mean": count > 0 ? sums.lowClipped / count : 0,
        "clip_ratio/high_mean": count > 0 ? sums.highClipped / count : 0,
        "clip_ratio/region_mean": count > 0 ? (sums.lowClipped + sums.highClipped) / count : 0,
        grad_norm: norm,
        learning_rate: lr,
        loss,
        num_examples: stats.numExamples,
        num_groups: stats.numGroups,
      };
      steps.push(metrics);
      hooks.onMetrics?.({ type: "step", metrics });
      if (step % 32 === 0) {
        await yieldToEventLoop();
        if (signal?.aborted) throw abortError(signal);
      }
    }
  };

  // ---- online machinery
  let builder: ColumnarBuilder | null = null;
  let onlineExamples = 0;
  let onlineGroups = 0;
  let onlineNnz = 0;
  const taskRng = deriveRng(cfg.seed, STREAM_TASKS);
  const actionRng = deriveRng(cfg.seed, STREAM_ACTIONS);
  const envRng = deriveRng(cfg.seed, STREAM_ENVIRONMENT);
  const shuffleRng = deriveRng(cfg.seed, STREAM_SHUFFLE);
  const actionIndexOf = new Map(actions.map((a, i) => [a, i]));
  const maskBuffer = new Uint8Array(A);
  const z = new Float64Array(A);
  const lp = new Float64Array(A);
  const p = new Float64Array(A);
  const roundGroups = new Int32Array(tasks);
  for (let g = 0; g < tasks; g++) roundGroups[g] = g;

  const onlineRound = async (environment: Environment): Promise<void> => {
    builder ??= new ColumnarBuilder(actions, featurizer);
    builder.reset();
    for (let t = 0; t < tasks; t++) {
      const task: EnvironmentTask = environment.sample(taskRng);
      builder.beginGroup();
      builder.setContext(task.context);
      const f = builder.currentFeatures();
      const m = buildMask(task.allowedActions, actionIndexOf, maskBuffer, "train (online)");
      scoresInto(W, A, f.indices, f.values, 0, f.length, z);
      logSoftmaxInto(z, A, m, 0, lp, p);
      for (let k = 0; k < cfg.online.groupSize; k++) {
        const a = sampleIndex(actionRng, p, A);
        const outcome = environment.verify(task, actions[a]!, envRng);
        const r = cfg.rewardWeights === null ? outcome.reward : weighted(outcome.rewards, cfg.rewardWeights);
        if (!Number.isFinite(r)) {
          throw new RlvrLoopError(
            "INVALID_DATA",
            `train (online): the environment returned a non-finite reward for task ${task.id}`,
          );
        }
        builder.addExample(a, r, p[a]!, 1, m);
      }
    }
    const d = builder.finish(false);
    onlineExamples += d.numExamples;
    onlineGroups += d.numGroups;
    onlineNnz += d.indices.length;
    for (let s = 0; s < tasks; s += cfg.minibatchGroups)
      await update(d, roundGroups, s, Math.min(tasks, s + cfg.minibatchGroups));
  };

  // ---- epochs
  let best: number | null = null;
  let bestEpoch: number | null = null;
  let bestWeights: Float64Array | null = null;
  let sinceBest = 0;
  let stopReason: StopReason = "completed";
  const order = data !== null ? new Int32Array(data.numGroups) : new Int32Array(0);
  for (let g = 0; g < order.length; g++) order[g] = g;

  for (epoch = 1; epoch <= cfg.epochs; epoch++) {
    const firstStep = steps.length;
    const examplesBefore = examplesProcessed;
    if (env !== null) {
      for (let round = 0; round < cfg.online.roundsPerEpoch; round++) await onlineRound(env);
    } else {
      const d = data!;
      if (cfg.shuffle) shuffleInPlace(shuffleRng, order);
      for (let s = 0; s < d.numGroups; s += cfg.minibatchGroups)
        await update(d, order, s, Math.min(d.numGroups, s + cfg.minibatchGroups));
    }
    const validation = validate();
    const epochSteps = steps.slice(firstStep);
    const mean = (key: (typeof STEP_KEYS)[number]): number =>
      epochSteps.length === 0 ? 0 : epochSteps.reduce((acc, m) => acc + m[key], 0) / epochSteps.length;
    const em: EpochMetrics = {
      epoch,
      steps: epochSteps.length,
      examples: examplesProcessed - examplesBefore,
      reward: mean("reward"),
      reward_std: mean("reward_std"),
      frac_reward_zero_std: mean("frac_reward_zero_std"),
      kl: mean("kl"),
      entropy: mean("entropy"),
      "clip_ratio/region_mean": mean("clip_ratio/region_mean"),
      grad_norm: mean("grad_norm"),
      loss: mean("loss"),
      learning_rate: epochSteps.at(-1)?.learning_rate ?? 0,
      validation,
    };
    epochs.push(em);
    hooks.onMetrics?.({ type: "epoch", metrics: em });
    if (validation !== null) {
      if (best === null || validation > best + cfg.earlyStopping.minDelta) {
        best = validation;
        bestEpoch = epoch;
        sinceBest = 0;
        if (cfg.earlyStopping.restoreBest) bestWeights = W.slice();
      } else {
        sinceBest++;
        if (
          marginalEntropy !== null &&
          marginalEntropy < cfg.earlyStopping.collapseEntropy &&
          validation < best - cfg.earlyStopping.minDelta
        ) {
          stopReason = "collapse";
          break;
        }
        if (cfg.earlyStopping.patience !== null && sinceBest >= cfg.earlyStopping.patience) {
          stopReason = "early_stopping";
          break;
        }
      }
    }
  }
  let restoredBest = false;
  if (bestWeights !== null && bestEpoch !== epochs.length) {
    W.set(bestWeights);
    restoredBest = true;
  }
  const policy = linearPolicyFromParts(actions, featurizer, W);
  return {
    policy,
    config: cfg,
    mode: env !== null ? "online" : "offline",
    steps,
    epochs,
    stopReason,
    validationMetric: metric,
    bestEpoch,
    bestValidation: best,
    restoredBest,
    totalSteps: step,
    plannedSteps,
    examplesProcessed,
    importanceCorrection: correctionCap !== null,
    target,
    targetModels,
    degenerateGroups: cfg.advantage.degenerateGroups,
    validationModels:
      nuis !== null ? { behavior: nuis.behaviorSource, rewardModel: nuis.rewardModelSource } : null,
    data:
      data !== null
        ? {
            numExamples: data.numExamples,
            numGroups: data.numGroups,
            actions,
            rows,
            nonZeros: data.indices.length,
          }
        : { numExamples: onlineExamples, numGroups: onlineGroups, actions, rows, nonZeros: onlineNnz },
  };
}

function weighted(
  rewards: Readonly<Record<string, number>> | undefined,
  weights: Readonly<Record<string, number>>,
): number {
  let r = 0;
  for (const name of Object.keys(weights).sort(compareCodeUnits)) {
    const v = rewards?.[name];
    if (typeof v !== "number") {
      throw new RlvrLoopError(
        "INVALID_DATA",
        `train (online): the environment's outcome has no reward component ${JSON.stringify(name)}`,
      );
    }
    r += weights[name]! * v;
  }
  return r;
}

/**
 * The objective `offPolicy.target: "auto"` picks offline, with or without logged propensities (chosen
 * by measurement, see docs/rlvr-loop.md "Learning without propensities").
 */
const AUTO_OFFLINE_TARGET = "dm" as const;

/** Cross-fitted nuisance models of the training data, cached per data object and settings. */
const modelCache = new WeakMap<TrainingData, Map<string, Nuisance>>();

function offPolicyModels(data: TrainingData, cfg: TrainConfig, needPropensity: boolean): Nuisance {
  const { folds, minPropensity, modelEpochs } = cfg.offPolicy;
  const key = `${folds}|${minPropensity}|${modelEpochs}|${needPropensity}`;
  let perData = modelCache.get(data);
  if (perData === undefined) {
    perData = new Map();
    modelCache.set(data, perData);
  }
  let models = perData.get(key);
  if (models === undefined) {
    // the models are a function of the data alone (fixed seed), so every trial on the same data shares them
    models = nuisance(data, {
      behavior: "auto",
      training: null,
      fit: { epochs: modelEpochs, batchSize: 256, learningRate: 0.05, weightDecay: 0.001, seed: 0 },
      minPropensity,
      folds: Math.min(folds, data.numGroups),
      seed: 0,
      needQhat: true,
      needPropensity,
    });
    perData.set(key, models);
  }
  return models;
}

/**
 * Advantages of the model-based targets for the included groups: `dr` A_i = r_i − r̂(x_i, a_i) (the
 * residual the doubly robust gradient weights by c_i), `dm` A_i = 0 (the model term alone).
 */
function residualAdvantages(
  d: TrainingData,
  included: Int32Array,
  count: number,
  qhat: Float64Array,
  target: "grpo" | "dm" | "dr",
  buffers: RoundBuffers,
): void {
  const A = d.actions.length;
  buffers.qhat = qhat;
  for (let q = 0; q < count; q++) {
    const g = included[q]!;
    for (let i = d.groupOffsets[g]!; i < d.groupOffsets[g + 1]!; i++)
      buffers.advantages[i] = target === "dr" ? d.rewards[i]! - qhat[i * A + d.actionIndex[i]!]! : 0;
  }
}

/** H(p̄) of the mean p̄_a = (1/n) Σ_i π(a|x_i) of n rows of probabilities (row-major, |A| per row). */
function meanDistributionEntropy(pi: Float64Array, n: number, A: number): number {
  const mean = new Float64Array(A);
  for (let i = 0; i < n; i++) for (let a = 0; a < A; a++) mean[a] = mean[a]! + pi[i * A + a]!;
  let h = 0;
  for (let a = 0; a < A; a++) {
    const p = mean[a]! / n;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

function makeBuffers(n: number): RoundBuffers {
  return {
    advantages: new Float64Array(n),
    kappa: new Float64Array(n),
    oldLogProb: new Float64Array(n),
    correction: new Float64Array(n),
    qhat: null,
  };
}
