// Downsampling of long series for charts: largest-triangle-three-buckets (LTTB, Steinarsson 2013).
// It keeps the first and last points and, per bucket, the point that forms the largest triangle with
// the previous kept point and the next bucket's mean, so peaks and dips survive.

/**
 * Indices (increasing) of at most `threshold` points of the series (xs, ys) chosen by LTTB. Returns
 * every index when the series is no longer than `threshold`. Non-finite y values are never chosen
 * unless a bucket has nothing else.
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): Uint32Array {
  const n = Math.min(xs.length, ys.length);
  if (threshold >= n || n <= 2) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const m = Math.max(3, Math.floor(threshold));
  const out = new Uint32Array(m);
  const every = (n - 2) / (m - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < m - 2; i++) {
    // Mean of the next bucket.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const y = ys[j]!;
      if (!Number.isFinite(y)) continue;
      avgX += xs[j]!;
      avgY += y;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = xs[Math.min(nextStart, n - 1)]!;
      avgY = ys[a]!;
    }
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const y = ys[j]!;
      if (!Number.isFinite(y)) continue;
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out[i + 1] = best;
    a = best;
  }
  out[m - 1] = n - 1;
  return out;
}
