import type { TrainingData } from "../training-data.js";
import { type GradientBuffer, logSoftmaxInto, type SparseRow, scatterInto } from "./linear.js";
import type { Scratch } from "./objective.js";

/** `logistic`: per-action logistic regression of the reward; `multinomial`: softmax model of the action taken. */
export type GlmKind = "logistic" | "multinomial";

/** softplus(z) = log(1 + e^z), without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** σ(z) without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** What {@link glmObjective} evaluates: the model, its weights and a minibatch of examples. */
export interface GlmInput {
  readonly kind: GlmKind;
  readonly W: Float64Array;
  /** Where the gradient is added; null: the loss alone. */
  readonly G: GradientBuffer | null;
  readonly data: TrainingData;
  /** The minibatch is the examples `order[start..end)`. */
  readonly order: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly scratch: Scratch;
}

/**
 * Weighted mean loss over the examples `order[start..end)` and, when G is given, its gradient added
 * into G. `logistic`: ℓ_i = softplus(z_{a_i}) − r_i z_{a_i} (cross-entropy with the reward as a soft
 * label, r in [0, 1]); `multinomial`: ℓ_i = −log π(a_i | x_i).
 */
export function glmObjective(input: GlmInput): number {
  const { kind, W, G, data, order, start, end, scratch } = input;
  const A = data.actions.length;
  const { offsets, indices, values, actionIndex, rewards, weights } = data;
  const mask = data.allowedMask;
  let wsum = 0;
  for (let q = start; q < end; q++) wsum += weights === null ? 1 : weights[order[q]!]!;
  let loss = 0;
  const { z, lp, p } = scratch.policy;
  const dz = scratch.dz;
  const row: SparseRow = { indices, values, start: 0, end: 0 };
  for (let q = start; q < end; q++) {
    const i = order[q]!;
    const k = (weights === null ? 1 : weights[i]!) / wsum;
    const a = actionIndex[i]!;
    const s0 = offsets[i]!;
    const s1 = offsets[i + 1]!;
    if (kind === "logistic") {
      let zi = 0;
      for (let j = s0; j < s1; j++) zi += values[j]! * W[indices[j]! * A + a]!;
      const r = rewards[i]!;
      loss += k * (softplus(zi) - r * zi);
      if (G !== null) {
        const g = k * (sigmoid(zi) - r);
        for (let j = s0; j < s1; j++) {
          const idx = G.slot(indices[j]!) * A + a;
          G.grad[idx] = G.grad[idx]! + g * values[j]!;
        }
      }
    } else {
      for (let b = 0; b < A; b++) z[b] = 0;
      for (let j = s0; j < s1; j++) {
        const base = indices[j]! * A;
        const v = values[j]!;
        for (let b = 0; b < A; b++) z[b] = z[b]! + v * W[base + b]!;
      }
      logSoftmaxInto(scratch.policy, mask, i * A);
      loss -= k * lp[a]!;
      if (G !== null) {
        for (let b = 0; b < A; b++) dz[b] = k * p[b]!;
        dz[a] = dz[a]! - k;
        row.start = s0;
        row.end = s1;
        scatterInto(G, row, dz);
      }
    }
  }
  return loss;
}
