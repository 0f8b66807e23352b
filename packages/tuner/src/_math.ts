// Normal distribution helpers for the Parzen estimators: erfc (W. J. Cody's rational
// approximations, relative error below 1e-15), the standard normal CDF, its inverse (Acklam's
// approximation refined by one Halley step) and truncated-normal sampling and bin masses.

const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4,
  0.016315387137302097,
];
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
];
const SQRPI = 0.5641895835477563; // 1 / sqrt(pi)

/** Complementary error function erfc(x) = 1 - erf(x), accurate in both tails. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) {
    const ysq = y > 1.11e-16 ? y * y : 0;
    let xnum = A[4]! * ysq;
    let xden = ysq;
    for (let i = 0; i < 3; i++) {
      xnum = (xnum + A[i]!) * ysq;
      xden = (xden + B[i]!) * ysq;
    }
    return 1 - (x * (xnum + A[3]!)) / (xden + B[3]!);
  }
  if (y <= 4) {
    let xnum = C[8]! * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * y;
      xden = (xden + D[i]!) * y;
    }
    result = (xnum + C[7]!) / (xden + D[7]!);
    const ysq = Math.trunc(y * 16) / 16;
    const del = (y - ysq) * (y + ysq);
    result *= Math.exp(-ysq * ysq) * Math.exp(-del);
  } else if (y >= 26.543) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let xnum = P[5]! * ysq;
    let xden = ysq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]!) * ysq;
      xden = (xden + Q[i]!) * ysq;
    }
    result = (ysq * (xnum + P[4]!)) / (xden + Q[4]!);
    result = (SQRPI - result) / y;
    const t = Math.trunc(y * 16) / 16;
    const del = (y - t) * (y + t);
    result *= Math.exp(-t * t) * Math.exp(-del);
  }
  return x < 0 ? 2 - result : result;
}

/** Error function. */
export function erf(x: number): number {
  return 1 - erfc(x);
}

const SQRT1_2 = Math.SQRT1_2;

/** Standard normal CDF Φ(z). */
export function ndtr(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

const LA = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const LB = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const LC = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const LD = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Inverse of the standard normal CDF, for p in (0, 1); ±Infinity at 0 and 1. */
export function ndtri(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((LC[0]! * q + LC[1]!) * q + LC[2]!) * q + LC[3]!) * q + LC[4]!) * q + LC[5]!) /
      ((((LD[0]! * q + LD[1]!) * q + LD[2]!) * q + LD[3]!) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((LA[0]! * r + LA[1]!) * r + LA[2]!) * r + LA[3]!) * r + LA[4]!) * r + LA[5]!) * q) /
      (((((LB[0]! * r + LB[1]!) * r + LB[2]!) * r + LB[3]!) * r + LB[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(
      (((((LC[0]! * q + LC[1]!) * q + LC[2]!) * q + LC[3]!) * q + LC[4]!) * q + LC[5]!) /
      ((((LD[0]! * q + LD[1]!) * q + LD[2]!) * q + LD[3]!) * q + 1)
    );
  }
  // One Halley step on Φ(x) - p.
  const e = ndtr(x) - p;
  const u = e * SQRT2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

const TAIL = 8.3;

/**
 * Φ(hi) - Φ(lo) for standardised bounds lo <= hi, computed without cancellation in the tails and
 * with a midpoint rule for very narrow intervals.
 */
export function normalMass(lo: number, hi: number): number {
  const w = hi - lo;
  const m = 0.5 * (lo + hi);
  if (w * (Math.abs(m) + 1) < 1e-3) {
    return ((w * Math.exp(-0.5 * m * m)) / SQRT2PI) * (1 + (w * w * (m * m - 1)) / 24);
  }
  if (lo >= 0) return 0.5 * (erfc(lo * SQRT1_2) - erfc(hi * SQRT1_2));
  if (hi <= 0) return 0.5 * (erfc(-hi * SQRT1_2) - erfc(-lo * SQRT1_2));
  // Beyond 8.3 standard deviations a tail holds less than 1e-16: below the rounding of 1 − tail.
  const lower = lo <= -TAIL ? 0 : 0.5 * erfc(-lo * SQRT1_2);
  const upper = hi >= TAIL ? 0 : 0.5 * erfc(hi * SQRT1_2);
  return 1 - lower - upper;
}

/**
 * A draw from the standard normal truncated to [a, b] (a < b), by inversion of the CDF with `u`
 * uniform in [0, 1). Uses the tail that keeps precision (the lower one for a > 0 by symmetry).
 */
export function truncatedNormalStd(a: number, b: number, u: number): number {
  if (a > 0) return -truncatedNormalStd(-b, -a, 1 - u);
  const pa = ndtr(a);
  const pb = ndtr(b);
  let z = ndtri(pa + u * (pb - pa));
  if (!(z >= a)) z = a;
  if (!(z <= b)) z = b;
  return z;
}

/** log(sqrt(2π)). */
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
