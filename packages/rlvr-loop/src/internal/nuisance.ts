// Nuisance models of the off-policy estimators: the behavior probabilities p_i and the reward
// predictions q̂(x_i, a) of evaluated data, logged, fitted on a training split, or cross-fitted by
// group (docs/algorithms.md §3). Used by `evaluate`, the policy scorer and validation in training.
import { RlvrLoopError } from "../errors.js";
import type { ModelSource } from "../evaluation.js";
import { fitGlm, predictRewards } from "../reward-model.js";
import { deriveRng, STREAM_FOLDS, shuffleInPlace } from "../rng.js";
import type { TrainingData } from "../training-data.js";
import { columnarData } from "./columnar.js";
import { groupSums, LinearScorer, linearPolicyProbs, pointEstimates } from "./ope.js";

/** Where {@link behaviorProbsInto} reads the behavior model and which examples it fills. */
interface BehaviorProbsInput {
  /** Weights of the fitted behavior model (log-linear softmax). */
  readonly W: Float64Array;
  readonly data: TrainingData;
  /** Floor of the fitted probabilities. */
  readonly floor: number;
  /** The examples to fill; null: all. */
  readonly rows: Int32Array | null;
}

/** out[i] = max(floor, π_W(a_i | x_i)) for the examples of `input.rows`. */
function behaviorProbsInto(out: Float64Array, input: BehaviorProbsInput): void {
  const { data, floor, rows } = input;
  const scorer = new LinearScorer(input.W, data);
  const n = rows === null ? data.numExamples : rows.length;
  for (let j = 0; j < n; j++) {
    const i = rows === null ? j : rows[j]!;
    out[i] = Math.max(floor, scorer.score(i).p[data.actionIndex[i]!]!);
  }
}

/**
 * The examples `rows` of columnar data, in that order, as data of their own grouped by
 * `groupOffsets` (over the selected rows): features and per-example columns copied.
 */
function selectRows(
  data: TrainingData,
  selection: { rows: Int32Array; groupOffsets: Int32Array },
): TrainingData {
  const { rows, groupOffsets } = selection;
  const A = data.actions.length;
  const n = rows.length;
  const offsets = new Int32Array(n + 1);
  for (let j = 0; j < n; j++)
    offsets[j + 1] = offsets[j]! + data.offsets[rows[j]! + 1]! - data.offsets[rows[j]!]!;
  const indices = new Int32Array(offsets[n]!);
  const values = new Float64Array(offsets[n]!);
  const actionIndex = new Int32Array(n);
  const rewards = new Float64Array(n);
  const weights = data.weights ? new Float64Array(n) : null;
  const allowedMask = data.allowedMask ? new Uint8Array(n * A) : null;
  for (let j = 0; j < n; j++) {
    const i = rows[j]!;
    indices.set(data.indices.subarray(data.offsets[i]!, data.offsets[i + 1]!), offsets[j]!);
    values.set(data.values.subarray(data.offsets[i]!, data.offsets[i + 1]!), offsets[j]!);
    actionIndex[j] = data.actionIndex[i]!;
    rewards[j] = data.rewards[i]!;
    if (weights) weights[j] = data.weights![i]!;
    if (allowedMask) allowedMask.set(data.allowedMask!.subarray(i * A, i * A + A), j * A);
  }
  const { actions } = data;
  return columnarData({
    actions,
    rows: data.rows,
    offsets,
    indices,
    values,
    actionIndex,
    rewards,
    weights,
    allowedMask,
    groupOffsets,
  });
}

/** The groups of columnar data marked in `keep`, as data of their own (the training folds). */
function subsetByGroups(data: TrainingData, keep: Uint8Array): TrainingData {
  const go = data.groupOffsets;
  const rows: number[] = [];
  const groupOffsets = [0];
  for (let g = 0; g < data.numGroups; g++) {
    if (!keep[g]) continue;
    for (let i = go[g]!; i < go[g + 1]!; i++) rows.push(i);
    groupOffsets.push(rows.length);
  }
  return selectRows(data, { rows: Int32Array.from(rows), groupOffsets: Int32Array.from(groupOffsets) });
}

/**
 * Nuisance models of the estimators: propensities p_i (n) and reward predictions q̂ (n × A) for the
 * evaluated data, fitted on a training split or cross-fitted.

 */
export interface Nuisance {
  propensity: Float64Array;
  qhat: Float64Array;
  behaviorSource: Exclude<ModelSource, "provided">;
  rewardModelSource: Exclude<ModelSource, "logged">;
}

/** Options of {@link nuisance}. */
export interface NuisanceOptions {
  behavior: "auto" | "logged" | "fitted";
  training: TrainingData | null;
  fit: { epochs: number; batchSize: number; learningRate: number; weightDecay: number; seed: number };
  minPropensity: number;
  folds: number;
  seed: number;
  needQhat: boolean;
  /** Whether propensities are needed (fitted when not all logged). @defaultValue true */
  needPropensity?: boolean;
}

/** Fit or read the propensities and reward predictions. */
export function nuisance(data: TrainingData, o: NuisanceOptions): Nuisance {
  const n = data.numExamples;
  const A = data.actions.length;
  const allLogged = data.behaviorProbs?.every((p) => !Number.isNaN(p));
  if (o.behavior === "logged" && !allLogged) {
    throw new RlvrLoopError(
      "INVALID_DATA",
      'behavior "logged" needs a behaviorProb on every evaluated example; some have none (use "auto" or "fitted")',
    );
  }
  const useLogged = (o.behavior !== "fitted" && allLogged) || o.needPropensity === false;
  const propensity =
    useLogged && data.behaviorProbs !== null
      ? Float64Array.from(data.behaviorProbs)
      : new Float64Array(n).fill(useLogged ? Number.NaN : 0);
  let qhat: Float64Array = o.needQhat ? new Float64Array(n * A) : new Float64Array(0);
  let behaviorSource: Nuisance["behaviorSource"] = "logged";
  let rewardModelSource: Nuisance["rewardModelSource"] = "provided";
  const fitQ = o.needQhat;
  if (o.training !== null) {
    if (!useLogged) {
      const W = fitGlm("multinomial", o.training, o.fit);
      behaviorProbsInto(propensity, { W, data, floor: o.minPropensity, rows: null });
      behaviorSource = "fitted-on-training";
    }
    if (fitQ) {
      qhat = predictRewards(fitGlm("logistic", o.training, o.fit), data);
      rewardModelSource = "fitted-on-training";
    }
  } else if (!useLogged || fitQ) {
    // cross-fitting: fold of each group from a seeded permutation
    const G = data.numGroups;
    const folds = Math.min(o.folds, G);
    if (folds < 2)
      throw new RlvrLoopError(
        "INVALID_DATA",
        `the evaluated data have ${G} group${G === 1 ? "" : "s"}; fitting the models on the data themselves (cross-fitting) needs at least 2, or give training data`,
      );
    const perm = new Int32Array(G);
    for (let g = 0; g < G; g++) perm[g] = g;
    shuffleInPlace(deriveRng(o.seed, STREAM_FOLDS), perm);
    const foldOf = new Int32Array(G);
    for (let j = 0; j < G; j++) foldOf[perm[j]!] = j % folds;
    for (let f = 0; f < folds; f++) {
      const keep = new Uint8Array(G);
      const rowsList: number[] = [];
      for (let g = 0; g < G; g++) {
        if (foldOf[g] !== f) keep[g] = 1;
        else for (let i = data.groupOffsets[g]!; i < data.groupOffsets[g + 1]!; i++) rowsList.push(i);
      }
      const train = subsetByGroups(data, keep);
      const rows = Int32Array.from(rowsList);
      if (!useLogged) {
        const W = fitGlm("multinomial", train, o.fit);
        behaviorProbsInto(propensity, { W, data, floor: o.minPropensity, rows });
      }
      if (fitQ) {
        const Wq = fitGlm("logistic", train, o.fit);
        const part = predictRewards(
          Wq,
          selectRows(data, { rows, groupOffsets: Int32Array.from([0, rows.length]) }),
        );
        for (let j = 0; j < rows.length; j++) qhat.set(part.subarray(j * A, j * A + A), rows[j]! * A);
      }
    }
    if (!useLogged) behaviorSource = "cross-fitted";
    if (fitQ) rewardModelSource = "cross-fitted";
  }
  return { propensity, qhat, behaviorSource, rewardModelSource };
}

/** What {@link validationEstimate} estimates. */
export interface ValidationInput {
  /** Weights of the log-linear policy. */
  readonly W: Float64Array;
  /** The validation data. */
  readonly data: TrainingData;
  readonly nuisance: Nuisance;
  readonly metric: "ips" | "snips" | "dm" | "dr";
  /** Buffer of π(a|x_i), n × |A| (filled). */
  readonly pi: Float64Array;
}

/** Point estimate of one metric for log-linear weights (validation during training). */
export function validationEstimate(input: ValidationInput): number {
  const { W, data, nuisance: nuis, metric } = input;
  const pi = linearPolicyProbs(W, data, input.pi);
  const qhat = metric === "dm" || metric === "dr" ? nuis.qhat : null;
  const sums = groupSums(data, { pi, propensity: nuis.propensity, qhat, clip: null });
  return pointEstimates(sums)[metric];
}
