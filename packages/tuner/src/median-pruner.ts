import { checkOptionsObject, describe, intOption, invalidOption, withDefaults } from "./_options.js";
import { type Pruner, type PrunerContext, sortedValues, valueAtStep } from "./pruner.js";
import type { FrozenTrial } from "./trial.js";

/** Options of {@link createPercentilePruner} and {@link createMedianPruner}; the defaults are Optuna's. */
export interface MedianPrunerOptions {
  /**
   * Never prune until this many visible trials are complete.
   * @defaultValue 5
   */
  readonly nStartupTrials?: number;
  /**
   * Never prune a trial before it reaches this step.
   * @defaultValue 0
   */
  readonly nWarmupSteps?: number;
  /**
   * Judge only at the first report in each interval of this many steps after the warm-up.
   * @defaultValue 1
   */
  readonly intervalSteps?: number;
  /**
   * Judge at step s only when at least this many visible complete trials reported a value at s
   * (handles trials with uneven step counts).
   * @defaultValue 1
   */
  readonly nMinTrials?: number;
}

/** Options of {@link createPercentilePruner}. */
export interface PercentilePrunerOptions extends MedianPrunerOptions {
  /** Percentile in [0, 100] of the other trials' values at the step that a trial must beat (50: median). */
  readonly percentile: number;
}

/** Defaults of {@link createMedianPruner} and {@link createPercentilePruner} (Optuna's), filled in there. */
export const MEDIAN_PRUNER_DEFAULTS = Object.freeze({
  nStartupTrials: 5,
  nWarmupSteps: 0,
  intervalSteps: 1,
  nMinTrials: 1,
});

/** Linear-interpolation percentile (numpy's default) of sorted values. */
function percentileOf(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function isFirstInInterval(ctx: PrunerContext, step: number, warmup: number, interval: number): boolean {
  const nearestLower = Math.floor((step - warmup) / interval) * interval + warmup;
  const values = ctx.intermediateValues;
  const secondLast = values.length >= 2 ? values[values.length - 2]!.step : -1;
  return secondLast < nearestLower;
}

function build(options: PercentilePrunerOptions, kind: "median" | "percentile"): Pruner {
  const owner = `${kind} pruner`;
  checkOptionsObject(owner, options);
  const o = withDefaults(MEDIAN_PRUNER_DEFAULTS, options);
  const percentile = o.percentile;
  if (typeof percentile !== "number" || !(percentile >= 0 && percentile <= 100)) {
    invalidOption(owner, `percentile must be a number in [0, 100], got ${describe(percentile)}`);
  }
  const nStartupTrials = intOption(owner, "nStartupTrials", o.nStartupTrials, 0);
  const nWarmupSteps = intOption(owner, "nWarmupSteps", o.nWarmupSteps, 0);
  const intervalSteps = intOption(owner, "intervalSteps", o.intervalSteps, 1);
  const nMinTrials = intOption(owner, "nMinTrials", o.nMinTrials, 1);
  // Per visible history (fixed for a trial): complete trials, and their sorted values per step.
  const cache = new WeakMap<
    readonly FrozenTrial[],
    { complete: FrozenTrial[]; steps: Map<number, Float64Array> }
  >();

  const opts: Record<string, number> = { nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials };
  if (kind === "percentile") opts["percentile"] = percentile;
  return Object.freeze({
    description: Object.freeze({ kind, options: Object.freeze(opts) }),
    prune(ctx: PrunerContext): boolean {
      const last = ctx.intermediateValues[ctx.intermediateValues.length - 1];
      if (last === undefined) return false;
      let entry = cache.get(ctx.history);
      if (entry === undefined) {
        entry = { complete: ctx.history.filter((t) => t.state === "complete"), steps: new Map() };
        cache.set(ctx.history, entry);
      }
      if (entry.complete.length === 0 || entry.complete.length < nStartupTrials) return false;
      const step = last.step;
      if (step < nWarmupSteps) return false;
      if (!isFirstInInterval(ctx, step, nWarmupSteps, intervalSteps)) return false;
      const maximize = ctx.direction === "maximize";
      let best = maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      for (const iv of ctx.intermediateValues)
        best = maximize ? Math.max(best, iv.value) : Math.min(best, iv.value);
      const sorted = sortedValues(entry.steps, step, entry.complete, (values) => valueAtStep(values, step));
      if (sorted.length === 0 || sorted.length < nMinTrials) return false;
      const threshold = percentileOf(sorted, maximize ? 100 - percentile : percentile);
      return maximize ? best < threshold : best > threshold;
    },
  } satisfies Pruner);
}

/**
 * A pruner that stops a trial whose best value so far is worse than the given percentile of the
 * values that visible complete trials reported at the same step (Optuna's `PercentilePruner`).
 * @param options - percentile and schedule, see {@link PercentilePrunerOptions}
 * @returns the pruner (description `{ kind: "percentile", options }`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createPercentilePruner(options: PercentilePrunerOptions): Pruner {
  return build(options, "percentile");
}

/**
 * The median pruner (as Optuna's `MedianPruner`): stops a trial whose best intermediate value so far is
 * worse than the median of the values that visible complete trials reported at the same step, once
 * `nStartupTrials` trials are complete, from step `nWarmupSteps` on, and only when at least
 * `nMinTrials` of them reported at that step.
 * @param options - schedule, see {@link MedianPrunerOptions}
 * @returns the pruner (description `{ kind: "median", options }`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createMedianPruner(options: MedianPrunerOptions = {}): Pruner {
  checkOptionsObject("median pruner", options);
  return build({ ...options, percentile: 50 }, "median");
}
