// Shared parts of the Parzen estimators of the TPE sampler (docs/algorithms.md §4): options, the
// kernel weights, and drawing a kernel by weight. The estimators are in _parzen.ts (numeric),
// _parzen-categorical.ts and _parzen-joint.ts (multivariate scoring).

import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { nextFloat } from "./_rng.js";

/** Options shared by every estimator. */
export interface ParzenOptions {
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
  /**
   * The newest `newestCount` observations (the pending trials of the bad group) weigh `newestWeight`
   * times their usual weight; none by default.
   */
  readonly newestCount?: number;
  /** Factor on the weight of the newest `newestCount` observations (default 1). */
  readonly newestWeight?: number;
}

/** Number of most recent observations that keep full weight. */
export const FULL_WEIGHT_RECENT = 25;

/**
 * Observation weights (oldest first): 1 for the newest 25, a linear ramp from 1/m to 1 over the older
 * ones (Optuna's `default_weights`). Writes `m` values into `out`.
 */
export function observationWeights(m: number, out: Float64Array): void {
  if (m < FULL_WEIGHT_RECENT) {
    out.fill(1, 0, m);
    return;
  }
  const nRamp = m - FULL_WEIGHT_RECENT;
  const start = 1 / m;
  for (let i = 0; i < nRamp; i++) out[i] = nRamp === 1 ? start : start + ((1 - start) * i) / (nRamp - 1);
  out.fill(1, nRamp, m);
}

/**
 * Normalised weights of a mixture of `m` observation kernels (oldest first, see
 * {@link observationWeights}; the newest `newestCount` multiplied by `newestWeight`) and the prior
 * kernel (last, weight `priorWeight` before normalising).
 */
export function mixtureWeights(m: number, opts: ParzenOptions): Float64Array {
  const n = m + 1;
  const weight = new Float64Array(n);
  observationWeights(m, weight);
  const factor = opts.newestWeight ?? 1;
  if (factor !== 1) {
    for (let i = Math.max(0, m - (opts.newestCount ?? 0)); i < m; i++) weight[i] = weight[i]! * factor;
  }
  weight[m] = opts.priorWeight;
  let total = 0;
  for (let i = 0; i < n; i++) total += weight[i]!;
  for (let i = 0; i < n; i++) weight[i] = weight[i]! / total;
  return weight;
}

/** Cumulative sums of `weight`, the last one +∞ so that every draw in [0, 1) picks a kernel. */
function cumulativeWeights(weight: Float64Array): Float64Array {
  const n = weight.length;
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weight[i]!;
    cum[i] = acc;
  }
  cum[n - 1] = Number.POSITIVE_INFINITY;
  return cum;
}

function upperBound(cum: Float64Array, n: number, r: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A mixture of `n` kernels with normalised weights (observations oldest first, then the prior). */
export class WeightedKernels {
  /** Number of kernels (observations + prior). */
  readonly n: number;
  /** Normalised mixture weights. */
  readonly weight: Float64Array;
  /** Cumulative weights, for sampling a kernel. */
  readonly cum: Float64Array;

  /** @param weight - the normalised weight of each kernel */
  constructor(weight: Float64Array) {
    this.n = weight.length;
    this.weight = weight;
    this.cum = cumulativeWeights(weight);
  }

  /** Index of a kernel drawn by weight. */
  pickKernel(rng: RandomGenerator): number {
    return upperBound(this.cum, this.n, nextFloat(rng));
  }
}
