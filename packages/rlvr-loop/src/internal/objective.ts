import type { TrainingData } from "../training-data.js";
import {
  type GradientBuffer,
  logSoftmaxInto,
  type Softmax,
  type SparseRow,
  scatterInto,
  scoresInto,
} from "./linear.js";

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

/** Scratch vectors of length |A|, allocated once: the policy's and the reference's softmax, ∂ℓ/∂z. */
export class Scratch {
  /** Scores z, log-probabilities and probabilities of the policy π_θ. */
  readonly policy: Softmax;
  /** The same for the reference policy π_ref. */
  readonly reference: Softmax;
  /** ∂ℓ/∂z of the current context. */
  readonly dz: Float64Array;
  constructor(A: number) {
    this.policy = { z: new Float64Array(A), lp: new Float64Array(A), p: new Float64Array(A) };
    this.reference = { z: new Float64Array(A), lp: new Float64Array(A), p: new Float64Array(A) };
    this.dz = new Float64Array(A);
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
}

/**
 * Loss L = Σ_i κ_i ℓ_i of the included groups `groups[0..count)`, and, when `G` is given, its
 * gradient with respect to W added into G; the step metrics are added into `sums`. Per example:
 * ℓ_i = c_i · (−min(ρ_i A_i, clip(ρ_i, 1−ε_low, 1+ε_high) A_i)) + β KL_i − α H_i.
 */
export function objective(input: ObjectiveInput, sums: ObjectiveSums): number {
  const { W, G, data, groups, count, round, settings, reference, mode, scratch } = input;
  const A = data.actions.length;
  const { offsets, indices, values, actionIndex, groupOffsets, sameContext } = data;
  const mask = data.allowedMask;
  const mu = mode.propensity ?? data.behaviorProbs;
  const { advantages, kappa, oldLogProb, correction, qhat } = round;
  const { epsilonLow, epsilonHigh, beta, entropyCoef } = settings;
  const exactKl = settings.klEstimator === "exact";
  const refW = reference.kind === "weights" ? reference.weights : null;
  const lo = 1 - epsilonLow;
  const hi = 1 + epsilonHigh;
  const { lp, p } = scratch.policy;
  const lq = scratch.reference.lp;
  const dz = scratch.dz;
  // the features of the example being scored, and of the run of examples sharing its context
  const row: SparseRow = { indices, values, start: 0, end: 0 };
  const run: SparseRow = { indices, values, start: 0, end: 0 };
  let loss = 0;
  let entropy = 0;
  let klContext = 0;
  let runStart = -1;
  let runEnd = -1;
  const recordOld = mode.recordOld;
  const cap = mode.correctionCap;
  const bExact = exactKl ? beta : 0;
  // the sums are accumulated in locals (same additions, same order) and stored at the end
  let sumKl = sums.kl;
  let sumEntropy = sums.entropy;
  let sumExamples = sums.examples;
  let lowClipped = sums.lowClipped;
  let highClipped = sums.highClipped;
  if (refW === null && mask === null) lq.fill(-Math.log(A));

  for (let qg = 0; qg < count; qg++) {
    const g = groups[qg]!;
    const gEnd = groupOffsets[g + 1]!;
    for (let i = groupOffsets[g]!; i < gEnd; i++) {
      const k = kappa[i]!;
      if (k === 0) continue;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      const reuse = sameContext !== null && sameContext[i] === 1 && runStart >= 0 && i > groupOffsets[g]!;
      if (!reuse) {
        if (G !== null && runStart >= 0) {
          run.start = runStart;
          run.end = runEnd;
          scatterInto(G, run, dz);
        }
        runStart = start;
        runEnd = end;
        for (let b = 0; b < A; b++) dz[b] = 0;
        const mo = i * A;
        row.start = start;
        row.end = end;
        scoresInto(W, row, scratch.policy.z);
        logSoftmaxInto(scratch.policy, mask, mo);
        entropy = 0;
        for (let b = 0; b < A; b++) if (p[b]! > 0) entropy -= p[b]! * lp[b]!;
        if (refW !== null) {
          scoresInto(refW, row, scratch.reference.z);
          logSoftmaxInto(scratch.reference, mask, mo);
        } else if (mask !== null) {
          let allowed = 0;
          for (let b = 0; b < A; b++) allowed += mask[mo + b]!;
          const l = -Math.log(allowed);
          for (let b = 0; b < A; b++) lq[b] = mask[mo + b] === 1 ? l : Number.NEGATIVE_INFINITY;
        }
        klContext = 0;
        if (exactKl) for (let b = 0; b < A; b++) if (p[b]! > 0) klContext += p[b]! * (lp[b]! - lq[b]!);
        // context-level gradient terms, scaled per example below: store nothing, recomputed per example
      }
      const a = actionIndex[i]!;
      const lpa = lp[a]!;
      if (recordOld) {
        oldLogProb[i] = lpa;
        let c = 1;
        if (cap !== null && mu !== null) {
          const m = mu[i]!;
          if (!Number.isNaN(m)) c = Math.min(cap, Math.exp(lpa) / m);
        }
        correction[i] = c;
      }
      const adv = advantages[i]!;
      const c = correction[i]!;
      const ratio = Math.exp(lpa - oldLogProb[i]!);
      let surrogate = 0;
      let dLp = 0; // ∂ℓ/∂ log π(a_i)
      if (adv !== 0) {
        const s1 = ratio * adv;
        const clipped = ratio < lo ? lo : Math.min(ratio, hi);
        const s2 = clipped * adv;
        if (s1 <= s2) {
          surrogate = -s1;
          dLp = -c * s1;
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
      if (qhat !== null) for (let b = 0; b < A; b++) if (p[b]! > 0) dmValue += p[b]! * qhat[qo + b]!;
      loss += k * (c * surrogate + beta * kl - entropyCoef * entropy - dmValue);
      sumKl += kl;
      sumEntropy += entropy;
      sumExamples++;
      if (G !== null) {
        // ∂ℓ/∂z_b = dLp (1[b=a] − π_b) + β_exact π_b((lp_b − lq_b) − KL) + α π_b (lp_b + H)
        for (let b = 0; b < A; b++) {
          const pb = p[b]!;
          let gz = -dLp * pb;
          if (pb > 0)
            gz += bExact * pb * (lp[b]! - lq[b]! - klContext) + entropyCoef * pb * (lp[b]! + entropy);
          if (qhat !== null && pb > 0) gz -= pb * (qhat[qo + b]! - dmValue);
          dz[b] = dz[b]! + k * gz;
        }
        dz[a] = dz[a]! + k * dLp;
      }
    }
  }
  if (G !== null && runStart >= 0) {
    run.start = runStart;
    run.end = runEnd;
    scatterInto(G, run, dz);
  }
  sums.kl = sumKl;
  sums.entropy = sumEntropy;
  sums.examples = sumExamples;
  sums.lowClipped = lowClipped;
  sums.highClipped = highClipped;
  return loss;
}
