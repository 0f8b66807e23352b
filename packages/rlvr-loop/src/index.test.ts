import { describe, expect, it } from "vitest";
import * as api from "./index.js";

describe("public API", () => {
  it("exports exactly the documented runtime names from the barrel", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "CHECKPOINT_FORMAT_VERSION",
        "CHECKPOINT_MAGIC",
        "RlvrLoopError",
        "TASK_KINDS",
        "TASK_LEVELS",
        "TRACE_GROUP_SIZES",
        "TRACE_WORLD_OPTIONS",
        "TrainingDivergedError",
        "VERSION",
        "buildTrainingData",
        "constantPolicy",
        "createCompositeVerifier",
        "createExactMatchVerifier",
        "createHeuristicBehavior",
        "createFeaturizer",
        "createJsonSchemaVerifier",
        "createNormalizedTextVerifier",
        "createNumericVerifier",
        "createPolicy",
        "createPolicyScorer",
        "createRegexVerifier",
        "createRng",
        "createToolRoutingEnvironment",
        "createTraceWorld",
        "defaultFeaturizerSpec",
        "defaultTrainConfig",
        "deriveRng",
        "evaluate",
        "exactBaselines",
        "exactOptimalValue",
        "exactPolicyValue",
        "featurizerSpecSchema",
        "fitBehaviorModel",
        "fitRewardModel",
        "generateLogs",
        "greedyPolicy",
        "isLinearSoftmaxPolicy",
        "learningTraceToJson",
        "loadCheckpoint",
        "resolveFeaturizerSpec",
        "resolveTrainConfig",
        "rlvrLoop",
        "serializeCheckpoint",
        "tokenize",
        "train",
        "trainConfigSchema",
        "trainingDataFromArrays",
        "uniformPolicy",
        "validateTrainConfig",
      ].sort(),
    );
    expect(api.rlvrLoop.train).toBe(api.train);
    expect(api.rlvrLoop.evaluate).toBe(api.evaluate);
  });

  it("errors are branded across copies", () => {
    const e = new api.RlvrLoopError("INVALID_ARGUMENT", "x", { cause: 1 });
    expect(api.RlvrLoopError.is(e)).toBe(true);
    expect(api.RlvrLoopError.is({ ...e })).toBe(false);
    expect(api.TrainingDivergedError.is(e)).toBe(false);
    expect(e.cause).toBe(1);
    const d = new api.TrainingDivergedError({ step: 3, epoch: 1, metric: "loss", value: Number.NaN });
    expect(api.TrainingDivergedError.is(d) && api.RlvrLoopError.is(d)).toBe(true);
    expect(d).toMatchObject({ name: "TrainingDivergedError", code: "DIVERGED", step: 3, metric: "loss" });
  });
});
