// Parzen estimators of the TPE sampler (docs/algorithms.md §4, as Optuna implements them), on
// typed arrays: one kernel per observation plus a prior kernel, truncated to the parameter's internal
// bounds. Numeric kernels are truncated normals (bin masses for discrete parameters), categorical
// kernels are smoothed one-hot rows.

import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { LOG_SQRT_2PI, normalMass, truncatedNormalStd } from "./_math.js";
import { nextFloat } from "./_rng.js";

/** Options shared by every estimator. */
export interface ParzenOptions {
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
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
 * {@link observationWeights}) and the prior kernel (last, weight `priorWeight` before normalising).
 */
function mixtureWeights(m: number, priorWeight: number): Float64Array {
  const n = m + 1;
  const weight = new Float64Array(n);
  observationWeights(m, weight);
  weight[m] = priorWeight;
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

/** A one-dimensional mixture of truncated normals over [low, high] (internal units). */
export class NumericMixture {
  /** Number of kernels (observations + prior). */
  readonly n: number;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly invSigma: Float64Array;
  /** Normalised mixture weights. */
  readonly weight: Float64Array;
  /** Cumulative weights, for sampling a kernel. */
  readonly cum: Float64Array;
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
    const n = m + 1;
    this.n = n;
    this.low = low;
    this.high = high;
    const range = high - low;
    const mu = new Float64Array(n);
    const sigma = new Float64Array(n);
    const weight = mixtureWeights(m, opts.priorWeight);
    mu.set(obs.subarray(0, m));
    mu[m] = 0.5 * (low + high);
    const minSigma = opts.considerMagicClip ? range / Math.min(100, 1 + n) : 1e-12;
    const maxSigma = range;
    let muOut = mu;
    let sigmaOut = sigma;
    let weightOut = weight;
    if (fixedSigma !== undefined) {
      // Multivariate mode: kernels stay in observation order (aligned across parameters).
      sigma.fill(Math.min(maxSigma, Math.max(minSigma, fixedSigma)), 0, m);
      sigma[m] = range;
      this.priorIndex = m;
      this.sortedByCentre = false;
    } else {
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
      this.priorIndex = prior;
      muOut = sorted;
      sigmaOut = sortedSigma;
      weightOut = sortedWeight;
      this.sortedByCentre = true;
    }
    const invSigma = new Float64Array(n);
    const coef = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sigmaOut[i]!;
      invSigma[i] = 1 / s;
      const z = normalMass((low - muOut[i]!) / s, (high - muOut[i]!) / s);
      coef[i] = discrete ? weightOut[i]! / z : weightOut[i]! / (s * z * SQRT_2PI);
    }
    this.mu = muOut;
    this.sigma = sigmaOut;
    this.invSigma = invSigma;
    this.weight = weightOut;
    this.cum = cumulativeWeights(weightOut);
    this.coef = coef;
  }

  /** Index of a kernel drawn by weight. */
  pickKernel(rng: RandomGenerator): number {
    return upperBound(this.cum, this.n, nextFloat(rng));
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
    const centres = new Float64Array(count);
    let width = 0;
    for (let j = 0; j < count; j++) {
      if (discrete) {
        centres[j] = 0.5 * (lo![j]! + hi![j]!);
        width = Math.max(width, hi![j]! - lo![j]!);
      } else centres[j] = xs[j]!;
    }
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
    const { mu, invSigma, coef, n } = this;
    const order = sortedOrder(xs, count);
    const sx = new Float64Array(count);
    for (let j = 0; j < count; j++) sx[j] = xs[order[j]!]!;
    const acc = new Float64Array(count);
    const reach = this.reach(0, false);
    for (let i = 0; i < n; i++) {
      const r = reach[i]!;
      if (r < 0) continue;
      const m = mu[i]!;
      const inv = invSigma[i]!;
      const c = coef[i]!;
      const hi = m + r;
      for (let j = lowerBound(sx, count, m - r); j < count && sx[j]! <= hi; j++) {
        const z = (sx[j]! - m) * inv;
        acc[j] = acc[j]! + c * Math.exp(-0.5 * z * z);
      }
    }
    for (let j = 0; j < count; j++) out[order[j]!] = Math.log(acc[j]!);
  }

  /** log probability of the bins [lo[j], hi[j]] into `out` (discrete parameters). */
  logPmf(lo: Float64Array, hi: Float64Array, count: number, out: Float64Array): void {
    const { mu, invSigma, coef, n } = this;
    const centres = new Float64Array(count);
    let width = 0;
    for (let j = 0; j < count; j++) {
      centres[j] = 0.5 * (lo[j]! + hi[j]!);
      width = Math.max(width, hi[j]! - lo[j]!);
    }
    const order = sortedOrder(centres, count);
    const sc = new Float64Array(count);
    for (let j = 0; j < count; j++) sc[j] = centres[order[j]!]!;
    const acc = new Float64Array(count);
    const reach = this.reach(width / 2, true);
    for (let i = 0; i < n; i++) {
      const r = reach[i]!;
      if (r < 0) continue;
      const m = mu[i]!;
      const inv = invSigma[i]!;
      const c = coef[i]!;
      const top = m + r;
      for (let j = lowerBound(sc, count, m - r); j < count && sc[j]! <= top; j++) {
        const k = order[j]!;
        acc[j] = acc[j]! + c * normalMass((lo[k]! - m) * inv, (hi[k]! - m) * inv);
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

/**
 * Categorical kernels: observation i puts `priorWeight / (m + 1)` on every choice and 1 more on its
 * own, normalised; the prior kernel is uniform.
 */
export class CategoricalMixture {
  readonly n: number;
  readonly nChoices: number;
  readonly weight: Float64Array;
  readonly cum: Float64Array;
  /** Observed choice of each observation kernel (the prior kernel, last, has -1). */
  readonly obs: Int32Array;
  /** Mixture probability of each choice. */
  readonly prob: Float64Array;
  /** Row constants: off-choice probability and on-choice probability of an observation kernel. */
  readonly base: number;
  readonly peak: number;

  /**
   * @param obs - observed choice indices, oldest first
   * @param m - number of observations used
   * @param nChoices - number of choices
   * @param opts - estimator options
   */
  constructor(obs: Float64Array, m: number, nChoices: number, opts: ParzenOptions) {
    const n = m + 1;
    this.n = n;
    this.nChoices = nChoices;
    const weight = mixtureWeights(m, opts.priorWeight);
    const fill = opts.priorWeight / n;
    const rowSum = 1 + nChoices * fill;
    this.base = fill / rowSum;
    this.peak = (1 + fill) / rowSum;
    const o = new Int32Array(n);
    const prob = new Float64Array(nChoices);
    let obsWeight = 0;
    for (let i = 0; i < m; i++) {
      const c = obs[i]!;
      o[i] = c;
      prob[c] = prob[c]! + weight[i]! / rowSum;
      obsWeight += weight[i]!;
    }
    o[m] = -1;
    const spread = (obsWeight * fill) / rowSum + weight[m]! / nChoices;
    for (let c = 0; c < nChoices; c++) prob[c] = prob[c]! + spread;
    this.obs = o;
    this.weight = weight;
    this.cum = cumulativeWeights(weight);
    this.prob = prob;
  }

  /** Index of a kernel drawn by weight. */
  pickKernel(rng: RandomGenerator): number {
    return upperBound(this.cum, this.n, nextFloat(rng));
  }

  /** A choice drawn from kernel `k`. */
  sampleKernel(k: number, rng: RandomGenerator): number {
    const C = this.nChoices;
    const own = this.obs[k]!;
    const r = nextFloat(rng);
    if (own < 0) return Math.min(C - 1, Math.floor(r * C));
    let acc = 0;
    for (let c = 0; c < C; c++) {
      acc += c === own ? this.peak : this.base;
      if (r < acc) return c;
    }
    return C - 1;
  }

  /** log probability of choice `c` under kernel `k` alone. */
  kernelLog(k: number, c: number): number {
    const own = this.obs[k]!;
    if (own < 0) return -Math.log(this.nChoices);
    return Math.log(c === own ? this.peak : this.base);
  }
}

/**
 * The joint (multivariate) mixture Σ_i w_i Π_d K_id over the per-parameter mixtures of one group,
 * whose kernels are aligned (kernel i of every dimension is observation i, the prior last). Scores a
 * candidate with typed-array loops, one dimension at a time over all kernels: the kernel-only terms
 * (log weight and normalisers of continuous dimensions) are summed once at construction.
 */
export class JointMixture {
  readonly n: number;
  private readonly dims: readonly (NumericMixture | CategoricalMixture)[];
  private readonly discrete: readonly boolean[];
  /** log w_i + Σ over continuous dimensions of log(1 / (σ Z √2π)); discrete: log(1 / Z). */
  private readonly base: Float64Array;
  private readonly logOn: Float64Array;
  private readonly logOff: Float64Array;
  private readonly scratch: Float64Array;

  /**
   * @param dims - one mixture per parameter, each with the same kernels in the same order
   * @param discrete - per dimension, whether a numeric one is scored by bin mass
   */
  constructor(dims: readonly (NumericMixture | CategoricalMixture)[], discrete: readonly boolean[]) {
    const n = dims[0]!.n;
    this.n = n;
    this.dims = dims;
    this.discrete = discrete;
    const base = new Float64Array(n);
    const first = dims[0]!;
    for (let i = 0; i < n; i++) base[i] = Math.log(first.weight[i]!);
    const logOn = new Float64Array(dims.length);
    const logOff = new Float64Array(dims.length);
    dims.forEach((m, k) => {
      if (m instanceof CategoricalMixture) {
        logOn[k] = Math.log(m.peak);
        logOff[k] = Math.log(m.base);
      } else {
        for (let i = 0; i < n; i++) base[i] = base[i]! + Math.log(m.coef[i]! / m.weight[i]!);
      }
    });
    this.base = base;
    this.logOn = logOn;
    this.logOff = logOff;
    this.scratch = new Float64Array(n);
  }

  /**
   * log Σ_i w_i Π_d K_id(x_d): `x` holds internal values (choice indices for categorical
   * dimensions), `lo`/`hi` the bins of discrete numeric dimensions.
   */
  logDensity(x: Float64Array, lo: Float64Array, hi: Float64Array): number {
    const { n, base, scratch: s } = this;
    s.set(base);
    for (let k = 0; k < this.dims.length; k++) {
      const m = this.dims[k]!;
      if (m instanceof CategoricalMixture) {
        const c = x[k]!;
        const on = this.logOn[k]!;
        const off = this.logOff[k]!;
        const uniform = -Math.log(m.nChoices);
        const obs = m.obs;
        for (let i = 0; i < n; i++) {
          const o = obs[i]!;
          s[i] = s[i]! + (o === c ? on : o < 0 ? uniform : off);
        }
      } else if (this.discrete[k]) {
        const a = lo[k]!;
        const b = hi[k]!;
        const { mu, invSigma } = m;
        for (let i = 0; i < n; i++) {
          const inv = invSigma[i]!;
          s[i] = s[i]! + Math.log(normalMass((a - mu[i]!) * inv, (b - mu[i]!) * inv));
        }
      } else {
        const v = x[k]!;
        const { mu, invSigma } = m;
        for (let i = 0; i < n; i++) {
          const z = (v - mu[i]!) * invSigma[i]!;
          s[i] = s[i]! - 0.5 * z * z;
        }
      }
    }
    // log-sum-exp, shifted by the largest term; terms below e^−40 of it are skipped (together less
    // than n · 4e-18 of the sum, below double rounding for any realistic n).
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (s[i]! > max) max = s[i]!;
    if (max === Number.NEGATIVE_INFINITY) return max;
    const cut = max - 40;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const t = s[i]!;
      if (t > cut) sum += Math.exp(t - max);
    }
    return max + Math.log(sum);
  }
}
