import { describe, expect, it } from "vitest";
import { frozenTrial, prunerContext } from "./__fixtures__/trials.js";
import { TunerError } from "./errors.js";
import { createSuccessiveHalvingPruner } from "./successive-halving-pruner.js";
import type { FrozenTrial } from "./trial.js";

const trial = (number: number, steps: [number, number][], state: FrozenTrial["state"] = "complete") =>
  frozenTrial(number, state, steps);
const ctx = prunerContext;

// Seven trials with values at steps 1 and 4 (rungs of r = 1, η = 4 are at 1, 4, 16).
const history = Object.freeze(
  [1, 2, 3, 4, 5, 6, 7].map((v, i) =>
    trial(i, [
      [1, v],
      [4, v / 2],
    ]),
  ),
);

describe("createSuccessiveHalvingPruner", () => {
  it("keeps the top 1/η at each rung", () => {
    const p = createSuccessiveHalvingPruner({ minResource: 1, reductionFactor: 4 });
    // Rung 0 (step 1): 8 values with its own; promotable index ⌊8/4⌋ − 1 = 1: at most one better value.
    expect(p.prune(ctx([[1, 1.5]], history))).toBe(false);
    expect(p.prune(ctx([[1, 2]], history))).toBe(false);
    expect(p.prune(ctx([[1, 2.5]], history))).toBe(true);
    // Before the first rung: never pruned.
    expect(p.prune(ctx([[0, 100]], history))).toBe(false);
    // Rung 1 (step 4): the values there are v / 2.
    expect(
      p.prune(
        ctx(
          [
            [1, 0],
            [4, 0.9],
          ],
          history,
        ),
      ),
    ).toBe(false);
    expect(
      p.prune(
        ctx(
          [
            [1, 0],
            [4, 1.2],
          ],
          history,
        ),
      ),
    ).toBe(true);
  });

  it("takes a trial's rung value at its first report at or after the rung step", () => {
    const sparse = [trial(0, [[2, 1]]), trial(1, [[3, 2]]), trial(2, [[1, 3]]), trial(3, [[5, 4]])];
    const p = createSuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    // Rung 0 (step 1) values: 1, 2, 3, 4 and its own 2.2 -> index ⌊5/2⌋ − 1 = 1: one better value allowed.
    expect(p.prune(ctx([[3, 2.2]], sparse))).toBe(true);
    expect(p.prune(ctx([[3, 1.5]], sparse))).toBe(false);
  });

  it("maximises with the mirrored rule", () => {
    const p = createSuccessiveHalvingPruner({ minResource: 1 });
    expect(p.prune(ctx([[1, 6]], history, "maximize"))).toBe(false);
    expect(p.prune(ctx([[1, 5.5]], history, "maximize"))).toBe(true);
  });

  it("estimates the minimum resource from complete trials with 'auto'", () => {
    const p = createSuccessiveHalvingPruner();
    expect(p.prune(ctx([[1, 100]], []))).toBe(false); // nothing complete: no pruning
    const long = [0, 1, 2, 3, 4, 5, 6].map((i) =>
      trial(i, [
        [200, i],
        [399, i],
      ]),
    );
    // Largest last step 399 -> r = ⌊399 / 100⌋ = 3: rungs at steps 3, 12, 48, 192, ...
    expect(p.prune(ctx([[2, 100]], long))).toBe(false); // before the first rung
    expect(p.prune(ctx([[3, 100]], long))).toBe(true); // the others' values there (from step 200) are 0..6
    expect(p.prune(ctx([[3, -1]], long))).toBe(false); // best at rung 0, rung 1 not reached
    expect(
      p.prune(
        ctx(
          [
            [3, -1],
            [192, 4],
          ],
          long,
        ),
      ),
    ).toBe(true); // rung 3: 4 vs 0..6, needs top 2 of 8
  });

  it("prunes until bootstrapCount trials reached the rung", () => {
    const p = createSuccessiveHalvingPruner({ minResource: 1, bootstrapCount: 2 });
    expect(p.prune(ctx([[1, 0]], history.slice(0, 1)))).toBe(true);
    expect(p.prune(ctx([[1, 0]], history.slice(0, 2)))).toBe(false);
  });

  it("describes itself and validates options", () => {
    expect(createSuccessiveHalvingPruner().description).toEqual({
      kind: "successive-halving",
      options: { minResource: "auto", reductionFactor: 4, minEarlyStoppingRate: 0, bootstrapCount: 0 },
    });
    for (const bad of [
      { minResource: 0 },
      { reductionFactor: 1 },
      { minEarlyStoppingRate: -1 },
      { minResource: "x" },
    ]) {
      expect(() => createSuccessiveHalvingPruner(bad as never)).toThrow(TunerError);
    }
  });
});
