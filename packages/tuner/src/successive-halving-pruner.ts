import { checkOptionsObject, describe, intOption, invalidOption, withDefaults } from "./_options.js";
import { type Pruner, type PrunerContext, sortedValues, valueAtOrAfter } from "./pruner.js";
import type { FrozenTrial, IntermediateValue } from "./trial.js";

/** Options of {@link createSuccessiveHalvingPruner}; the defaults are Optuna's. */
export interface SuccessiveHalvingPrunerOptions {
  /**
   * Step of the first rung (the minimum resource r). `"auto"`: the largest last step of the visible
   * complete trials divided by 100 (at least 1); no pruning until a trial is complete.
   * @defaultValue "auto"
   */
  readonly minResource?: number | "auto";
  /**
   * Reduction factor η: rung k is at step r · η^(s + k) and keeps the top 1/η of the trials that reached it.
   * @defaultValue 4
   */
  readonly reductionFactor?: number;
  /**
   * Minimum early-stopping rate s (shifts the first rung to r · η^s).
   * @defaultValue 0
   */
  readonly minEarlyStoppingRate?: number;
  /**
   * Prune at a rung until more than this many trials (this one included) have a value there.
   * @defaultValue 0
   */
  readonly bootstrapCount?: number;
}

/** Defaults of {@link createSuccessiveHalvingPruner} (Optuna's), filled in there. */
export const SUCCESSIVE_HALVING_PRUNER_DEFAULTS = Object.freeze({
  minResource: "auto" as number | "auto",
  reductionFactor: 4,
  minEarlyStoppingRate: 0,
  bootstrapCount: 0,
});

const OWNER = "successive-halving pruner";

function countBeyond(sorted: Float64Array, v: number, maximize: boolean): number {
  // Number of values strictly better than v.
  let lo = 0;
  let hi = sorted.length;
  if (!maximize) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * Asynchronous successive halving (ASHA), as Optuna's
 * `SuccessiveHalvingPruner`. Rungs sit at steps r · η^(s + k); a trial reaching rung k is kept when its
 * value there is in the top 1/η of the values at that rung (its own and those of the visible trials
 * that reached it), otherwise it is pruned. A trial's value at a rung is its value at the first step
 * it reported at or after the rung's step, so decisions are a function of reported data only.
 * @param options - see {@link SuccessiveHalvingPrunerOptions}
 * @returns the pruner (description `{ kind: "successive-halving", options }`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createSuccessiveHalvingPruner(options: SuccessiveHalvingPrunerOptions = {}): Pruner {
  checkOptionsObject(OWNER, options);
  const o = withDefaults(SUCCESSIVE_HALVING_PRUNER_DEFAULTS, options);
  const minResource = o.minResource;
  if (
    minResource !== "auto" &&
    !(typeof minResource === "number" && Number.isSafeInteger(minResource) && minResource >= 1)
  ) {
    invalidOption(OWNER, `minResource must be "auto" or an integer >= 1, got ${describe(minResource)}`);
  }
  const reductionFactor = intOption(OWNER, "reductionFactor", o.reductionFactor, 2);
  const minEarlyStoppingRate = intOption(OWNER, "minEarlyStoppingRate", o.minEarlyStoppingRate, 0);
  const bootstrapCount = intOption(OWNER, "bootstrapCount", o.bootstrapCount, 0);
  const cache = new WeakMap<
    readonly FrozenTrial[],
    { resource: number | undefined; rungs: Map<number, Float64Array> }
  >();

  const entryFor = (history: readonly FrozenTrial[]) => {
    let entry = cache.get(history);
    if (entry === undefined) {
      let resource: number | undefined;
      if (minResource === "auto") {
        let maxLast = -1;
        for (const t of history) {
          const last = t.intermediateValues[t.intermediateValues.length - 1];
          if (t.state === "complete" && last !== undefined) maxLast = Math.max(maxLast, last.step);
        }
        resource = maxLast < 0 ? undefined : Math.max(Math.floor(maxLast / 100), 1);
      } else resource = minResource;
      entry = { resource, rungs: new Map() };
      cache.set(history, entry);
    }
    return entry;
  };

  return Object.freeze({
    description: Object.freeze({
      kind: "successive-halving",
      options: Object.freeze({ minResource, reductionFactor, minEarlyStoppingRate, bootstrapCount }),
    }),
    prune(ctx: PrunerContext): boolean {
      const own = ctx.intermediateValues;
      const last = own[own.length - 1];
      if (last === undefined) return false;
      const entry = entryFor(ctx.history);
      if (entry.resource === undefined) return false;
      const maximize = ctx.direction === "maximize";
      for (let rung = 0; ; rung++) {
        const rungStep = entry.resource * reductionFactor ** (minEarlyStoppingRate + rung);
        if (last.step < rungStep) return false;
        const value = valueAtOrAfter(own, rungStep)!;
        const at = (values: readonly IntermediateValue[]) => valueAtOrAfter(values, rungStep);
        const sorted = sortedValues(entry.rungs, rung, ctx.history, at);
        const competing = sorted.length + 1;
        if (competing <= bootstrapCount) return true;
        const promotable = Math.max(0, Math.floor(competing / reductionFactor) - 1);
        if (countBeyond(sorted, value, maximize) > promotable) return true;
      }
    },
  } satisfies Pruner);
}
