import { defaultTrainConfig } from "@rlvr/rlvr-loop";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyParams, checkParamPaths, DEFAULT_SEARCH_SPACE, sanitizeLabel } from "./index.js";

describe("applyParams", () => {
  it("sets dotted paths and validates the result", () => {
    const c = applyParams(defaultTrainConfig, { "optimizer.learningRate": 0.3, epochs: 2, "kl.beta": 0.01 });
    expect(c.optimizer.learningRate).toBe(0.3);
    expect(c.epochs).toBe(2);
    expect(c.kl.beta).toBe(0.01);
    expect(c.optimizer.beta1).toBe(defaultTrainConfig.optimizer.beta1);
    expect(defaultTrainConfig.epochs).toBe(10);
  });

  it("rejects unknown paths, object members and invalid values", () => {
    expect(() => applyParams(defaultTrainConfig, { "optimizer.lr": 1 })).toThrow(/not a TrainConfig member/);
    expect(() => applyParams(defaultTrainConfig, { optimizer: 1 })).toThrow(/not a TrainConfig member/);
    expect(() => applyParams(defaultTrainConfig, { epochs: 0 })).toThrow(/INVALID|epochs/);
  });

  it("every default search-space parameter names a TrainConfig member", () => {
    expect(checkParamPaths(defaultTrainConfig, Object.keys(DEFAULT_SEARCH_SPACE))).toEqual([]);
    expect(checkParamPaths(defaultTrainConfig, ["nope", "clip"])).toHaveLength(2);
  });
});

describe("sanitizeLabel", () => {
  it("removes path separators and leading dots", () => {
    expect(sanitizeLabel("../../x")).toBe("x");
    expect(sanitizeLabel("a/b\\c")).toBe("a-b-c");
    expect(sanitizeLabel("..")).toBe("job");
    expect(sanitizeLabel("")).toBe("job");
    expect(sanitizeLabel("nightly_v2.1")).toBe("nightly_v2.1");
  });

  it("always yields a safe, non-empty file-name stem", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (label) => {
        const s = sanitizeLabel(label);
        expect(s.length).toBeGreaterThan(0);
        expect(s.length).toBeLessThanOrEqual(100);
        expect(s).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
        expect(s.includes("..") && s.startsWith(".")).toBe(false);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
