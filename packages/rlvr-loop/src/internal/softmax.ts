/**
 * The trainer's softmax, with an exp and a log of its own: plain float64 additions, multiplications
 * and one division in a fixed order, so the WebAssembly kernel (wasm-kernels.ts, `softmax`) computes
 * the same bits in f64x2 lanes and no result depends on the runtime's Math.exp. Both are accurate to
 * about one ulp (tests compare them with Math.exp and Math.log).
 *
 * exp(x) for x ≤ 0: k = ⌊x·log2(e) + ½⌋, r = (x − k·ln2_hi) − k·ln2_lo (Cody–Waite, |r| ≤ ln2/2 + tiny),
 * e^r by Horner's rule on the Taylor polynomial of degree 13, times 2^k (exact); 0 below −708
 * (where e^x < 2^−1021: no softmax probability needs more).
 * log(x) for x ≥ 1: x = 2^e·m with m ∈ (√2/2, √2] (halving, exact), then fdlibm's e_log.c: f = m − 1,
 * s = f/(2 + f), R = z(Lg1 + w(Lg3 + w(Lg5 + w Lg7))) + w(Lg2 + w(Lg4 + w Lg6)) with z = s², w = z²,
 * h = f²/2, log x = e·ln2_hi − ((h − (s(h + R) + e·ln2_lo)) − f).
 */

/** log2(e). */
export const LOG2E = Math.LOG2E;
/** ln 2 split so that k·LN2_HI is exact for |k| < 2^21 (fdlibm's constants). */
export const LN2_HI = 0.6931471803691238;
/** ln 2 − LN2_HI. */
export const LN2_LO = 1.9082149292705877e-10;
/** Below this the exponential is taken as 0. */
export const EXP_MIN = -708;
/** 1/n! for n = 13 down to 0 (Horner order). */
export const EXP_COEFFICIENTS: readonly number[] = Array.from({ length: 14 }, (_, i) => {
  let f = 1;
  for (let n = 2; n <= 13 - i; n++) f *= n;
  return 1 / f;
});
/** fdlibm's minimax coefficients Lg1 … Lg7 of log(1 + f) (its e_log.c). */
export const LG: readonly number[] = [
  0.6666666666666735, 0.3999999999940942, 0.2857142874366239, 0.22222198432149784, 0.1818357216161805,
  0.15313837699209373, 0.14798198605116586,
];
/** √2: the mantissa of the log is halved until it is at most this. */
export const SQRT2 = Math.SQRT2;
/** At most this many halvings (the input is finite). */
export const LOG_MAX_HALVINGS = 1100;

/** 2^−n for n = 0 … 1022 (exact: successive halvings of 1). */
const POW2 = new Float64Array(1023);
POW2[0] = 1;
for (let n = 1; n < POW2.length; n++) POW2[n] = POW2[n - 1]! * 0.5;

/** e^x for x ≤ 0 (NaN for NaN), as the module comment says. */
export function expNonPositive(x: number): number {
  if (x < EXP_MIN) return 0;
  if (Number.isNaN(x)) return x;
  const c = EXP_COEFFICIENTS;
  const k = Math.floor(x * LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  let q = c[0]!;
  for (let i = 1; i < c.length; i++) q = q * r + c[i]!;
  return q * POW2[-k]!;
}

/** log(x) for x ≥ 1 (NaN for NaN), as the module comment says. */
export function logAtLeastOne(x: number): number {
  let m = x;
  let e = 0;
  while (m > SQRT2 && e < LOG_MAX_HALVINGS) {
    m *= 0.5;
    e += 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG[1]! + w * (LG[3]! + w * LG[5]!));
  const t2 = z * (LG[0]! + w * (LG[2]! + w * (LG[4]! + w * LG[6]!)));
  const hfsq = 0.5 * f * f;
  return e * LN2_HI - (hfsq - (s * (hfsq + (t2 + t1)) + e * LN2_LO) - f);
}

/** Where {@link softmaxRow} reads and writes: z, lp and p of row c at c·A, its entropy and KL at c. */
export interface SoftmaxRows {
  readonly z: Float64Array;
  readonly lp: Float64Array;
  readonly p: Float64Array;
  readonly entropy: Float64Array;
  readonly kl: Float64Array;
}

/**
 * Over all A actions of row c (offset o = c·A): max = max_b z_b (NaN-propagating, as Math.max), e_b =
 * exp(z_b − max), sum = s_even + s_odd (two running sums over even and odd b, the last of an odd A in
 * the even one), lp_b = (z_b − max) − log(sum), p_b = e_b · (1/sum); entropy[c] = −Σ_{p_b>0} p_b lp_b
 * and kl[c] = Σ_{p_b>0} p_b (lp_b − lq) (the exact KL to a uniform reference, lq = −log |A|), both
 * summed in the same two lanes and then added (the kernel's f64x2 order).
 */
export function softmaxRow(rows: SoftmaxRows, c: number, A: number, lq: number): void {
  const { z, lp, p } = rows;
  const o = c * A;
  let max = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < A; b++) max = Math.max(max, z[o + b]!);
  let s0 = 0;
  let s1 = 0;
  for (let b = 0; b < A; b++) {
    const e = expNonPositive(z[o + b]! - max);
    p[o + b] = e;
    if ((b & 1) === 0) s0 += e;
    else s1 += e;
  }
  const sum = s0 + s1;
  const logSum = logAtLeastOne(sum);
  const inv = 1 / sum;
  let h0 = 0;
  let h1 = 0;
  let k0 = 0;
  let k1 = 0;
  for (let b = 0; b < A; b++) {
    const l = z[o + b]! - max - logSum;
    const pb = p[o + b]! * inv;
    lp[o + b] = l;
    p[o + b] = pb;
    if (pb > 0) {
      if ((b & 1) === 0) {
        h0 -= pb * l;
        k0 += pb * (l - lq);
      } else {
        h1 -= pb * l;
        k1 += pb * (l - lq);
      }
    }
  }
  rows.entropy[c] = h0 + h1;
  rows.kl[c] = k0 + k1;
}

/**
 * lp and p of row c over the allowed actions of a masked row (mask[mo + b] === 1): lp = −∞ and p = 0
 * for the others; the sum runs over the allowed actions in order (no entropy or KL: the caller's).
 */
export function maskedSoftmaxRow(
  rows: SoftmaxRows,
  c: number,
  A: number,
  mask: Uint8Array,
  mo: number,
): void {
  const { z, lp, p } = rows;
  const o = c * A;
  let max = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < A; b++) if (mask[mo + b] === 1) max = Math.max(max, z[o + b]!);
  let sum = 0;
  for (let b = 0; b < A; b++) {
    const e = mask[mo + b] === 1 ? expNonPositive(z[o + b]! - max) : 0;
    p[o + b] = e;
    sum += e;
  }
  const logSum = logAtLeastOne(sum);
  const inv = 1 / sum;
  for (let b = 0; b < A; b++) {
    const on = mask[mo + b] === 1;
    lp[o + b] = on ? z[o + b]! - max - logSum : Number.NEGATIVE_INFINITY;
    p[o + b] = on ? p[o + b]! * inv : 0;
  }
}
