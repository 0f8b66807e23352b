import { defaultTrainConfig } from "@rlvr/rlvr-loop";
import { describe, expect, it } from "vitest";
import { applyParams, checkParamPaths, DEFAULT_SEARCH_SPACE } from "./index.js";

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
