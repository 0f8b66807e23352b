import { createPolicy } from "@rlvr/rlvr-loop";
import { describe, expect, it } from "vitest";
import { singleActionPolicy } from "./_ship.js";

describe("singleActionPolicy", () => {
  const learned = createPolicy({ actions: ["b", "a", "c"], featurizer: { dimension: 8 } });
  it("takes its action with probability 1 − e^−50 (2e−22 each for the others), whatever the context", () => {
    const p = singleActionPolicy(learned, "c");
    for (const context of [{ prompt: "x" }, { features: { k: 3 } }, {}]) {
      const lp = p.logProbs(context);
      expect(p.actions).toEqual(["a", "b", "c"]);
      expect(Math.exp(lp[2]!)).toBe(1);
      expect(lp[0]!).toBeCloseTo(-50, 10);
      expect(lp[1]!).toBeCloseTo(-50, 10);
      expect(p.act(context).action).toBe("c");
    }
  });
  it("falls back to the allowed actions when its action is not allowed", () => {
    const lp = singleActionPolicy(learned, "c").logProbs({}, { allowedActions: ["a", "b"] });
    expect(Math.exp(lp[0]!)).toBeCloseTo(0.5, 12);
    expect(lp[2]).toBe(Number.NEGATIVE_INFINITY);
  });
});
