import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { defaultTrainConfig, resolveTrainConfig, trainConfigSchema, validateTrainConfig } from "./config.js";
import { RlvrLoopError } from "./errors.js";

// The resolved default configuration as it is serialised into fingerprints and job records, taken
// before the configuration was defined by a TypeBox schema (issue 11): key order included.
const DEFAULTS_JSON =
  '{"seed":0,"actions":null,"featurizer":{"kind":"hashing","version":1,"dimension":262144,"seed":0,"features":true,"unigrams":true,"bigrams":true,"lowercase":true,"crosses":[],"numeric":"identity"},"epochs":10,"minibatchGroups":64,"innerIterations":1,"shuffle":true,"advantage":{"baseline":"group","scale":"group","epsilon":0.0001,"degenerateGroups":"batch_mean"},"clip":{"epsilonLow":0.2,"epsilonHigh":0.2},"importanceCorrection":{"enabled":"auto","cap":10},"offPolicy":{"target":"auto","folds":10,"minPropensity":0.01,"modelEpochs":1},"kl":{"beta":0,"estimator":"exact"},"entropyCoef":0,"lossAggregation":"grpo","rewardWeights":null,"optimizer":{"learningRate":0.02,"beta1":0.9,"beta2":0.999,"epsilon":1e-8,"weightDecay":0,"maxGradNorm":1,"lazy":true},"schedule":{"kind":"constant","warmupSteps":0,"minLearningRateRatio":0},"online":{"roundsPerEpoch":25,"tasksPerRound":32,"groupSize":8},"validation":{"metric":"auto"},"earlyStopping":{"patience":null,"minDelta":0,"restoreBest":true,"collapseEntropy":0.05}}';

describe("training configuration", () => {
  it("has valid, frozen defaults", () => {
    expect(() => validateTrainConfig(defaultTrainConfig)).not.toThrow();
    expect(Object.isFrozen(defaultTrainConfig.optimizer)).toBe(true);
    expect(resolveTrainConfig()).toEqual(defaultTrainConfig);
  });

  it("serialises the defaults and a resolved partial byte for byte as before the schema refactor", () => {
    expect(JSON.stringify(defaultTrainConfig)).toBe(DEFAULTS_JSON);
    expect(JSON.stringify(resolveTrainConfig())).toBe(DEFAULTS_JSON);
    const c = resolveTrainConfig({
      rewardWeights: { b: 1, a: 2 },
      optimizer: { lazy: false, learningRate: 0.1 },
      featurizer: { crosses: [["x", "y"]], dimension: 64 },
      actions: ["b", "a"],
    });
    const expected = JSON.parse(DEFAULTS_JSON);
    expected.actions = ["b", "a"];
    expected.featurizer = { ...expected.featurizer, dimension: 64, crosses: [["x", "y"]] };
    expected.rewardWeights = { b: 1, a: 2 };
    expected.optimizer = { ...expected.optimizer, learningRate: 0.1, lazy: false };
    expect(JSON.stringify(c)).toBe(JSON.stringify(expected));
  });

  it("is a valid strict JSON Schema whose defaults validate", () => {
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(trainConfigSchema);
    expect(validate(JSON.parse(DEFAULTS_JSON))).toBe(true);
    expect(validate({ ...JSON.parse(DEFAULTS_JSON), epochs: 0 })).toBe(false);
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
    bad({ epochs: 0 }, /^training configuration: \/epochs: expected an integer ≥ 1, got 0$/);
    bad({ optimizer: { learningRate: -1 } }, /\/optimizer\/learningRate: expected a number > 0, got -1/);
    bad(
      { optimizer: { learnigRate: 1 } },
      /\/optimizer\/learnigRate: unknown member \(expected one of "learningRate"/,
    );
    bad({ clip: { epsilonLow: 1 } }, /\/clip\/epsilonLow: expected a number in \[0, 1\), got 1/);
    bad(
      { advantage: { baseline: "median" } },
      /\/advantage\/baseline: expected one of "group", "rloo", got "median"/,
    );
    bad({ seed: -1 }, /\/seed: expected an integer in \[0, 2\^32 − 1\], got -1/);
    bad(
      { featurizer: { dimension: 0 } },
      /\/featurizer\/dimension: expected an integer in \[1, 67108864\], got 0/,
    );
    bad({ featurizer: { dimenson: 8 } }, /\/featurizer\/dimenson: unknown member/);
    bad(
      { optimizer: { learningRate: Number.POSITIVE_INFINITY } },
      /\/optimizer\/learningRate: expected a finite number, got Infinity/,
    );
    bad({ kl: 3 }, /\/kl: expected an object, got 3/);
    bad({ rewardWeights: {} }, /\/rewardWeights: expected at least 1 member, got \{\}/);
    bad({ rewardWeights: { a: "x" } }, /\/rewardWeights\/a: expected a number, got "x"/);
    bad(
      { optimizer: { maxGradNorm: -1 } },
      /\/optimizer\/maxGradNorm: expected null or a number > 0, got -1/,
    );
    bad({ actions: ["a", "a"] }, /\/actions: items 1 and 0 are the same \("a"\)/);
  });

  it("gives the problem as the error's detail line, without internal names", () => {
    let error: unknown;
    try {
      resolveTrainConfig({ epochs: 1.5 });
    } catch (err) {
      error = err;
    }
    expect(RlvrLoopError.is(error) && error.details).toEqual(["/epochs: expected an integer ≥ 1, got 1.5"]);
    expect((error as Error).message).not.toMatch(/resolve|validate|Ajv/);
  });
});
