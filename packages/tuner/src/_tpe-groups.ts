// The two groups of the TPE sampler (docs/tuner.md, "TPE"): which finished trials are "good", and how
// many observations set the good mixture's multivariate bandwidth.

import type { Direction, FrozenTrial } from "./trial.js";

/** Loss (smaller is better) of a finished trial for ranking. */
function lossOf(value: number, direction: Direction): number {
  return direction === "minimize" ? value : -value;
}

/**
 * Split the finished trials into "good" (below) and the rest (above):
 * complete trials by value, then pruned ones by depth reached then by their last value; ties by trial
 * number. Returns a flag per history entry (1 good, 0 bad, -1 unused) and the counts.
 */
export function splitHistory(
  history: readonly FrozenTrial[],
  direction: Direction,
  gammaFraction: number,
  gammaMax: number,
): { flags: Int8Array; nBelow: number; nAbove: number } {
  const n = history.length;
  const flags = new Int8Array(n).fill(-1);
  const losses = new Float64Array(n);
  const completeIdx = new Int32Array(n);
  let nc = 0;
  const pruned: { i: number; step: number; loss: number; number: number }[] = [];
  for (let i = 0; i < n; i++) {
    const t = history[i]!;
    if (t.state === "complete") {
      losses[nc] = lossOf(t.value!, direction);
      completeIdx[nc] = i;
      nc++;
    } else if (t.state === "pruned") {
      const last = t.intermediateValues[t.intermediateValues.length - 1];
      pruned.push({
        i,
        step: last === undefined ? -1 : last.step,
        loss: last === undefined ? Number.POSITIVE_INFINITY : lossOf(last.value, direction),
        number: t.number,
      });
    }
  }
  const total = nc + pruned.length;
  const nBelow = Math.min(Math.ceil(gammaFraction * total), gammaMax, total);
  // Complete trials: the nBelow smallest losses, ties at the threshold by trial number (history is in
  // number order). Only the threshold needs a sort.
  const fromComplete = Math.min(nBelow, nc);
  for (let r = 0; r < nc; r++) flags[completeIdx[r]!] = 0;
  if (fromComplete > 0) {
    const threshold = kthSmallest(losses.slice(0, nc), fromComplete - 1);
    let atThreshold = fromComplete;
    for (let r = 0; r < nc; r++) if (losses[r]! < threshold) atThreshold--;
    for (let r = 0; r < nc; r++) {
      const loss = losses[r]!;
      if (loss < threshold) flags[completeIdx[r]!] = 1;
      else if (loss === threshold && atThreshold > 0) {
        flags[completeIdx[r]!] = 1;
        atThreshold--;
      }
    }
  }
  pruned.sort(
    (a, b) => b.step - a.step || (a.loss < b.loss ? -1 : a.loss > b.loss ? 1 : a.number - b.number),
  );
  pruned.forEach((p, r) => {
    flags[p.i] = r < nBelow - fromComplete ? 1 : 0;
  });
  return { flags, nBelow, nAbove: total - nBelow };
}

/**
 * The observation count that sets the good mixture's multivariate bandwidth with
 * `shrinkGoodBandwidth`: max(m, n / (1 + p)) for m good observations among n visible finished trials,
 * p trials pending. Each visible result informs 1 + p suggestions (this one and the pending ones), so
 * the kernels narrow as n / (1 + p) grows; never wider than Optuna's rule (count m).
 */
export function goodBandwidthCount(nBelow: number, nVisible: number, nPending: number): number {
  return Math.max(nBelow, nVisible / (1 + nPending));
}

/** The k-th smallest value (0-based) of `values`, which it reorders (quickselect, median of three). */
function kthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    // Median of the three.
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
