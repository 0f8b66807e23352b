// The categorical Parzen estimator of the TPE sampler (docs/algorithms.md §4): smoothed one-hot
// kernels, one per observation, plus a uniform prior kernel.

import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { mixtureWeights, type ParzenOptions, WeightedKernels } from "./_parzen-base.js";
import { nextFloat } from "./_rng.js";

/**
 * Categorical kernels: observation i puts `priorWeight / (m + 1)` on every choice and 1 more on its
 * own, normalised; the prior kernel is uniform.
 */
export class CategoricalMixture extends WeightedKernels {
  readonly nChoices: number;
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
    const weight = mixtureWeights(m, opts);
    super(weight);
    const n = m + 1;
    this.nChoices = nChoices;
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
    this.prob = prob;
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
