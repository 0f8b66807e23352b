import { describe, expect, it } from "vitest";
import { trainingDataFromArrays } from "../training-data.js";
import { type AdvantageSettings, type Aggregation, prepareBatch } from "./advantages.js";

// groups: [1, 0, 0, 1] | [1] | [0.5, 0.5] | [0, 1, 1]
const rewards = [1, 0, 0, 1, 1, 0.5, 0.5, 0, 1, 1];
const sizes = [4, 1, 2, 3];
const data = trainingDataFromArrays({
  actions: ["a"],
  rows: 1,
  offsets: Int32Array.from({ length: 11 }, (_, i) => i),
  indices: new Int32Array(10),
  values: new Float64Array(10).fill(1),
  actionIndex: new Int32Array(10),
  rewards: Float64Array.from(rewards),
  groupOffsets: Int32Array.from([0, 4, 5, 7, 10]),
});

function run(settings: Partial<AdvantageSettings>, aggregation: Aggregation = "grpo") {
  const adv = new Float64Array(10);
  const kappa = new Float64Array(10);
  const included = new Int32Array(4);
  const stats = prepareBatch(
    {
      data,
      groups: Int32Array.from([0, 1, 2, 3]),
      start: 0,
      end: 4,
      settings: { baseline: "group", scale: "none", epsilon: 0, degenerateGroups: "zero", ...settings },
      aggregation,
    },
    { advantages: adv, kappa, included },
  );
  return {
    adv: Array.from(adv),
    kappa: Array.from(kappa),
    stats,
    included: Array.from(included.subarray(0, stats.includedGroups)),
  };
}

const batchMean = rewards.reduce((a, b) => a + b, 0) / 10; // 0.6
const batchStd = Math.sqrt(rewards.reduce((a, r) => a + (r - batchMean) ** 2, 0) / 9);

describe("prepareBatch", () => {
  it("group baseline without scaling (Dr. GRPO) and zero advantage for degenerate groups", () => {
    const { adv, stats } = run({});
    expect(adv).toEqual(
      [0.5, -0.5, -0.5, 0.5, 0, 0, 0, -2 / 3, 1 / 3, 1 / 3].map((x) => expect.closeTo(x, 14)),
    );
    expect(stats.fracZeroStd).toBe(0.5);
    expect(stats.reward).toBeCloseTo(0.6, 14);
    const std4 = Math.sqrt(1 / 3);
    const std3 = Math.sqrt(1 / 3);
    expect(stats.rewardStd).toBeCloseTo((std4 + 0 + 0 + std3) / 4, 14);
  });

  it("rloo baseline: mean of the other members", () => {
    const { adv } = run({ baseline: "rloo" });
    expect(adv.slice(0, 4)).toEqual(
      [1 - 1 / 3, 0 - 2 / 3, 0 - 2 / 3, 1 - 1 / 3].map((x) => expect.closeTo(x, 14)),
    );
    expect(adv.slice(7)).toEqual([0 - 1, 1 - 0.5, 1 - 0.5].map((x) => expect.closeTo(x, 14)));
  });

  it("group scaling divides by the sample std + ε; batch scaling by the batch std + ε", () => {
    const g = run({ scale: "group", epsilon: 1e-4 }).adv;
    expect(g[0]).toBeCloseTo(0.5 / (Math.sqrt(1 / 3) + 1e-4), 12);
    const b = run({ scale: "batch", epsilon: 1e-4 }).adv;
    expect(b[0]).toBeCloseTo(0.5 / (batchStd + 1e-4), 12);
  });

  it("batch_mean fallback for degenerate groups; drop leaves them out", () => {
    const { adv } = run({ degenerateGroups: "batch_mean", scale: "group", epsilon: 1e-4 });
    expect(adv[4]).toBeCloseTo((1 - batchMean) / (batchStd + 1e-4), 12);
    expect(adv[5]).toBeCloseTo((0.5 - batchMean) / (batchStd + 1e-4), 12);
    const dropped = run({ degenerateGroups: "drop" });
    expect(dropped.included).toEqual([0, 3]);
    expect(dropped.kappa.slice(4, 7)).toEqual([0, 0, 0]);
  });

  it("aggregation coefficients: grpo, bnpo, dr_grpo", () => {
    const grpo = run({}, "grpo").kappa;
    expect(grpo).toEqual(
      [...Array(4).fill(1 / 16), 1 / 4, 1 / 8, 1 / 8, ...Array(3).fill(1 / 12)].map((x) =>
        expect.closeTo(x, 14),
      ),
    );
    expect(run({}, "bnpo").kappa.every((k) => Math.abs(k - 0.1) < 1e-15)).toBe(true);
    expect(run({}, "dr_grpo").kappa.every((k) => Math.abs(k - 1 / 16) < 1e-15)).toBe(true);
    // with dropped groups, denominators count the included groups only
    const drop = run({ degenerateGroups: "drop" }, "dr_grpo").kappa;
    expect(drop[0]).toBeCloseTo(1 / (2 * 4), 14);
    expect(sizes.length).toBe(4);
  });
});
