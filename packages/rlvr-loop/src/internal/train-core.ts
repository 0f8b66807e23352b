// What online and offline training share: the parameters and their checks, the minibatch update (μ
// optimizer steps of the GRPO-family objective, docs/algorithms.md §2), the epoch loop with
// validation, early stopping and collapse detection, and the result. train-offline.ts and
// train-online.ts decide only where the minibatches come from and how validation is computed.
import type { TrainConfig } from "../config-schema.js";
import { RlvrLoopError, TrainingDivergedError } from "../errors.js";
import type { Featurizer } from "../featurizer.js";
import { sameFeaturizerSpec } from "../featurizer-spec.js";
import { type LinearSoftmaxPolicy, linearPolicyFromParts } from "../policy.js";
import type { EpochMetrics, StepMetrics, StopReason, TrainHooks, TrainingResult } from "../train.js";
import type { TrainingData } from "../training-data.js";
import { AdamW } from "./adamw.js";
import { type AdvantageSettings, type BatchStats, prepareBatch } from "./advantages.js";
import { createKernels, type Kernels } from "./kernels.js";
import type { GradientBuffer } from "./linear.js";
import { type ObjectiveSums, objective, type Reference, type RoundBuffers, Scratch } from "./objective.js";
import { learningRateAt } from "./schedule.js";

/** What both modes are trained with. */
export interface TrainerContext {
  /** The resolved configuration. */
  readonly cfg: TrainConfig;
  /** The policy's featurizer. */
  readonly featurizer: Featurizer;
  /** The sorted action list. */
  readonly actions: readonly string[];
  /** Metrics callback, abort signal, initial and reference policies. */
  readonly hooks: TrainHooks;
}

/** The `ABORTED` error of an aborted signal (its reason as the cause). */
export function abortError(signal: AbortSignal): RlvrLoopError {
  return new RlvrLoopError("ABORTED", "training was aborted", { cause: signal.reason });
}

function checkCompatible(
  policy: LinearSoftmaxPolicy,
  ctx: TrainerContext,
  role: "initial" | "reference",
): void {
  const { actions, featurizer } = ctx;
  if (policy.actions.length !== actions.length || policy.actions.some((a, i) => a !== actions[i])) {
    throw new RlvrLoopError(
      "INCOMPATIBLE_POLICY",
      `the ${role} policy's actions ${JSON.stringify(policy.actions)} differ from the training actions ${JSON.stringify(actions)}`,
    );
  }
  if (!sameFeaturizerSpec(policy.featurizer.spec, featurizer.spec)) {
    throw new RlvrLoopError(
      "INCOMPATIBLE_POLICY",
      `the ${role} policy's featurizer differs from the configured one (featurizer in the training configuration)`,
    );
  }
}

/**
 * The starting weights W (null: zeros, allocated by the trainer; or a copy of the initial policy's)
 * and the reference policy of the KL term.
 */
export function initialParameters(ctx: TrainerContext): { W: Float64Array | null; reference: Reference } {
  const { hooks } = ctx;
  let W: Float64Array | null = null;
  if (hooks.initialPolicy !== undefined) {
    checkCompatible(hooks.initialPolicy, ctx, "initial");
    W = hooks.initialPolicy.weights.slice();
  }
  let reference: Reference = { kind: "uniform" };
  const refPolicy = hooks.referencePolicy ?? hooks.initialPolicy;
  if (refPolicy !== undefined) {
    checkCompatible(refPolicy, ctx, "reference");
    if (refPolicy.weights.some((w) => w !== 0))
      reference = { kind: "weights", weights: refPolicy.weights.slice() };
  }
  return { W, reference };
}

/** How a minibatch becomes a loss: the mode's choices. */
export interface UpdateRule {
  /** Advantage settings (model-based targets force `degenerateGroups: "zero"`). */
  readonly advantage: AdvantageSettings;
  /** c̄ of the truncated importance correction; null: no correction (c_i = 1). */
  readonly correctionCap: number | null;
  /** Propensities μ_i of the correction; null: the logged behavior probabilities. */
  readonly propensity: Float64Array | null;
  /** Reward predictions r̂(x_i, a) of the model-based targets (n × |A|); null for `grpo`. */
  readonly qhat: Float64Array | null;
  /** The objective: `grpo`, `dm` or `dr`. */
  readonly target: "grpo" | "dm" | "dr";
}

/** Options of {@link Trainer}. */
export interface TrainerOptions extends TrainerContext {
  /** Starting weights (null: zeros); read the trained ones from `trainer.W`. */
  readonly W: Float64Array | null;
  /** Reference policy of the KL term. */
  readonly reference: Reference;
  /** The mode's choices. */
  readonly rule: UpdateRule;
  /** Optimizer steps planned (for the learning-rate schedule). */
  readonly plannedSteps: number;
  /** Examples per round, to size the per-example buffers. */
  readonly bufferSize: number;
}

/** A minibatch: the groups `groups[start..end)` of `data`. */
export interface Minibatch {
  readonly data: TrainingData;
  readonly groups: Int32Array;
  readonly start: number;
  readonly end: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const makeBuffers = (n: number): RoundBuffers => ({
  advantages: new Float64Array(n),
  kappa: new Float64Array(n),
  oldLogProb: new Float64Array(n),
  correction: new Float64Array(n),
  qhat: null,
});

/**
 * The optimizer state and the minibatch update; counts steps, examples and the current epoch. The
 * weights being trained are `trainer.W` (the starting weights are copied into the kernels' memory
 * when the WebAssembly kernels are used): read them there, not in the array passed in.
 */
export class Trainer {
  readonly W: Float64Array;
  readonly steps: StepMetrics[] = [];
  step = 0;
  /** 1-based epoch in progress (set by {@link runEpochs}). */
  epoch = 0;
  examplesProcessed = 0;
  readonly plannedSteps: number;
  private readonly o: TrainerOptions;
  private readonly G: GradientBuffer;
  private readonly kernels: Kernels;
  private readonly adam: AdamW;
  private readonly scratch: Scratch;
  private readonly sums: ObjectiveSums = { examples: 0, kl: 0, entropy: 0, lowClipped: 0, highClipped: 0 };
  private buffers: RoundBuffers;
  private included: Int32Array;

  constructor(o: TrainerOptions) {
    const { cfg, featurizer, actions } = o;
    this.o = o;
    this.plannedSteps = o.plannedSteps;
    const A = actions.length;
    this.kernels = createKernels(featurizer.rows, A, o.W);
    this.W = this.kernels.W;
    this.G = this.kernels.G;
    this.adam = new AdamW({
      rows: featurizer.rows,
      actions: A,
      biasRow: featurizer.biasIndex,
      settings: cfg.optimizer,
      moments: this.kernels.moments,
      lazyKernel: this.kernels.lazyAdam,
    });
    this.scratch = new Scratch(A);
    this.buffers = makeBuffers(o.bufferSize);
    this.included = new Int32Array(Math.max(cfg.minibatchGroups, 1));
  }

  /** The trained weights in an array of their own (a copy when they live in WebAssembly memory). */
  ownWeights(): Float64Array {
    return this.kernels.ownWeights(!this.o.cfg.optimizer.lazy);
  }

  /** One minibatch: advantages and aggregation weights, then μ optimizer steps against the same π_old. */
  async update(batch: Minibatch): Promise<void> {
    const { cfg, hooks, rule } = this.o;
    const d = batch.data;
    const signal = hooks.signal;
    if (this.buffers.kappa.length < d.numExamples) this.buffers = makeBuffers(d.numExamples);
    if (this.included.length < batch.end - batch.start)
      this.included = new Int32Array(batch.end - batch.start);
    const buffers = this.buffers;
    const stats: BatchStats = prepareBatch(
      { ...batch, settings: rule.advantage, aggregation: cfg.lossAggregation },
      { advantages: buffers.advantages, kappa: buffers.kappa, included: this.included },
    );
    if (rule.qhat !== null) this.residualAdvantages(d, stats.includedGroups);
    this.examplesProcessed += stats.numExamples;
    for (let it = 0; it < cfg.innerIterations; it++) {
      if (signal?.aborted) throw abortError(signal);
      this.optimizerStep(batch, stats, it === 0);
      if (this.step % 32 === 0) {
        await yieldToEventLoop();
        if (signal?.aborted) throw abortError(signal);
      }
    }
  }

  /**
   * Advantages of the model-based targets for the `count` included groups: `dr` A_i = r_i − r̂(x_i, a_i)
   * (the residual the doubly robust gradient weights by c_i), `dm` A_i = 0 (the model term alone).
   */
  private residualAdvantages(d: TrainingData, count: number): void {
    const { rule } = this.o;
    const { buffers, included } = this;
    const A = d.actions.length;
    const qhat = rule.qhat!;
    buffers.qhat = qhat;
    for (let q = 0; q < count; q++) {
      const g = included[q]!;
      for (let i = d.groupOffsets[g]!; i < d.groupOffsets[g + 1]!; i++)
        buffers.advantages[i] = rule.target === "dr" ? d.rewards[i]! - qhat[i * A + d.actionIndex[i]!]! : 0;
    }
  }

  private optimizerStep(batch: Minibatch, stats: BatchStats, recordOld: boolean): void {
    const { cfg, hooks, rule, reference } = this.o;
    const { G, W, sums } = this;
    const step = ++this.step;
    const epoch = this.epoch;
    const lr = learningRateAt(
      { peak: cfg.optimizer.learningRate, schedule: cfg.schedule, totalSteps: this.plannedSteps },
      step,
    );
    G.clear();
    sums.examples = 0;
    sums.kl = 0;
    sums.entropy = 0;
    sums.lowClipped = 0;
    sums.highClipped = 0;
    const loss = objective(
      {
        W,
        G,
        data: batch.data,
        groups: this.included,
        count: stats.includedGroups,
        round: this.buffers,
        settings: {
          epsilonLow: cfg.clip.epsilonLow,
          epsilonHigh: cfg.clip.epsilonHigh,
          beta: cfg.kl.beta,
          klEstimator: cfg.kl.estimator,
          entropyCoef: cfg.entropyCoef,
        },
        reference,
        mode: { recordOld, correctionCap: rule.correctionCap, propensity: rule.propensity },
        scratch: this.scratch,
        kernels: this.kernels,
      },
      sums,
    );
    if (!Number.isFinite(loss)) throw new TrainingDivergedError({ step, epoch, metric: "loss", value: loss });
    const norm = G.norm();
    if (!Number.isFinite(norm))
      throw new TrainingDivergedError({ step, epoch, metric: "grad_norm", value: norm });
    const maxNorm = cfg.optimizer.maxGradNorm;
    const clipCoef = maxNorm === null ? 1 : maxNorm / (norm + 1e-6);
    if (this.adam.step(W, G, { learningRate: lr, gradientScale: Math.min(clipCoef, 1) }) !== 0) {
      const bad = W.find((w) => !Number.isFinite(w)) ?? Number.NaN;
      throw new TrainingDivergedError({ step, epoch, metric: "weights", value: bad });
    }
    const count = sums.examples;
    const mean = (sum: number): number => (count > 0 ? sum / count : 0);
    const metrics: StepMetrics = {
      step,
      epoch,
      reward: stats.reward,
      reward_std: stats.rewardStd,
      frac_reward_zero_std: stats.fracZeroStd,
      kl: mean(sums.kl),
      entropy: mean(sums.entropy),
      "clip_ratio/low_mean": mean(sums.lowClipped),
      "clip_ratio/high_mean": mean(sums.highClipped),
      "clip_ratio/region_mean": mean(sums.lowClipped + sums.highClipped),
      grad_norm: norm,
      learning_rate: lr,
      loss,
      num_examples: stats.numExamples,
      num_groups: stats.numGroups,
    };
    this.steps.push(metrics);
    hooks.onMetrics?.({ type: "step", metrics });
  }
}

/** The validation of one epoch: the metric (null without validation) and, offline, H(mean_x π(·|x)). */
export interface EpochValidation {
  readonly value: number | null;
  readonly marginalEntropy: number | null;
}

/** Options of {@link runEpochs}. */
export interface EpochLoop {
  readonly trainer: Trainer;
  readonly cfg: TrainConfig;
  readonly hooks: TrainHooks;
  /** One epoch of minibatch updates. */
  readonly runEpoch: () => Promise<void>;
  /** Validation after an epoch. */
  readonly validate: () => EpochValidation;
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

/** What the epoch loop decided. */
export interface EpochsOutcome {
  readonly epochs: readonly EpochMetrics[];
  readonly stopReason: StopReason;
  readonly best: number | null;
  readonly bestEpoch: number | null;
  readonly restoredBest: boolean;
}

/**
 * Up to `cfg.epochs` epochs with validation after each: early stopping after `patience` epochs
 * without an improvement above `minDelta`, collapse detection, and the best validated weights
 * restored into `trainer.W` (with `restoreBest`) when they are not the last.
 */
export async function runEpochs(loop: EpochLoop): Promise<EpochsOutcome> {
  const { trainer, cfg, hooks } = loop;
  const { steps, W } = trainer;
  const epochs: EpochMetrics[] = [];
  let best: number | null = null;
  let bestEpoch: number | null = null;
  let bestWeights: Float64Array | null = null;
  let sinceBest = 0;
  let stopReason: StopReason = "completed";
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    trainer.epoch = epoch;
    const firstStep = steps.length;
    const examplesBefore = trainer.examplesProcessed;
    await loop.runEpoch();
    const { value: validation, marginalEntropy } = loop.validate();
    const epochSteps = steps.slice(firstStep);
    const mean = (key: (typeof STEP_KEYS)[number]): number =>
      epochSteps.length === 0 ? 0 : epochSteps.reduce((acc, m) => acc + m[key], 0) / epochSteps.length;
    const em: EpochMetrics = {
      epoch,
      steps: epochSteps.length,
      examples: trainer.examplesProcessed - examplesBefore,
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
    if (validation === null) continue;
    if (best === null || validation > best + cfg.earlyStopping.minDelta) {
      best = validation;
      bestEpoch = epoch;
      sinceBest = 0;
      if (cfg.earlyStopping.restoreBest) bestWeights = W.slice();
      continue;
    }
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
  let restoredBest = false;
  if (bestWeights !== null && bestEpoch !== epochs.length) {
    W.set(bestWeights);
    restoredBest = true;
  }
  return { epochs, stopReason, best, bestEpoch, restoredBest };
}

/** Options of {@link trainingResult}: what the mode knows besides the trainer and the epochs. */
export interface ResultParts {
  readonly ctx: TrainerContext;
  readonly trainer: Trainer;
  readonly outcome: EpochsOutcome;
  readonly mode: TrainingResult["mode"];
  readonly validationMetric: TrainingResult["validationMetric"];
  readonly rule: UpdateRule;
  readonly targetModels: TrainingResult["targetModels"];
  readonly validationModels: TrainingResult["validationModels"];
  readonly data: { readonly numExamples: number; readonly numGroups: number; readonly nonZeros: number };
}

/** The {@link TrainingResult} (members in their documented order). */
export function trainingResult(parts: ResultParts): TrainingResult {
  const { ctx, trainer, outcome, rule, data } = parts;
  const { cfg, actions, featurizer } = ctx;
  return {
    policy: linearPolicyFromParts(actions, featurizer, trainer.ownWeights()),
    config: cfg,
    mode: parts.mode,
    steps: trainer.steps,
    epochs: outcome.epochs,
    stopReason: outcome.stopReason,
    validationMetric: parts.validationMetric,
    bestEpoch: outcome.bestEpoch,
    bestValidation: outcome.best,
    restoredBest: outcome.restoredBest,
    totalSteps: trainer.step,
    plannedSteps: trainer.plannedSteps,
    examplesProcessed: trainer.examplesProcessed,
    importanceCorrection: rule.correctionCap !== null,
    target: rule.target,
    targetModels: parts.targetModels,
    degenerateGroups: cfg.advantage.degenerateGroups,
    validationModels: parts.validationModels,
    data: {
      numExamples: data.numExamples,
      numGroups: data.numGroups,
      actions,
      rows: featurizer.rows,
      nonZeros: data.nonZeros,
    },
  };
}
