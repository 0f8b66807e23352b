import { describe, expect, it } from "vitest";
import { createStream, nextFloat } from "./_rng.js";
import { parameterImportance } from "./importance.js";
import type { FrozenTrial } from "./trial.js";

function trial(
  number: number,
  params: Record<string, string | number | boolean>,
  value: number | undefined,
  state: FrozenTrial["state"] = "complete",
): FrozenTrial {
  return {
    number,
    state,
    params,
    seed: 0,
    attempts: 1,
    intermediateValues: [],
    ...(value === undefined ? {} : { value }),
  };
}

/** A deterministic pseudo-random sequence in [0, 1) (a Weyl sequence; good enough for test inputs). */
const weyl = (i: number, a: number) => (i * a) % 1;

describe("parameterImportance", () => {
  it("gives the parameter that drives the objective almost all the importance", () => {
    const trials = Array.from({ length: 200 }, (_, i) => {
      const x = weyl(i, 0.6180339887);
      const z = weyl(i, 0.7548776662);
      return trial(i, { x, z, fixed: 1 }, (x - 0.3) ** 2);
    });
    const imp = parameterImportance(trials);
    expect(imp.map((p) => p.name)).toEqual(["x", "fixed", "z"]);
    expect(imp[0]!.importance).toBeGreaterThan(0.95);
    expect(imp[0]!.varianceExplained).toBeGreaterThan(0.9);
    expect(imp.find((p) => p.name === "fixed")?.importance).toBe(0);
    expect(imp.reduce((a, p) => a + p.importance, 0)).toBeCloseTo(1, 12);
  });

  it("handles categorical parameters and splits importance between two effects", () => {
    const trials = Array.from({ length: 240 }, (_, i) => {
      const opt = ["a", "b", "c"][i % 3]!;
      const x = weyl(i, 0.6180339887);
      return trial(i, { opt, x }, (opt === "b" ? 1 : 0) + x);
    });
    const imp = Object.fromEntries(parameterImportance(trials).map((p) => [p.name, p]));
    // Var(opt effect) = 2/9 ≈ 0.222, Var(x) = 1/12 ≈ 0.083: opt explains about 73 % of the sum.
    expect(imp["opt"]!.importance).toBeGreaterThan(0.6);
    expect(imp["x"]!.importance).toBeGreaterThan(0.15);
    expect(imp["opt"]!.varianceExplained).toBeCloseTo(0.222 / 0.305, 1);
  });

  it("uses complete trials only and returns zeros without enough data or variance", () => {
    const few = [trial(0, { x: 1 }, 1), trial(1, { x: 2 }, 2), trial(2, { x: 3 }, undefined, "failed")];
    expect(parameterImportance(few)).toEqual([{ name: "x", importance: 0, varianceExplained: 0 }]);
    const flat = Array.from({ length: 20 }, (_, i) => trial(i, { x: i }, 5));
    expect(parameterImportance(flat)[0]?.importance).toBe(0);
    expect(parameterImportance([])).toEqual([]);
  });

  it("scores a parameter without effect near zero despite binning noise", () => {
    const rng = createStream(5, "noise", 0);
    const trials = Array.from({ length: 100 }, (_, i) =>
      trial(i, { x: weyl(i, 0.6180339887) }, nextFloat(rng)),
    );
    expect(parameterImportance(trials, { bins: 10 })[0]!.varianceExplained).toBeLessThan(0.1);
  });
});
