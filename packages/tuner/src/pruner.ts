import type { ComponentDescription } from "./sampler.js";
import type { Direction, FrozenTrial, IntermediateValue } from "./trial.js";

/**
 * Everything a pruner may use to decide about one trial. Like the sampler's context it is fixed by the
 * study design: `history` is the set of trials visible to this trial when it was asked, so pruning
 * decisions never depend on which other trial finished first.
 */
export interface PrunerContext {
  /** Number of the trial being judged. */
  readonly number: number;
  /** Optimisation direction. */
  readonly direction: Direction;
  /** The trial's reported values so far, ascending step (at least one). */
  readonly intermediateValues: readonly IntermediateValue[];
  /**
   * The finished trials visible to this trial (numbered below `number - pendingWindow`), ascending.
   * The same array object for every call about the same trial, so pruners may cache on it.
   */
  readonly history: readonly FrozenTrial[];
}

/** Decides whether a running trial should stop early. Must be a pure function of its context. */
export interface Pruner {
  /** What the pruner is (kind and options), stored in the journal. */
  readonly description: ComponentDescription;
  /** Whether to stop the trial now. */
  prune(context: PrunerContext): boolean;
}

/**
 * A pruner that never prunes.
 * @returns the pruner (description `{ kind: "none", options: {} }`)
 */
export function createNopPruner(): Pruner {
  return Object.freeze({
    description: Object.freeze({ kind: "none", options: Object.freeze({}) }),
    prune: () => false,
  });
}

/** @internal Value reported at exactly `step`, or undefined. Binary search (steps ascend). */
export function valueAtStep(values: readonly IntermediateValue[], step: number): number | undefined {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = values[mid]!.step;
    if (s === step) return values[mid]!.value;
    if (s < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** @internal Value reported at the first step >= `step`, or undefined. */
export function valueAtOrAfter(values: readonly IntermediateValue[], step: number): number | undefined {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]!.step < step) lo = mid + 1;
    else hi = mid;
  }
  return values[lo]?.value;
}

/**
 * @internal The values `trials` reported at one step, sorted ascending, computed once per `key` and kept
 * in `cache`. `at` picks a trial's value from its reports (`undefined`: none there).
 */
export function sortedValues(
  cache: Map<number, Float64Array>,
  key: number,
  trials: readonly FrozenTrial[],
  at: (values: readonly IntermediateValue[]) => number | undefined,
): Float64Array {
  let sorted = cache.get(key);
  if (sorted === undefined) {
    const values: number[] = [];
    for (const t of trials) {
      const v = at(t.intermediateValues);
      if (v !== undefined) values.push(v);
    }
    sorted = Float64Array.from(values).sort();
    cache.set(key, sorted);
  }
  return sorted;
}
