import { describe, expect, it } from "vitest";
import { AdamW } from "./adamw.js";
import { GradientBuffer } from "./linear.js";
import { learningRateAt } from "./schedule.js";

describe("AdamW", () => {
  it("reproduces PyTorch's AdamW arithmetic for two steps, with the moments stored as float32", () => {
    const W = Float64Array.from([1, -2, 0.5, 3]); // rows 0..1 × A = 2; row 1 is the bias
    const adam = new AdamW({
      rows: 2,
      actions: 2,
      biasRow: 1,
      settings: {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0.1,
        lazy: true,
      },
    });
    const G = new GradientBuffer(2, 2);
    const grads = [
      [0.3, -0.1, 0.2, 0.4],
      [-0.5, 0.25, 0.1, 0],
    ];
    const expected = Array.from(W);
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    for (let t = 1; t <= 2; t++) {
      const g = grads[t - 1]!;
      for (let r = 0; r < 2; r++) for (let a = 0; a < 2; a++) G.grad[G.slot(r) * 2 + a] = g[r * 2 + a]!;
      expect(adam.step(W, G, { learningRate: 0.01, gradientScale: 1 })).toBe(0);
      for (let i = 0; i < 4; i++) {
        // the step uses m and v in float64, then stores them rounded to float32
        const mi = 0.9 * m[i]! + 0.1 * g[i]!;
        const vi = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        const decay = i >= 2 ? 1 : 1 - 0.01 * 0.1; // no decay on the bias row
        const denom = Math.sqrt(vi) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        expected[i] = expected[i]! * decay - ((0.01 / (1 - 0.9 ** t)) * mi) / denom;
        m[i] = Math.fround(mi);
        v[i] = Math.fround(vi);
      }
      expect(Array.from(W)).toEqual(expected.map((x) => expect.closeTo(x, 15)));
      const stored = [0, 1].flatMap((r) =>
        [0, 1].flatMap((a) => [adam.moments[r * 4 + a]!, adam.moments[r * 4 + 2 + a]!]),
      );
      const reference = [0, 1].flatMap((r) => [0, 1].flatMap((a) => [m[r * 2 + a]!, v[r * 2 + a]!]));
      expect(stored).toEqual(reference.map((x) => expect.closeTo(x, 7)));
      expect(stored.every((x) => Math.fround(x) === x)).toBe(true);
    }
  });

  it("lazy and dense modes agree when every row has a gradient every step, and differ otherwise", () => {
    const settings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };
    const run = (lazy: boolean, skipRow1: boolean) => {
      const W = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
      const adam = new AdamW({ rows: 3, actions: 2, biasRow: 2, settings: { ...settings, lazy } });
      const G = new GradientBuffer(3, 2);
      for (let t = 0; t < 5; t++) {
        for (let r = 0; r < 3; r++) {
          if (skipRow1 && r === 1 && t > 0) continue;
          G.grad[G.slot(r) * 2] = Math.sin(t + r);
          G.grad[G.slot(r) * 2 + 1] = Math.cos(t * r);
        }
        adam.step(W, G, { learningRate: 0.05, gradientScale: 1 });
      }
      return Array.from(W);
    };
    expect(run(true, false)).toEqual(run(false, false));
    const lazy = run(true, true);
    const dense = run(false, true);
    expect(lazy[2]).not.toBe(dense[2]); // momentum keeps moving row 1 in dense mode only
    expect(lazy[0]).toBe(dense[0]);
  });

  it("reports non-finite weights", () => {
    const W = Float64Array.from([Number.MAX_VALUE, 0]);
    const adam = new AdamW({
      rows: 1,
      actions: 2,
      biasRow: 5,
      settings: {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: -1e308,
        lazy: true,
      },
    });
    const G = new GradientBuffer(1, 2);
    G.grad[G.slot(0) * 2] = 1;
    expect(Number.isNaN(adam.step(W, G, { learningRate: 1, gradientScale: 1 }))).toBe(true);
  });
});

describe("learningRateAt", () => {
  it("warms up linearly, then follows the schedule down to the floor", () => {
    const c = { kind: "constant", warmupSteps: 4, minLearningRateRatio: 0 } as const;
    expect([1, 2, 4, 5, 100].map((s) => learningRateAt({ peak: 1, schedule: c, totalSteps: 10 }, s))).toEqual(
      [0.25, 0.5, 1, 1, 1],
    );
    const lin = { kind: "linear", warmupSteps: 0, minLearningRateRatio: 0.1 } as const;
    expect(learningRateAt({ peak: 2, schedule: lin, totalSteps: 11 }, 1)).toBeCloseTo(2, 14);
    expect(learningRateAt({ peak: 2, schedule: lin, totalSteps: 11 }, 6)).toBeCloseTo(
      2 * (0.1 + 0.9 * (1 - 5 / 11)),
      14,
    );
    expect(learningRateAt({ peak: 2, schedule: lin, totalSteps: 11 }, 12)).toBeCloseTo(0.2, 14);
    const cos = { kind: "cosine", warmupSteps: 2, minLearningRateRatio: 0 } as const;
    expect(learningRateAt({ peak: 1, schedule: cos, totalSteps: 12 }, 3)).toBeCloseTo(1, 14);
    expect(learningRateAt({ peak: 1, schedule: cos, totalSteps: 12 }, 8)).toBeCloseTo(
      (1 + Math.cos(Math.PI * 0.5)) / 2,
      14,
    );
  });
});
