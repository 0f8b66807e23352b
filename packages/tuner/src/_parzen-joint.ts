// Multivariate scoring of the TPE sampler (docs/algorithms.md §4): the product-kernel mixture over
// the per-parameter estimators of one group.

import { normalMass } from "./_math.js";
import type { NumericMixture } from "./_parzen.js";
import { CategoricalMixture } from "./_parzen-categorical.js";

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
