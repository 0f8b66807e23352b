import { describe, expect, it } from "vitest";
import { frozenTrial, prunerContext } from "./__fixtures__/trials.js";
import { TunerError } from "./errors.js";
import { createMedianPruner, createPercentilePruner } from "./median-pruner.js";
import type { PrunerContext } from "./pruner.js";
import type { Direction, FrozenTrial, TrialState } from "./trial.js";

function trial(number: number, values: number[], state: TrialState = "complete", firstStep = 0): FrozenTrial {
  const steps = values.map((value, i) => [firstStep + i, value] as const);
  return frozenTrial(number, state, steps, values[values.length - 1]);
}

function ctx(
  values: number[],
  history: readonly FrozenTrial[],
  direction: Direction = "minimize",
): PrunerContext {
  return prunerContext(
    values.map((value, step) => [step, value] as const),
    history,
    direction,
  );
}

// Five complete trials with values at steps 0..2; medians per step: 3, 2, 1.
const history = Object.freeze([
  trial(0, [1, 0, -1]),
  trial(1, [2, 1, 0]),
  trial(2, [3, 2, 1]),
  trial(3, [4, 3, 2]),
  trial(4, [5, 4, 3]),
]);

describe("createMedianPruner", () => {
  it("prunes a trial whose best value is worse than the median at its step", () => {
    const p = createMedianPruner();
    expect(p.prune(ctx([3.5], history))).toBe(true);
    expect(p.prune(ctx([3], history))).toBe(false);
    expect(p.prune(ctx([2.5], history))).toBe(false);
    // Best so far counts: 0 at step 0 keeps it below the step-1 median (2).
    expect(p.prune(ctx([0, 5], history))).toBe(false);
    expect(p.prune(ctx([4, 5], history))).toBe(true);
  });

  it("maximises with the mirrored rule", () => {
    const p = createMedianPruner();
    expect(p.prune(ctx([2.5], history, "maximize"))).toBe(true);
    expect(p.prune(ctx([3.5], history, "maximize"))).toBe(false);
  });

  it("waits for nStartupTrials complete trials and nWarmupSteps steps", () => {
    expect(createMedianPruner({ nStartupTrials: 6 }).prune(ctx([100], history))).toBe(false);
    expect(createMedianPruner({ nWarmupSteps: 1 }).prune(ctx([100], history))).toBe(false);
    expect(createMedianPruner({ nWarmupSteps: 1 }).prune(ctx([100, 100], history))).toBe(true);
    expect(createMedianPruner().prune(ctx([], history))).toBe(false);
  });

  it("counts only complete trials (pruned and failed ones do not set the median)", () => {
    const mixed = [...history, trial(5, [-100, -100], "pruned"), trial(6, [-100], "failed")];
    expect(createMedianPruner().prune(ctx([3.5], mixed))).toBe(true);
    expect(createMedianPruner({ nStartupTrials: 6 }).prune(ctx([3.5], mixed))).toBe(false);
  });

  it("handles uneven step counts with nMinTrials", () => {
    // Only two trials reached step 5.
    const uneven = [...history, trial(5, [9, 9, 9, 9, 9, 0]), trial(6, [9, 9, 9, 9, 9, 1])];
    const values = [0, 0, 0, 0, 0, 0.8];
    expect(createMedianPruner().prune(ctx(values, uneven))).toBe(false); // 0 is its best
    const worse = [9, 9, 9, 9, 9, 0.8];
    expect(createMedianPruner().prune(ctx(worse, uneven))).toBe(true); // median at 5 is 0.5
    expect(createMedianPruner({ nMinTrials: 3 }).prune(ctx(worse, uneven))).toBe(false);
    // A step no complete trial reached: no decision.
    expect(createMedianPruner().prune(ctx([9, 9, 9, 9, 9, 9, 9, 9], uneven))).toBe(false);
  });

  it("judges only at the first report of each interval", () => {
    const p = createMedianPruner({ intervalSteps: 2 });
    const long = history.map((t) => trial(t.number, [...t.intermediateValues.map((v) => v.value), 0, 0, 0]));
    expect(p.prune(ctx([9, 9, 9], long))).toBe(true); // step 2 opens an interval
    expect(p.prune(ctx([9, 9, 9, 9], long))).toBe(false); // step 3 does not
  });

  it("describes itself and validates options", () => {
    expect(createMedianPruner().description).toEqual({
      kind: "median",
      options: { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1 },
    });
    for (const bad of [
      { nStartupTrials: -1 },
      { intervalSteps: 0 },
      { nMinTrials: 0 },
      { nWarmupSteps: 1.5 },
    ]) {
      expect(() => createMedianPruner(bad)).toThrow(TunerError);
    }
  });
});

describe("createPercentilePruner", () => {
  it("uses numpy's linear-interpolation percentile", () => {
    // Values at step 0: 1..5; the 25th percentile is 2, the 90th is 4.6.
    expect(createPercentilePruner({ percentile: 25 }).prune(ctx([2.01], history))).toBe(true);
    expect(createPercentilePruner({ percentile: 25 }).prune(ctx([2], history))).toBe(false);
    expect(createPercentilePruner({ percentile: 90 }).prune(ctx([4.61], history))).toBe(true);
    expect(createPercentilePruner({ percentile: 90 }).prune(ctx([4.59], history))).toBe(false);
    // Maximize: a trial must beat the (100 − p)th percentile.
    expect(createPercentilePruner({ percentile: 25 }).prune(ctx([3.99], history, "maximize"))).toBe(true);
    expect(() => createPercentilePruner({ percentile: 101 })).toThrow(TunerError);
  });
});
