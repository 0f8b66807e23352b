import type { TrainingData } from "../training-data.js";
import { type ChunkKernels, JsChunkKernels } from "./kernels.js";
import type { GradientBuffer, Softmax, SparseRow } from "./linear.js";
import { scoresInto } from "./linear.js";
import { maskedSoftmaxRow, type SoftmaxRows, softmaxRow } from "./softmax.js";

/** Coefficients of the per-example loss (see docs/algorithms.md §2 and docs/rlvr-loop.md). */
export interface ObjectiveSettings {
  readonly epsilonLow: number;
  readonly epsilonHigh: number;
  /** KL coefficient β (0 = no KL term in the loss; the `kl` metric is still computed). */
  readonly beta: number;
  readonly klEstimator: "exact" | "k3";
  /** Entropy bonus coefficient α (the loss gets −α H). */
  readonly entropyCoef: number;
}

/** The reference policy of the KL term: uniform over the allowed actions, or log-linear weights. */
export type Reference =
  | { readonly kind: "uniform" }
  | { readonly kind: "weights"; readonly weights: Float64Array };

/** Per-example state of an update round, indexed by example. */
export interface RoundBuffers {
  advantages: Float64Array;
  kappa: Float64Array;
  /** log π_old(a_i | x_i), the policy the round started from. */
  oldLogProb: Float64Array;
  /** Truncated importance correction c_i (1 when disabled). */
  correction: Float64Array;
  /**
   * Reward-model predictions r̂(x_i, a) of every action (example-major, n × |A|) for the model-based
   * targets (`dm`, `dr`): the loss gets −Σ_a π(a|x_i) r̂(x_i, a) per example; null for GRPO.
   */
  qhat: Float64Array | null;
}

/** Sums over the examples of a minibatch, for the step metrics. */
export interface ObjectiveSums {
  examples: number;
  kl: number;
  entropy: number;
  lowClipped: number;
  highClipped: number;
}

/** Scratch vectors of length |A|, allocated once: softmax rows, ∂ℓ/∂z. */
export class Scratch {
  /** Scores z, log-probabilities and probabilities of a policy (the reward models' fits, glm.ts). */
  readonly policy: Softmax;
  /** Scores z, log-probabilities and probabilities of the reference policy π_ref (one row). */
  readonly reference: SoftmaxRows;
  /** ∂ℓ/∂z of the current context. */
  readonly dz: Float64Array;
  /** The examples of the chunk being evaluated, in order (grows as needed). */
  examples: Int32Array = new Int32Array(256);
  /** `examples` index of each context's first example (one more entry than contexts). */
  readonly firstExample: Int32Array;
  /** The JavaScript kernels, used when the input names none. */
  readonly kernels: ChunkKernels;
  constructor(A: number) {
    this.policy = { z: new Float64Array(A), lp: new Float64Array(A), p: new Float64Array(A) };
    const one = (): Float64Array => new Float64Array(1);
    this.reference = {
      z: new Float64Array(A),
      lp: new Float64Array(A),
      p: new Float64Array(A),
      entropy: one(),
      kl: one(),
    };
    this.dz = new Float64Array(A);
    this.kernels = new JsChunkKernels(A);
    this.firstExample = new Int32Array(this.kernels.maxContexts + 1);
  }
}

/**
 * When `recordOld` is set, the round starts here: θ_old = θ, so log π_old is recorded from this very
 * forward pass (ratio ρ = 1) together with the truncated correction c_i = min(c̄, π_old(a_i)/μ_i)
 * (`correctionCap` = c̄; null disables the correction and sets c_i = 1).
 */
export interface RoundMode {
  readonly recordOld: boolean;
  readonly correctionCap: number | null;
  /** Propensities μ_i of the correction; null = the logged `behaviorProbs`. */
  readonly propensity?: Float64Array | null;
}

/** What {@link objective} evaluates: the weights, the minibatch's included groups and the settings. */
export interface ObjectiveInput {
  /** Weights W (rows × |A|). */
  readonly W: Float64Array;
  /** Where the gradient is added; null: the loss alone. */
  readonly G: GradientBuffer | null;
  readonly data: TrainingData;
  /** The included groups are `groups[0..count)`. */
  readonly groups: Int32Array;
  readonly count: number;
  readonly round: RoundBuffers;
  readonly settings: ObjectiveSettings;
  readonly reference: Reference;
  readonly mode: RoundMode;
  readonly scratch: Scratch;
  /** Scoring and scatter kernels; default: the JavaScript ones of `scratch`. */
  readonly kernels?: ChunkKernels;
}

/**
 * Loss L = Σ_i κ_i ℓ_i of the included groups `groups[0..count)`, and, when `G` is given, its
 * gradient with respect to W added into G; the step metrics are added into `sums`. Per example:
 * ℓ_i = c_i · (−min(ρ_i A_i, clip(ρ_i, 1−ε_low, 1+ε_high) A_i)) + β KL_i − α H_i.
 * Examples with κ_i = 0 are skipped; consecutive examples of a group marked `sameContext` share one
 * context (scored once, one gradient row). Contexts go through the kernels in chunks: score the
 * chunk, the per-example terms in order, scatter the chunk; W does not change during the call, so
 * the chunking changes no result.
 */
export function objective(input: ObjectiveInput, sums: ObjectiveSums): number {
  const { data, groups, count, scratch } = input;
  const { offsets, groupOffsets, sameContext } = data;
  const kappa = input.round.kappa;
  const kernels = input.kernels ?? scratch.kernels;
  const chunk = kernels.chunk;
  const first = scratch.firstExample;
  const state: ChunkState = { loss: 0, listed: 0 };
  chunk.count = 0;
  chunk.nonZeros = 0;
  let scored = false;
  for (let qg = 0; qg < count; qg++) {
    const g = groups[qg]!;
    const gEnd = groupOffsets[g + 1]!;
    for (let i = groupOffsets[g]!; i < gEnd; i++) {
      if (kappa[i]! === 0) continue;
      const reuse = sameContext !== null && sameContext[i] === 1 && scored && i > groupOffsets[g]!;
      if (!reuse) {
        const start = offsets[i]!;
        const end = offsets[i + 1]!;
        const nnz = end - start;
        if (
          chunk.count === kernels.maxContexts ||
          (chunk.count > 0 && chunk.nonZeros + nnz > kernels.maxNonZeros)
        ) {
          first[chunk.count] = state.listed;
          evaluateChunk(input, kernels, state, sums);
        }
        chunk.start[chunk.count] = start;
        chunk.end[chunk.count] = end;
        chunk.nonZeros += nnz;
        first[chunk.count++] = state.listed;
        scored = true;
      }
      if (state.listed === scratch.examples.length) {
        const grown = new Int32Array(2 * state.listed);
        grown.set(scratch.examples);
        scratch.examples = grown;
      }
      scratch.examples[state.listed++] = i;
    }
  }
  first[chunk.count] = state.listed;
  if (chunk.count > 0) evaluateChunk(input, kernels, state, sums);
  return state.loss;
}

/** The running loss and the number of examples listed in the current chunk. */
interface ChunkState {
  loss: number;
  listed: number;
}

/**
 * Scores the chunk's contexts, adds the loss and the metrics of their examples (in order) and, with
 * a gradient buffer, scatters ∂L/∂z of each context; empties the chunk.
 */
function evaluateChunk(
  input: ObjectiveInput,
  kernels: ChunkKernels,
  state: ChunkState,
  sums: ObjectiveSums,
): void {
  const { W, G, data, round, settings, reference, mode, scratch } = input;
  const A = data.actions.length;
  const { offsets, actionIndex, indices, values } = data;
  const mask = data.allowedMask;
  const mu = mode.propensity ?? data.behaviorProbs;
  const { advantages, kappa, oldLogProb, correction, qhat } = round;
  const { epsilonLow, epsilonHigh, beta, entropyCoef } = settings;
  const exactKl = settings.klEstimator === "exact";
  const refW = reference.kind === "weights" ? reference.weights : null;
  const lo = 1 - epsilonLow;
  const hi = 1 + epsilonHigh;
  const lq = scratch.reference.lp;
  const dz = scratch.dz;
  const chunk = kernels.chunk;
  const { lp, p } = chunk;
  const examples = scratch.examples;
  const first = scratch.firstExample;
  const row: SparseRow = { indices, values, start: 0, end: 0 };
  const recordOld = mode.recordOld;
  const cap = mode.correctionCap;
  const bExact = exactKl ? beta : 0;
  // without the KL, entropy and model terms ∂ℓ/∂z_b is −dLp π_b (+ dLp at the taken action)
  const plain = bExact === 0 && entropyCoef === 0 && qhat === null;
  // the sums are accumulated in locals (same additions, same order) and stored at the end
  let loss = state.loss;
  let sumKl = sums.kl;
  let sumEntropy = sums.entropy;
  let sumExamples = sums.examples;
  let lowClipped = sums.lowClipped;
  let highClipped = sums.highClipped;
  const uniformLq = -Math.log(A);
  if (refW === null && mask === null) lq.fill(uniformLq);
  kernels.score(W, data);
  if (mask === null) kernels.softmax(uniformLq);

  for (let c = 0; c < chunk.count; c++) {
    const i0 = examples[first[c]!]!;
    const mo = i0 * A;
    const co = c * A;
    dz.fill(0);
    let entropy: number;
    if (mask === null) {
      entropy = chunk.entropy[c]!;
    } else {
      maskedSoftmaxRow(chunk, c, A, mask, mo);
      entropy = 0;
      for (let b = 0; b < A; b++) if (p[co + b]! > 0) entropy -= p[co + b]! * lp[co + b]!;
    }
    if (refW !== null) {
      row.start = offsets[i0]!;
      row.end = offsets[i0 + 1]!;
      scoresInto(refW, row, scratch.reference.z);
      if (mask === null) softmaxRow(scratch.reference, 0, A, uniformLq);
      else maskedSoftmaxRow(scratch.reference, 0, A, mask, mo);
    } else if (mask !== null) {
      let allowed = 0;
      for (let b = 0; b < A; b++) allowed += mask[mo + b]!;
      const l = -Math.log(allowed);
      for (let b = 0; b < A; b++) lq[b] = mask[mo + b] === 1 ? l : Number.NEGATIVE_INFINITY;
    }
    let klContext = 0;
    if (exactKl) {
      if (refW === null && mask === null) klContext = chunk.kl[c]!;
      else for (let b = 0; b < A; b++) if (p[co + b]! > 0) klContext += p[co + b]! * (lp[co + b]! - lq[b]!);
    }
    for (let e = first[c]!; e < first[c + 1]!; e++) {
      const i = examples[e]!;
      const k = kappa[i]!;
      const a = actionIndex[i]!;
      const lpa = lp[co + a]!;
      if (recordOld) {
        oldLogProb[i] = lpa;
        let ci = 1;
        if (cap !== null && mu !== null) {
          const m = mu[i]!;
          if (!Number.isNaN(m)) ci = Math.min(cap, Math.exp(lpa) / m);
        }
        correction[i] = ci;
      }
      const adv = advantages[i]!;
      const ci = correction[i]!;
      const ratio = recordOld ? 1 : Math.exp(lpa - oldLogProb[i]!); // exp(0) = 1 when θ_old = θ
      let surrogate = 0;
      let dLp = 0; // ∂ℓ/∂ log π(a_i)
      if (adv !== 0) {
        const s1 = ratio * adv;
        const clipped = ratio < lo ? lo : Math.min(ratio, hi);
        const s2 = clipped * adv;
        if (s1 <= s2) {
          surrogate = -s1;
          dLp = -ci * s1;
        } else {
          surrogate = -s2;
        }
        if (adv < 0 && ratio < lo) lowClipped++;
        if (adv > 0 && ratio > hi) highClipped++;
      }
      let kl: number;
      if (exactKl) {
        kl = klContext;
      } else {
        const d = lq[a]! - lpa;
        const ed = Math.exp(d);
        kl = ed - d - 1;
        dLp += beta * (1 - ed);
      }
      // model-based value of the context: V̂_i = Σ_a π(a|x_i) r̂(x_i, a), ∂(−V̂_i)/∂z_b = −π_b (r̂_b − V̂_i)
      let dmValue = 0;
      const qo = i * A;
      if (qhat !== null)
        for (let b = 0; b < A; b++) if (p[co + b]! > 0) dmValue += p[co + b]! * qhat[qo + b]!;
      loss += k * (ci * surrogate + beta * kl - entropyCoef * entropy - dmValue);
      sumKl += kl;
      sumEntropy += entropy;
      sumExamples++;
      if (G !== null) {
        // ∂ℓ/∂z_b = dLp (1[b=a] − π_b) + β_exact π_b((lp_b − lq_b) − KL) + α π_b (lp_b + H)
        if (plain) for (let b = 0; b < A; b++) dz[b] = dz[b]! + k * (-dLp * p[co + b]!);
        else
          for (let b = 0; b < A; b++) {
            const pb = p[co + b]!;
            let gz = -dLp * pb;
            if (pb > 0)
              gz +=
                bExact * pb * (lp[co + b]! - lq[b]! - klContext) + entropyCoef * pb * (lp[co + b]! + entropy);
            if (qhat !== null && pb > 0) gz -= pb * (qhat[qo + b]! - dmValue);
            dz[b] = dz[b]! + k * gz;
          }
        dz[a] = dz[a]! + k * dLp;
      }
    }
    if (G !== null) for (let b = 0; b < A; b++) chunk.dz[co + b] = dz[b]!;
  }
  if (G !== null) kernels.scatter(G, data);
  state.loss = loss;
  state.listed = 0;
  chunk.count = 0;
  chunk.nonZeros = 0;
  sums.kl = sumKl;
  sums.entropy = sumEntropy;
  sums.examples = sumExamples;
  sums.lowClipped = lowClipped;
  sums.highClipped = highClipped;
}
