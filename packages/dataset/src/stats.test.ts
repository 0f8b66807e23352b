import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { example, examplesArb } from "./__fixtures__/helpers.js";
import type { RlvrExample } from "./schema.js";
import { computeStats, createStatsAccumulator } from "./stats.js";

describe("computeStats", () => {
  it("computes every statistic on a hand-made case", () => {
    const examples: RlvrExample[] = [
      example({ id: "1", groupId: "a", action: "x", reward: 1, behaviorProb: 0.5 }),
      example({ id: "2", groupId: "a", action: "y", reward: 0, verified: false }),
      example({ id: "3", groupId: "b", action: "x", reward: 0.5 }),
      example({ id: "4", groupId: "b", action: "x", reward: 0.5, behaviorProb: 1 }),
      example({ id: "5", groupId: "c", action: "z", reward: 0, verified: false }),
      example({ id: "6", groupId: "d", action: "B", reward: 1 }),
      example({ id: "7", groupId: "d", action: "x", reward: 1 }),
      example({ id: "8", groupId: "d", action: "x", reward: 1 }),
    ];
    const s = computeStats(examples);
    const rewards = examples.map((e) => e.reward);
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length);
    expect(s.examples).toBe(8);
    expect(s.groups).toBe(4);
    expect(s.groupSizeHistogram).toEqual({ "1": 1, "2": 2, "3": 1 });
    expect(Object.keys(s.groupSizeHistogram)).toEqual(["1", "2", "3"]);
    expect(s.actions).toEqual({ B: 1, x: 5, y: 1, z: 1 });
    expect(Object.keys(s.actions)).toEqual(["B", "x", "y", "z"]);
    expect(s.rewardMean).toBeCloseTo(mean, 12);
    expect(s.rewardStd).toBeCloseTo(std, 12);
    expect(s.rewardMin).toBe(0);
    expect(s.rewardMax).toBe(1);
    // b (0.5, 0.5) and d (1, 1, 1) have zero reward variance; c is a singleton.
    expect(s.fracZeroStdGroups).toBe(2 / 4);
    expect(s.singletonGroups).toBe(1);
    expect(s.fracSingletonGroups).toBe(1 / 4);
    expect(s.fracWithBehaviorProb).toBe(2 / 8);
    expect(s.verifiedFraction).toBe(6 / 8);
  });

  it("keeps actions that look like prototype keys as plain members", () => {
    const s = computeStats([
      example({ id: "1", action: "__proto__" }),
      example({ id: "2", action: "constructor" }),
    ]);
    expect(Object.getPrototypeOf(s.actions)).toBe(Object.prototype);
    expect(Object.keys(s.actions)).toEqual(["__proto__", "constructor"]);
    expect(JSON.parse(JSON.stringify(s.actions))).toEqual(JSON.parse('{"__proto__":1,"constructor":1}'));
  });

  it("returns finite zeros for no examples", () => {
    const s = computeStats([]);
    expect(s).toMatchObject({ examples: 0, groups: 0, rewardMean: 0, rewardStd: 0, fracZeroStdGroups: 0 });
    for (const v of Object.values(s)) if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
  });

  it("agrees with a naive computation on arbitrary examples", () => {
    fc.assert(
      fc.property(examplesArb, (examples) => {
        const s = computeStats(examples);
        const groups = new Map<string, number[]>();
        for (const e of examples) groups.set(e.groupId, [...(groups.get(e.groupId) ?? []), e.reward]);
        expect(s.groups).toBe(groups.size);
        const zero = [...groups.values()].filter((r) => r.length > 1 && r.every((x) => x === r[0])).length;
        expect(s.fracZeroStdGroups).toBe(zero / groups.size);
        const mean = examples.reduce((a, e) => a + e.reward, 0) / examples.length;
        expect(s.rewardMean).toBeCloseTo(mean, 10);
        expect(Object.values(s.actions).reduce((a, b) => a + b, 0)).toBe(examples.length);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it("counts many groups exactly through table growth", () => {
    const acc = createStatsAccumulator();
    for (let i = 0; i < 30_000; i++)
      acc.add(example({ id: String(i), groupId: `g${i % 10_000}`, reward: (i % 3) / 2 }));
    const s = acc.result();
    expect(acc.count).toBe(30_000);
    expect(s.groups).toBe(10_000);
    expect(s.groupSizeHistogram).toEqual({ "3": 10_000 });
    // group g_k gets rewards k%3, (k+1)%3, (k+2)%3 (all different): none has zero variance
    expect(s.fracZeroStdGroups).toBe(0);
  });
});
