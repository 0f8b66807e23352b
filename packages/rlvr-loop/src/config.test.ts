import { describe, expect, it } from "vitest";
import { defaultTrainConfig, resolveTrainConfig, validateTrainConfig } from "./config.js";
import { RlvrLoopError } from "./errors.js";

describe("training configuration", () => {
  it("has valid, frozen defaults", () => {
    expect(() => validateTrainConfig(defaultTrainConfig)).not.toThrow();
    expect(Object.isFrozen(defaultTrainConfig.optimizer)).toBe(true);
    expect(resolveTrainConfig()).toEqual(defaultTrainConfig);
  });

  it("merges nested members and completes the featurizer", () => {
    const c = resolveTrainConfig({
      optimizer: { learningRate: 0.1 },
      featurizer: { dimension: 64 },
      kl: { beta: 0.05 },
    });
    expect(c.optimizer).toEqual({ ...defaultTrainConfig.optimizer, learningRate: 0.1 });
    expect(c.featurizer.dimension).toBe(64);
    expect(c.featurizer.bigrams).toBe(true);
    expect(c.kl).toEqual({ beta: 0.05, estimator: "exact" });
    expect(Object.isFrozen(c.kl)).toBe(true);
  });

  it("rejects bad values with the JSON pointer", () => {
    const bad = (partial: object, pattern: RegExp) => {
      let error: unknown;
      try {
        resolveTrainConfig(partial as never);
      } catch (err) {
        error = err;
      }
      expect(RlvrLoopError.is(error)).toBe(true);
      expect((error as RlvrLoopError).code).toBe("INVALID_CONFIG");
      expect((error as Error).message).toMatch(pattern);
    };
    bad({ epochs: 0 }, /\/epochs/);
    bad({ optimizer: { learningRate: -1 } }, /\/optimizer\/learningRate/);
    bad({ optimizer: { learnigRate: 1 } }, /unknown member "learnigRate"/);
    bad({ clip: { epsilonLow: 1 } }, /\/clip\/epsilonLow/);
    bad({ advantage: { baseline: "median" } }, /\/advantage\/baseline/);
    bad({ seed: -1 }, /\/seed/);
    bad({ featurizer: { dimension: 0 } }, /\/featurizer/);
    bad({ optimizer: { learningRate: Number.POSITIVE_INFINITY } }, /learningRate/);
    bad({ kl: 3 }, /\/kl: must be an object/);
    bad({ rewardWeights: {} }, /\/rewardWeights/);
  });
});
