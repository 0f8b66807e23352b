// Small numeric helpers for the report (no dependencies).

/**
 * Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9), for turning
 * a confidence level into a z value.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1))
    return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lowP) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Eight-level Unicode sparkline of a series (non-finite values shown as a space). */
export function sparkline(values: ArrayLike<number>): string {
  const bars = "▁▂▃▄▅▆▇█";
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) out += " ";
    else if (hi === lo) out += bars[3];
    else out += bars[Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8))];
  }
  return out;
}

/** Mean of `values[from..to)`, skipping non-finite values (NaN when none). */
export function bucketMean(values: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

/** `values` averaged into at most `buckets` equal-width buckets (for sparklines and compact tables). */
export function bucketMeans(values: ArrayLike<number>, buckets: number): number[] {
  const n = values.length;
  if (n <= buckets) return Array.from(values);
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    out.push(bucketMean(values, Math.floor((b * n) / buckets), Math.floor(((b + 1) * n) / buckets)));
  }
  return out;
}
