import type { RlvrContext, RlvrDataset, RlvrExample } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer, type Featurizer } from "./featurizer.js";
import type { FeaturizerSpec } from "./featurizer-spec.js";
import { AdamW } from "./internal/adamw.js";
import { type GlmKind, glmObjective, sigmoid } from "./internal/glm.js";
import { GradientBuffer, type SparseRow, scoresInto } from "./internal/linear.js";
import { Scratch } from "./internal/objective.js";
import {
  type LinearSoftmaxPolicy,
  linearPolicyFromParts,
  type Policy,
  policyFromProbabilities,
} from "./policy.js";
import { assertSeed, deriveRng, STREAM_FIT, shuffleInPlace } from "./rng.js";
import { buildTrainingData, type TrainingData } from "./training-data.js";

/** What the models are fitted on: examples, a dataset, or columnar data. */
export type ModelData = RlvrDataset | readonly RlvrExample[] | TrainingData;

/** Options of {@link fitRewardModel} and {@link fitBehaviorModel}. */
export interface FitModelOptions {
  /**
   * Featurizer (or spec). With {@link TrainingData} input it must be the featurizer that built the data.
   * @defaultValue the default featurizer
   */
  readonly featurizer?: Featurizer | Partial<FeaturizerSpec>;
  /**
   * Action list (examples input only; TrainingData carries its own).
   * @defaultValue the sorted actions of the data
   */
  readonly actions?: readonly string[];
  /**
   * Reward components weights (examples input only), as in `TrainConfig.rewardWeights`.
   * @defaultValue undefined (use `reward`)
   */
  readonly rewardWeights?: Readonly<Record<string, number>>;
  /**
   * Passes over the data.
   * @defaultValue 5
   */
  readonly epochs?: number;
  /**
   * Examples per minibatch.
   * @defaultValue 256
   */
  readonly batchSize?: number;
  /**
   * Peak AdamW learning rate (decays linearly to zero over the fit).
   * @defaultValue 0.05
   */
  readonly learningRate?: number;
  /**
   * Decoupled weight decay (an L2 prior; not applied to the bias row).
   * @defaultValue 0.001
   */
  readonly weightDecay?: number;
  /**
   * Seed of the shuffling stream.
   * @defaultValue 0
   */
  readonly seed?: number;
}

/**
 * A per-action logistic regression of the reward: q̂(x, a) = σ(u_a · φ(x)), fitted by
 * {@link fitRewardModel}. It is the direct-method model of the DM and DR estimators, and, acting
 * greedily ({@link greedyPolicy}), the simplest alternative to policy-gradient training.
 */
export interface RewardModel {
  /** Discriminant. */
  readonly kind: "per-action-logistic";
  /** Sorted action list. */
  readonly actions: readonly string[];
  /** The featurizer φ. */
  readonly featurizer: Featurizer;
  /** Weights u, `rows × actions`, feature-row-major like {@link LinearSoftmaxPolicy.weights}. */
  readonly weights: Float64Array;
  /** q̂(x, a) in (0, 1) for every action. */
  predict(context: RlvrContext): Float64Array;
}

interface ResolvedFit {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
}

function resolveFit(options: FitModelOptions, where: string): ResolvedFit {
  const r = {
    epochs: options.epochs ?? 5,
    batchSize: options.batchSize ?? 256,
    learningRate: options.learningRate ?? 0.05,
    weightDecay: options.weightDecay ?? 0.001,
    seed: options.seed ?? 0,
  };
  const check = (ok: boolean, what: string, value: unknown) => {
    if (!ok) throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: ${what}, got ${String(value)}`);
  };
  check(Number.isInteger(r.epochs) && r.epochs >= 1, "epochs must be a positive integer", r.epochs);
  check(
    Number.isInteger(r.batchSize) && r.batchSize >= 1,
    "batchSize must be a positive integer",
    r.batchSize,
  );
  check(
    r.learningRate > 0 && Number.isFinite(r.learningRate),
    "learningRate must be positive",
    r.learningRate,
  );
  check(
    r.weightDecay >= 0 && Number.isFinite(r.weightDecay),
    "weightDecay must be non-negative",
    r.weightDecay,
  );
  assertSeed(r.seed, where);
  return r;
}

function isTrainingData(value: unknown): value is TrainingData {
  return typeof value === "object" && value !== null && (value as TrainingData).offsets instanceof Int32Array;
}

function prepare(
  data: RlvrDataset | readonly RlvrExample[] | TrainingData,
  options: FitModelOptions,
  where: string,
): { data: TrainingData; featurizer: Featurizer } {
  const featurizer =
    typeof options.featurizer === "object" && options.featurizer !== null && "featurize" in options.featurizer
      ? (options.featurizer as Featurizer)
      : createFeaturizer((options.featurizer as Partial<FeaturizerSpec> | undefined) ?? {});
  if (isTrainingData(data)) {
    if (data.rows !== featurizer.rows) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `${where}: the data has ${data.rows} feature rows but the featurizer ${featurizer.rows}; pass the featurizer that built the data`,
      );
    }
    return { data, featurizer };
  }
  return {
    data: buildTrainingData(data, {
      featurizer,
      ...(options.actions ? { actions: options.actions } : {}),
      ...(options.rewardWeights ? { rewardWeights: options.rewardWeights } : {}),
    }),
    featurizer,
  };
}

/**
 * Minibatch AdamW (lazy) on a GLM loss, learning rate decaying linearly to zero; deterministic given
 * the seed.
 * @internal
 */
export function fitGlm(kind: GlmKind, data: TrainingData, fit: ResolvedFit): Float64Array {
  const A = data.actions.length;
  const size = data.rows * A;
  const W = new Float64Array(size);
  const G = new GradientBuffer(data.rows, A);
  const adam = new AdamW({
    rows: data.rows,
    actions: A,
    biasRow: data.rows - 1,
    settings: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: fit.weightDecay, lazy: true },
  });
  const scratch = new Scratch(A);
  const n = data.numExamples;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = deriveRng(fit.seed, STREAM_FIT);
  const total = fit.epochs * Math.ceil(n / fit.batchSize);
  let step = 0;
  for (let epoch = 0; epoch < fit.epochs; epoch++) {
    shuffleInPlace(rng, order);
    for (let start = 0; start < n; start += fit.batchSize) {
      const end = Math.min(n, start + fit.batchSize);
      const loss = glmObjective({ kind, W, G, data, order, start, end, scratch });
      // linear decay to zero: the last iterates average out the minibatch noise
      const lr = (fit.learningRate * (total - step)) / total;
      step++;
      const check = adam.step(W, G, { learningRate: lr, gradientScale: 1 });
      if (!Number.isFinite(loss) || check !== 0) {
        throw new RlvrLoopError(
          "DIVERGED",
          `fitting the ${kind === "logistic" ? "reward" : "behavior"} model diverged: non-finite ${check !== 0 ? "weights" : "loss"} in epoch ${epoch + 1}; lower the learning rate or rescale numeric features`,
        );
      }
    }
  }
  return W;
}

/**
 * Fit a per-action logistic regression of the reward on the logged (context, action, reward) triples.
 * @param data - examples, a dataset, or columnar data
 * @param options - featurizer and optimisation settings
 */
export function fitRewardModel(data: ModelData, options: FitModelOptions = {}): RewardModel {
  const { actions, featurizer, weights } = fitModel("logistic", data, options);
  const A = actions.length;
  return Object.freeze({
    kind: "per-action-logistic" as const,
    actions: Object.freeze([...actions]),
    featurizer,
    weights,
    predict(context: RlvrContext): Float64Array {
      const f = featurizer.featurize(context);
      const out = new Float64Array(A);
      scoresInto(weights, { indices: f.indices, values: f.values, start: 0, end: f.indices.length }, out);
      for (let a = 0; a < A; a++) out[a] = sigmoid(out[a]!);
      return out;
    },
  });
}

/** The weights of a GLM of `kind` fitted on `data`, with the data's actions and the featurizer. */
function fitModel(
  kind: GlmKind,
  data: ModelData,
  options: FitModelOptions,
): { actions: readonly string[]; featurizer: Featurizer; weights: Float64Array } {
  const what = kind === "logistic" ? "reward model options" : "behavior model options";
  const fit = resolveFit(options, what);
  const prepared = prepare(data, options, what);
  const weights = fitGlm(kind, prepared.data, fit);
  return { actions: prepared.data.actions, featurizer: prepared.featurizer, weights };
}

/** q̂(x_i, a) = σ(u_a · φ(x_i)) for every example and action of columnar data, n × A. */
export function predictRewards(weights: Float64Array, data: TrainingData): Float64Array {
  const A = data.actions.length;
  const n = data.numExamples;
  const out = new Float64Array(n * A);
  const z = new Float64Array(A);
  const row: SparseRow = { indices: data.indices, values: data.values, start: 0, end: 0 };
  for (let i = 0; i < n; i++) {
    row.start = data.offsets[i]!;
    row.end = data.offsets[i + 1]!;
    scoresInto(weights, row, z);
    for (let a = 0; a < A; a++) out[i * A + a] = sigmoid(z[a]!);
  }
  return out;
}

/**
 * The deterministic policy that takes the action with the highest predicted reward (ties: the first
 * in the sorted action list), among the allowed ones.
 * @param model - a fitted reward model
 */
export function greedyPolicy(model: RewardModel): Policy {
  return policyFromProbabilities(model.actions, (context, mask) => {
    const q = model.predict(context);
    let best = -1;
    for (let a = 0; a < q.length; a++) {
      if ((mask === null || mask[a] === 1) && (best < 0 || q[a]! > q[best]!)) best = a;
    }
    const p = new Float64Array(q.length);
    p[best] = 1;
    return p;
  });
}

/**
 * Fit a log-linear softmax model of the behavior policy (maximum likelihood of the actions taken),
 * used to estimate behavior probabilities when the logs do not carry them (`data` and `options` as
 * for {@link fitRewardModel}).
 */
export function fitBehaviorModel(data: ModelData, options: FitModelOptions = {}): LinearSoftmaxPolicy {
  const { actions, featurizer, weights } = fitModel("multinomial", data, options);
  return linearPolicyFromParts(actions, featurizer, weights);
}
