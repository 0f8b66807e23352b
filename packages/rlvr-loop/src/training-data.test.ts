import type { RlvrExample } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { buildTrainingData, trainingDataFromArrays } from "./training-data.js";

const ex = (
  id: string,
  groupId: string,
  action: string,
  reward: number,
  extra: Partial<RlvrExample> = {},
): RlvrExample => ({
  id,
  groupId,
  context: { prompt: `task ${groupId}` },
  action,
  reward,
  verified: reward === 1,
  ...extra,
});

describe("buildTrainingData", () => {
  it("stores examples group by group in order of first appearance and keeps the mapping", () => {
    const shared = { prompt: "same" };
    const examples = [
      ex("1", "g1", "b", 1, { behaviorProb: 0.5 }),
      ex("2", "g2", "a", 0, { behaviorProb: 0.5 }),
      { ...ex("3", "g1", "a", 0, { behaviorProb: 0.25 }), context: shared },
      { ...ex("4", "g1", "a", 1, { behaviorProb: 0.25 }), context: shared },
    ];
    const d = buildTrainingData(examples, { featurizer: { dimension: 32 } });
    expect(d.actions).toEqual(["a", "b"]);
    expect(d.groupIds).toEqual(["g1", "g2"]);
    expect(Array.from(d.groupOffsets)).toEqual([0, 3, 4]);
    expect(Array.from(d.sourceIndex!)).toEqual([0, 2, 3, 1]);
    expect(Array.from(d.actionIndex)).toEqual([1, 0, 0, 0]);
    expect(Array.from(d.rewards)).toEqual([1, 0, 1, 0]);
    expect(Array.from(d.behaviorProbs!)).toEqual([0.5, 0.25, 0.25, 0.5]);
    expect(Array.from(d.sameContext!)).toEqual([0, 0, 1, 0]);
    expect(d.weights).toBeNull();
    expect(d.allowedMask).toBeNull();
    expect(d.rows).toBe(33);
  });

  it("applies reward weights, sample weights and allowed actions", () => {
    const examples = [
      ex("1", "g", "a", 0, { rewards: { format: 1, value: 0 }, weight: 2, allowedActions: ["a", "c"] }),
      ex("2", "g", "b", 1, { rewards: { format: 1, value: 1 } }),
    ];
    const d = buildTrainingData(examples, {
      rewardWeights: { format: 0.25, value: 0.75 },
      featurizer: { dimension: 8 },
    });
    expect(d.actions).toEqual(["a", "b", "c"]);
    expect(Array.from(d.rewards)).toEqual([0.25, 1]);
    expect(Array.from(d.weights!)).toEqual([2, 1]);
    expect(Array.from(d.allowedMask!)).toEqual([1, 0, 1, 1, 1, 1]);
    expect(d.behaviorProbs).toBeNull();
  });

  it("names the example in errors", () => {
    expect(() => buildTrainingData([ex("x1", "g", "z", 1)], { actions: ["a"] })).toThrow(
      /example 0 \(id "x1"\): action "z" is not in the action list/,
    );
    expect(() => buildTrainingData([ex("x2", "g", "a", 1, { behaviorProb: 0 })])).toThrow(/x2.*behaviorProb/);
    expect(() => buildTrainingData([ex("x3", "g", "a", 1, { weight: -1 })])).toThrow(/x3.*weight/);
    expect(() => buildTrainingData([ex("x4", "g", "a", 1, { allowedActions: ["b"] })])).toThrow(
      /x4.*allowedActions/,
    );
    expect(() => buildTrainingData([ex("x5", "g", "a", Number.NaN)])).toThrow(/x5.*reward/);
    expect(() => buildTrainingData([ex("x6", "g", "a", 1)], { rewardWeights: { value: 1 } })).toThrow(
      /x6.*rewards\.value/,
    );
    expect(() =>
      buildTrainingData([
        { ...ex("x7", "g", "a", 1), context: { features: { f: Number.POSITIVE_INFINITY } } },
      ]),
    ).toThrow(/x7.*expected a finite number/);
    expect(() => buildTrainingData([])).toThrow(/no examples/);
  });
});

describe("trainingDataFromArrays", () => {
  const base = () => ({
    actions: ["a", "b"],
    rows: 3,
    offsets: Int32Array.from([0, 2, 4]),
    indices: Int32Array.from([0, 2, 0, 2]),
    values: Float64Array.from([1, 1, 1, 1]),
    actionIndex: Int32Array.from([0, 1]),
    rewards: Float64Array.from([1, 0]),
    groupOffsets: Int32Array.from([0, 2]),
  });

  it("accepts valid arrays and detects shared contexts", () => {
    const d = trainingDataFromArrays(base());
    expect(d.numExamples).toBe(2);
    expect(Array.from(d.sameContext!)).toEqual([0, 1]);
  });

  it("checks every invariant", () => {
    expect(() => trainingDataFromArrays({ ...base(), actions: ["b", "a"] })).toThrow(/sorted/);
    expect(() => trainingDataFromArrays({ ...base(), indices: Int32Array.from([2, 0, 0, 2]) })).toThrow(
      /strictly increasing/,
    );
    expect(() => trainingDataFromArrays({ ...base(), indices: Int32Array.from([0, 3, 0, 2]) })).toThrow(
      /below rows/,
    );
    expect(() => trainingDataFromArrays({ ...base(), actionIndex: Int32Array.from([0, 2]) })).toThrow(
      /out of range/,
    );
    expect(() => trainingDataFromArrays({ ...base(), rewards: Float64Array.from([1, Number.NaN]) })).toThrow(
      /non-finite reward/,
    );
    expect(() => trainingDataFromArrays({ ...base(), groupOffsets: Int32Array.from([0, 1]) })).toThrow(
      /groupOffsets/,
    );
    expect(() => trainingDataFromArrays({ ...base(), behaviorProbs: Float64Array.from([0.5, 2]) })).toThrow(
      /behavior probability/,
    );
    expect(() => trainingDataFromArrays({ ...base(), allowedMask: Uint8Array.from([1, 1, 1, 0]) })).toThrow(
      /not allowed/,
    );
    expect(() =>
      trainingDataFromArrays({ ...base(), values: Float64Array.from([1, Number.NaN, 1, 1]) }),
    ).toThrow(/non-finite feature/);
  });
});
