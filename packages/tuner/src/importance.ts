import { compareCodeUnits } from "./search-space.js";
import type { FrozenTrial } from "./trial.js";

/** Importance of one parameter, see {@link parameterImportance}. */
export interface ParamImportance {
  /** Parameter name. */
  readonly name: string;
  /** Share of the summed explained variance, in [0, 1]; the importances of a study sum to 1 (or all 0). */
  readonly importance: number;
  /**
   * Adjusted share of the objective's variance explained by this parameter's marginal means, in [0, 1]
   * (η² corrected for the number of bins, as adjusted R² is).
   */
  readonly varianceExplained: number;
}

/** Options of {@link parameterImportance}. */
export interface ParameterImportanceOptions {
  /**
   * Largest number of equal-count bins for a numeric parameter (fewer with few trials:
   * `min(bins, ⌊√n⌋)`, at least 2).
   * @defaultValue 10
   */
  readonly bins?: number;
}

function groupsFor(values: readonly unknown[], maxBins: number): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  const numeric = values.every((v) => typeof v === "number");
  if (!numeric) {
    const ids = new Map<string, number>();
    values.forEach((v, i) => {
      const key = `${typeof v}:${String(v)}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      out[i] = id;
    });
    return out;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number) || a - b,
  );
  const bins = Math.max(2, Math.min(maxBins, Math.floor(Math.sqrt(n))));
  let bin = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const prev = r > 0 ? order[r - 1]! : -1;
    // Equal values share a bin; otherwise the bin follows the rank.
    if (r > 0 && values[i] !== values[prev]) bin = Math.max(bin, Math.floor((r * bins) / n));
    out[i] = bin;
  }
  return out;
}

/**
 * Per-parameter importance by the variance of marginal means (a first-order, forest-free cousin of
 * fANOVA): over the complete trials, each parameter's values are grouped (one group per categorical
 * value; equal-count bins of the sorted values for numeric ones), and its explained variance is the
 * between-group variance of the objective's group means divided by the objective's total variance,
 * adjusted for the number of groups (`1 − (1 − η²)(n − 1)/(n − g)`, floored at 0) so that a parameter
 * with no effect scores about 0. Importances are these shares normalised to sum to 1. Interactions are
 * not captured. Deterministic; parameters sorted by decreasing importance, then name.
 * @param trials - trials of a study (only `complete` ones are used)
 * @param options - see {@link ParameterImportanceOptions}
 * @returns one entry per parameter that appears in the trials
 */
export function parameterImportance(
  trials: readonly FrozenTrial[],
  options: ParameterImportanceOptions = {},
): ParamImportance[] {
  const maxBins = options.bins ?? 10;
  const complete = trials.filter((t) => t.state === "complete" && t.value !== undefined);
  const names = new Set<string>();
  for (const t of trials) for (const k of Object.keys(t.params)) names.add(k);
  const sorted = [...names].sort(compareCodeUnits);
  const n = complete.length;
  const y = Float64Array.from(complete, (t) => t.value!);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean = n > 0 ? mean / n : 0;
  let total = 0;
  for (let i = 0; i < n; i++) total += (y[i]! - mean) ** 2;
  const explained = sorted.map((name) => {
    if (n < 3 || !(total > 0)) return 0;
    const groups = groupsFor(
      complete.map((t) => t.params[name]),
      maxBins,
    );
    let g = 0;
    for (let i = 0; i < n; i++) g = Math.max(g, groups[i]! + 1);
    const sums = new Float64Array(g);
    const counts = new Float64Array(g);
    for (let i = 0; i < n; i++) {
      sums[groups[i]!] = sums[groups[i]!]! + y[i]!;
      counts[groups[i]!] = counts[groups[i]!]! + 1;
    }
    let used = 0;
    let between = 0;
    for (let k = 0; k < g; k++) {
      if (counts[k] === 0) continue;
      used++;
      between += counts[k]! * (sums[k]! / counts[k]! - mean) ** 2;
    }
    if (used < 2 || n <= used) return 0;
    const eta2 = Math.min(1, between / total);
    return Math.max(0, 1 - ((1 - eta2) * (n - 1)) / (n - used));
  });
  const sum = explained.reduce((a, b) => a + b, 0);
  return sorted
    .map((name, i) => ({
      name,
      importance: sum > 0 ? explained[i]! / sum : 0,
      varianceExplained: explained[i]!,
    }))
    .sort((a, b) => b.importance - a.importance || compareCodeUnits(a.name, b.name));
}
