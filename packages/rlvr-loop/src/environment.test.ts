import type { RlvrContext } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { type Environment, exactBaselines, exactOptimalValue, exactPolicyValue } from "./environment.js";
import { constantPolicy, createPolicy, uniformPolicy } from "./policy.js";

/** Two contexts (0.25 / 0.75) × two actions with known expected rewards; action "b" not allowed in "y". */
const tiny: Environment = {
  name: "tiny",
  actions: ["a", "b"],
  sample: () => ({ id: "t", context: { features: { c: "x" } } }),
  verify: () => ({ reward: 0, verified: false, reason: "", output: "" }),
  contexts: () => [
    { context: { features: { c: "x" } }, probability: 0.25 },
    { context: { features: { c: "y" } }, probability: 0.75, allowedActions: ["a"] },
  ],
  expectedRewards: (context: RlvrContext) =>
    Float64Array.from(context.features?.c === "x" ? [0.2, 0.9] : [0.6, 1]),
};

describe("exact values", () => {
  it("computes Σ_x P(x) Σ_a π(a|x) r̄(x, a), the optimum and the baselines", () => {
    expect(exactPolicyValue(tiny, uniformPolicy(["a", "b"]))).toBeCloseTo(0.25 * 0.55 + 0.75 * 0.6, 14);
    expect(exactPolicyValue(tiny, constantPolicy(["a", "b"], "b"))).toBeCloseTo(0.25 * 0.9 + 0.75 * 0.6, 14);
    expect(exactOptimalValue(tiny)).toBeCloseTo(0.25 * 0.9 + 0.75 * 0.6, 14);
    const base = exactBaselines(tiny);
    expect(base.uniform).toBeCloseTo(0.25 * 0.55 + 0.75 * 0.6, 14);
    expect(base.perAction).toEqual({
      a: expect.closeTo(0.6 * 0.75 + 0.2 * 0.25, 14),
      b: expect.closeTo(0.675, 14),
    });
    expect(base.bestSingleAction).toEqual({ action: "b", value: expect.closeTo(0.675, 14) });
  });

  it("refuses environments without a finite context set and mismatched policies", () => {
    const { contexts: _c, expectedRewards: _e, ...open } = tiny;
    expect(() => exactPolicyValue(open, uniformPolicy(["a", "b"]))).toThrow(/no finite context set/);
    expect(() => exactPolicyValue(tiny, createPolicy({ actions: ["a", "c"] }))).toThrow(/differ/);
  });
});
