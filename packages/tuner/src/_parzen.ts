// The numeric Parzen estimator of the TPE sampler (docs/algorithms.md §4, as Optuna implements it),
// on typed arrays: one truncated-normal kernel per observation plus a prior kernel, truncated to the
// parameter's internal bounds (bin masses for discrete parameters). Shared parts are in
// _parzen-base.ts; categorical and multivariate estimators in _parzen-categorical.ts, _parzen-joint.ts.

import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { LOG_SQRT_2PI, normalMass, truncatedNormalStd } from "./_math.js";
import { mixtureWeights, type ParzenOptions, WeightedKernels } from "./_parzen-base.js";
import { nextFloat } from "./_rng.js";

function lowerBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Positions 0..count-1 sorted by `values` (ties by position); insertion sort, count is small. */
function sortedOrder(values: Float64Array, count: number): Int32Array {
  const order = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const v = values[j]!;
    let k = j - 1;
    while (k >= 0 && values[order[k]!]! > v) {
      order[k + 1] = order[k]!;
      k--;
    }
    order[k + 1] = j;
  }
  return order;
}

const SQRT_2PI = Math.exp(LOG_SQRT_2PI);

/** Kernels summed between two checks of the branch-and-bound limit. */
const BLOCK = 16;

/** Relative size below which a kernel's contribution is dropped (far below double precision). */
const NEGLIGIBLE = 1e-18;

/**
 * Where candidates sit: `xs` (continuous), or the centres of the bins `lo`/`hi` (discrete, `xs`
 * undefined) with the largest bin width.
 */
function candidateCentres(
  count: number,
  xs: Float64Array | undefined,
  lo: Float64Array | undefined,
  hi: Float64Array | undefined,
): { centres: Float64Array; width: number } {
  const centres = new Float64Array(count);
  let width = 0;
  for (let j = 0; j < count; j++) {
    if (xs === undefined) {
      centres[j] = 0.5 * (lo![j]! + hi![j]!);
      width = Math.max(width, hi![j]! - lo![j]!);
    } else centres[j] = xs[j]!;
  }
  return { centres, width };
}

/** Kernel centres, bandwidths and weights, in storage order, and where the prior kernel is. */
interface Placement {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly weight: Float64Array;
  readonly priorIndex: number;
  readonly sortedByCentre: boolean;
}

/**
 * Places the kernels: observation i at `obs[i]`, the prior at the centre with σ = range. With
 * `fixedSigma` (multivariate mode) every observation kernel gets that bandwidth (clipped) and kernels
 * stay in observation order, aligned across parameters; otherwise see the comment below.
 */
function placeKernels(
  obs: Float64Array,
  m: number,
  low: number,
  high: number,
  opts: ParzenOptions,
  fixedSigma: number | undefined,
): Placement {
  const n = m + 1;
  const range = high - low;
  const mu = new Float64Array(n);
  const sigma = new Float64Array(n);
  const weight = mixtureWeights(m, opts);
  mu.set(obs.subarray(0, m));
  mu[m] = 0.5 * (low + high);
  const minSigma = opts.considerMagicClip ? range / Math.min(100, 1 + n) : 1e-12;
  const maxSigma = range;
  if (fixedSigma !== undefined) {
    sigma.fill(Math.min(maxSigma, Math.max(minSigma, fixedSigma)), 0, m);
    sigma[m] = range;
    return { mu, sigma, weight, priorIndex: m, sortedByCentre: false };
  }
  // Each kernel's bandwidth is the larger gap to its neighbours among the sorted centres (prior
  // included; bounds as padding). Equal centres take consecutive sorted positions in index
  // order, as a stable argsort would give them. Kernels are then stored in that sorted order
  // (the mixture does not depend on kernel order), which lets scoring visit them by proximity.
  const sorted = mu.slice().sort();
  let duplicates: Map<number, number> | undefined;
  for (let i = 1; i < n; i++) {
    if (sorted[i] === sorted[i - 1]) {
      duplicates = new Map();
      break;
    }
  }
  const clipEnds = !opts.considerEndpoints && n >= 2;
  const sortedSigma = new Float64Array(n);
  let prior = m;
  const sortedWeight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = mu[i]!;
    let p = lowerBound(sorted, n, v);
    if (duplicates !== undefined) {
      const k = duplicates.get(v) ?? 0;
      duplicates.set(v, k + 1);
      p += k;
    }
    let s: number;
    if (i === m)
      s = range; // the prior kernel: centre of the range, σ = range
    else {
      if (clipEnds && p === 0) s = sorted[1]! - sorted[0]!;
      else if (clipEnds && p === n - 1) s = sorted[n - 1]! - sorted[n - 2]!;
      else {
        const left = p === 0 ? low : sorted[p - 1]!;
        const right = p === n - 1 ? high : sorted[p + 1]!;
        s = Math.max(v - left, right - v);
      }
      s = s < minSigma ? minSigma : Math.min(s, maxSigma);
    }
    sortedSigma[p] = s;
    sortedWeight[p] = weight[i]!;
    if (i === m) prior = p;
  }
  return { mu: sorted, sigma: sortedSigma, weight: sortedWeight, priorIndex: prior, sortedByCentre: true };
}

/** A one-dimensional mixture of truncated normals over [low, high] (internal units). */
export class NumericMixture extends WeightedKernels {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly invSigma: Float64Array;
  /** Continuous: w / (σ Z √(2π)); discrete: w / Z. */
  readonly coef: Float64Array;
  readonly low: number;
  readonly high: number;
  /** Index of the prior kernel. */
  readonly priorIndex: number;
  /** Whether kernels are stored by ascending centre (univariate mode). */
  readonly sortedByCentre: boolean;

  /**
   * @param obs - observations (internal units), oldest first
   * @param m - number of observations used from `obs`
   * @param low - lower internal bound of the kernels
   * @param high - upper internal bound
   * @param discrete - whether `coef` is for bin masses rather than densities
   * @param opts - estimator options
   * @param fixedSigma - when given (multivariate mode), the bandwidth of every observation kernel
   *   before clipping; otherwise the larger gap to the sorted neighbours
   */
  constructor(
    obs: Float64Array,
    m: number,
    low: number,
    high: number,
    discrete: boolean,
    opts: ParzenOptions,
    fixedSigma?: number,
  ) {
    const placed = placeKernels(obs, m, low, high, opts, fixedSigma);
    super(placed.weight);
    const n = m + 1;
    const { mu, sigma, weight } = placed;
    const invSigma = new Float64Array(n);
    const coef = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sigma[i]!;
      invSigma[i] = 1 / s;
      const z = normalMass((low - mu[i]!) / s, (high - mu[i]!) / s);
      coef[i] = discrete ? weight[i]! / z : weight[i]! / (s * z * SQRT_2PI);
    }
    this.low = low;
    this.high = high;
    this.priorIndex = placed.priorIndex;
    this.sortedByCentre = placed.sortedByCentre;
    this.mu = mu;
    this.sigma = sigma;
    this.invSigma = invSigma;
    this.coef = coef;
  }

  /** A draw from kernel `k`, inside [low, high]. */
  sampleKernel(k: number, rng: RandomGenerator): number {
    const mu = this.mu[k]!;
    const s = this.sigma[k]!;
    const z = truncatedNormalStd((this.low - mu) / s, (this.high - mu) / s, nextFloat(rng));
    const x = mu + s * z;
    return x < this.low ? this.low : Math.min(x, this.high);
  }

  /**
   * Candidates sorted by value (with their original positions) and, per kernel, the distance beyond
   * which its contribution is below NEGLIGIBLE times the prior kernel's (which is at least
   * coef · e^(−1/8) anywhere in the range, and is summed in full): dropping those terms changes a
   * sum by less than 1e-18 relative, so every candidate only visits the kernels near it.
   */
  private reach(halfWidth: number, discrete: boolean): Float64Array {
    const { n, coef, sigma, priorIndex } = this;
    const prior = coef[priorIndex]!;
    // Continuous: term ≤ c·exp(−z²/2) against a prior density ≥ c_p·e^(−1/8). Discrete: a bin of
    // width w has mass ≤ w/(σ√2π)·exp(−d²/2σ²) (d: distance to the bin) against ≥ w/(range√2π)·e^(−1/8)
    // for the prior; the width cancels out.
    const floor = discrete
      ? (NEGLIGIBLE * prior * Math.exp(-0.125)) / ((this.high - this.low) * n)
      : (NEGLIGIBLE * prior * Math.exp(-0.125)) / n;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ratio = (discrete ? coef[i]! / sigma[i]! : coef[i]!) / floor;
      out[i] = ratio > 1 ? sigma[i]! * Math.sqrt(2 * Math.log(ratio)) + halfWidth : -1;
    }
    out[priorIndex] = Number.POSITIVE_INFINITY;
    return out;
  }

  /**
   * The candidate j maximising `base[j] − log g(x_j)`, g being this mixture, exactly as a full
   * evaluation would pick it (ties to the lowest index), by branch and bound: candidates are tried in
   * decreasing `base` order, and each one's sum is accumulated from the nearest kernels outward (kernels
   * are sorted by centre) and abandoned as soon as the partial sum, a lower bound of g, proves that it
   * cannot beat the best candidate so far. Continuous parameters pass `xs`; discrete ones the bins
   * `lo`/`hi` (scored by bin mass).
   */
  argmaxRatio(
    count: number,
    base: Float64Array,
    xs: Float64Array | undefined,
    lo?: Float64Array,
    hi?: Float64Array,
  ): number {
    const { mu, invSigma, coef, n } = this;
    const discrete = xs === undefined;
    const { centres, width } = candidateCentres(count, xs, lo, hi);
    const reach = this.reach(width / 2, discrete);
    const negBase = new Float64Array(count);
    for (let j = 0; j < count; j++) negBase[j] = -base[j]!;
    const order = sortedOrder(negBase, count);
    let best = Number.NEGATIVE_INFINITY;
    let bestJ = -1;
    for (let r = 0; r < count; r++) {
      const j = order[r]!;
      const x = centres[j]!;
      const a = discrete ? lo![j]! : 0;
      const b = discrete ? hi![j]! : 0;
      // Abandon once S > T (S = T with a larger index than the best also loses the tie).
      const limit = bestJ < 0 ? Number.POSITIVE_INFINITY : Math.exp(base[j]! - best);
      let sum = 0;
      let left = lowerBound(mu, n, x) - 1;
      let right = left + 1;
      let abandoned = false;
      // Walk outward in blocks of BLOCK kernels from the nearer side (tight loops), checking the
      // bound after each block.
      while (left >= 0 || right < n) {
        let from: number;
        let to: number;
        if (right >= n || (left >= 0 && x - mu[left]! <= mu[right]! - x)) {
          to = left + 1;
          from = Math.max(0, to - BLOCK);
          left = from - 1;
        } else {
          from = right;
          to = Math.min(n, from + BLOCK);
          right = to;
        }
        if (discrete) {
          for (let i = from; i < to; i++) {
            const m = mu[i]!;
            if (Math.abs(x - m) > reach[i]!) continue;
            const inv = invSigma[i]!;
            sum += coef[i]! * normalMass((a - m) * inv, (b - m) * inv);
          }
        } else {
          for (let i = from; i < to; i++) {
            const d = x - mu[i]!;
            if (Math.abs(d) > reach[i]!) continue;
            const z = d * invSigma[i]!;
            sum += coef[i]! * Math.exp(-0.5 * z * z);
          }
        }
        if (sum > limit || (sum === limit && j > bestJ)) {
          abandoned = true;
          break;
        }
      }
      if (abandoned) continue;
      const score = base[j]! - Math.log(sum);
      if (score > best || (score === best && j < bestJ) || bestJ < 0) {
        best = score;
        bestJ = j;
      }
    }
    return bestJ;
  }

  /** log density at `xs[0..count)` into `out` (continuous parameters). */
  logPdf(xs: Float64Array, count: number, out: Float64Array): void {
    this.logMass(count, out, xs);
  }

  /** log probability of the bins [lo[j], hi[j]] into `out` (discrete parameters). */
  logPmf(lo: Float64Array, hi: Float64Array, count: number, out: Float64Array): void {
    this.logMass(count, out, undefined, lo, hi);
  }

  /**
   * log density at `xs` (continuous) or log mass of the bins `lo`/`hi` (discrete, `xs` undefined) of
   * `count` candidates into `out`: candidates sorted by centre, each kernel visits only those within its
   * reach.
   */
  private logMass(count: number, out: Float64Array, xs?: Float64Array, lo?: Float64Array, hi?: Float64Array) {
    const { mu, invSigma, coef, n } = this;
    const discrete = xs === undefined;
    const { centres, width } = candidateCentres(count, xs, lo, hi);
    const order = sortedOrder(centres, count);
    const sc = new Float64Array(count);
    for (let j = 0; j < count; j++) sc[j] = centres[order[j]!]!;
    const acc = new Float64Array(count);
    const reach = this.reach(width / 2, discrete);
    for (let i = 0; i < n; i++) {
      const r = reach[i]!;
      if (r < 0) continue;
      const m = mu[i]!;
      const inv = invSigma[i]!;
      const c = coef[i]!;
      const top = m + r;
      const start = lowerBound(sc, count, m - r);
      if (discrete) {
        for (let j = start; j < count && sc[j]! <= top; j++) {
          const k = order[j]!;
          acc[j] = acc[j]! + c * normalMass((lo![k]! - m) * inv, (hi![k]! - m) * inv);
        }
      } else {
        for (let j = start; j < count && sc[j]! <= top; j++) {
          const z = (sc[j]! - m) * inv;
          acc[j] = acc[j]! + c * Math.exp(-0.5 * z * z);
        }
      }
    }
    for (let j = 0; j < count; j++) out[order[j]!] = Math.log(acc[j]!);
  }

  private logNorm: Float64Array | undefined;

  /** log density (continuous) or log bin mass (discrete) of kernel `k` alone, without its weight. */
  kernelLog(k: number, x: number, lo: number, hi: number, discrete: boolean): number {
    let logNorm = this.logNorm;
    if (logNorm === undefined) {
      logNorm = new Float64Array(this.n);
      for (let i = 0; i < this.n; i++) logNorm[i] = Math.log(this.coef[i]! / this.weight[i]!);
      this.logNorm = logNorm;
    }
    const mu = this.mu[k]!;
    const inv = this.invSigma[k]!;
    if (discrete) return logNorm[k]! + Math.log(normalMass((lo - mu) * inv, (hi - mu) * inv));
    const z = (x - mu) * inv;
    return logNorm[k]! - 0.5 * z * z;
  }
}
