import { createHash } from "node:crypto";
import { createPolicy } from "@rlvr/rlvr-loop";
import fc from "fast-check";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import {
  checkExploration,
  decide,
  decisionUniform,
  drawAction,
  servingProbabilities,
} from "./exploration.js";

const actions = ["a", "b", "c", "d", "e"];
const featurizer = { dimension: 64 };

function randomPolicy(weights: number[]) {
  const p = createPolicy({ actions, featurizer });
  const w = p.weights.slice();
  weights.forEach((v, i) => {
    w[i % w.length] = v;
  });
  return createPolicy({ actions, featurizer, weights: w });
}

const exploration = fc.oneof(
  fc.record({
    kind: fc.constant("epsilon-greedy" as const),
    epsilon: fc.double({ min: 0.001, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant("softmax" as const),
    epsilon: fc.double({ min: 0.001, max: 1, noNaN: true }),
    temperature: fc.double({ min: 0.05, max: 20, noNaN: true }),
  }),
);

describe("servingProbabilities", () => {
  it("sums to 1, puts at least ε/n on every allowed action and 0 elsewhere", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 40 }),
        exploration,
        fc.subarray(actions, { minLength: 1 }),
        fc.string({ maxLength: 20 }),
        (weights, explore, allowed, prompt) => {
          const policy = randomPolicy(weights);
          const out = new Float64Array(actions.length);
          const greedy = servingProbabilities(
            policy,
            { prompt },
            { allowedActions: allowed, exploration: explore, out },
          );
          const sum = out.reduce((s, p) => s + p, 0);
          expect(sum).toBeCloseTo(1, 12);
          actions.forEach((a, i) => {
            if (allowed.includes(a))
              expect(out[i]!).toBeGreaterThanOrEqual((explore.epsilon / allowed.length) * (1 - 1e-12));
            else expect(out[i]).toBe(0);
            expect(out[i]!).toBeLessThanOrEqual(1);
          });
          expect(allowed).toContain(actions[greedy]);
          if (explore.kind === "epsilon-greedy") {
            expect(out[greedy]).toBeCloseTo(1 - explore.epsilon + explore.epsilon / allowed.length, 12);
          }
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it("softmax at T = 1 and ε = 1 is uniform; at T = 1 it mixes the policy's own probabilities", () => {
    const policy = randomPolicy([1, -2, 0.5, 3]);
    const lp = policy.logProbs({ prompt: "x" });
    const out = new Float64Array(actions.length);
    servingProbabilities(
      policy,
      { prompt: "x" },
      { allowedActions: undefined, exploration: { kind: "softmax", epsilon: 0.2, temperature: 1 }, out },
    );
    for (let i = 0; i < actions.length; i++) expect(out[i]).toBeCloseTo(0.2 / 5 + 0.8 * Math.exp(lp[i]!), 12);
    servingProbabilities(
      policy,
      { prompt: "x" },
      { allowedActions: undefined, exploration: { kind: "epsilon-greedy", epsilon: 1 }, out },
    );
    for (let i = 0; i < actions.length; i++) expect(out[i]).toBeCloseTo(0.2, 12);
  });
});

describe("the keyed draw", () => {
  it("depends only on the seed and the event id, and lies in [0, 1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (seed, id) => {
          const u = decisionUniform(seed, id);
          expect(u).toBeGreaterThanOrEqual(0);
          expect(u).toBeLessThan(1);
          expect(decisionUniform(seed, id)).toBe(u);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
    expect(decisionUniform(1, "a")).not.toBe(decisionUniform(2, "a"));
    expect(decisionUniform(1, "a")).not.toBe(decisionUniform(1, "b"));
  });

  it("is pure-rand's uniformFloat64 of the xoroshiro128+ state read from SHA-256 (node:crypto)", () => {
    const reference = (seed: number, id: string): number => {
      const d = createHash("sha256").update(`rlvr-serve/decision\0${seed}\0${id}`).digest();
      const state = [0, 4, 8, 12].map((i) => d.readInt32LE(i));
      if (!state.some((x) => x !== 0)) state[0] = 1; // the all-zero state
      return uniformFloat64(xoroshiro128plusFromState(state));
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 300 })),
        (seed, id) => {
          expect(decisionUniform(seed, id)).toBe(reference(seed, id));
        },
      ),
      { seed: 14, numRuns: 500 },
    );
  });

  it("is close to uniform over many event ids, so actions come with the logged frequencies", () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[Math.floor(decisionUniform(9, `e${i}`) * 10)]++;
    // χ² with 9 degrees of freedom: 27.9 is its 99.9 % quantile
    const chi2 = counts.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it("inverts the cumulative distribution and never picks an action of probability 0", () => {
    const probs = Float64Array.from([0, 0.25, 0, 0.75, 0]);
    expect(drawAction(actions, probs, 0)).toBe(1);
    expect(drawAction(actions, probs, 0.2499)).toBe(1);
    expect(drawAction(actions, probs, 0.25)).toBe(3);
    expect(drawAction(actions, probs, 0.9999999999999999)).toBe(3);
  });

  it("decides the same way for the same request and event id", () => {
    const policy = randomPolicy([0.3, 1.2, -0.7]);
    const options = {
      allowedActions: ["b", "d"],
      exploration: { kind: "epsilon-greedy" as const, epsilon: 0.5 },
      seed: 4,
    };
    const a = decide(policy, { prompt: "p" }, { ...options, eventId: "x-1" });
    expect(decide(policy, { prompt: "p" }, { ...options, eventId: "x-1" })).toEqual(a);
    expect(["b", "d"]).toContain(a.action);
  });
});

describe("checkExploration", () => {
  it("refuses what would log a probability of 0 or is not an exploration", () => {
    for (const bad of [
      null,
      {},
      { kind: "epsilon-greedy", epsilon: 0 },
      { kind: "epsilon-greedy", epsilon: 1.5 },
      { kind: "softmax", epsilon: 0.1 },
      { kind: "ucb", epsilon: 0.1 },
    ]) {
      expect(() => checkExploration(bad), JSON.stringify(bad)).toThrow(/exploration/);
    }
    expect(checkExploration({ kind: "softmax", epsilon: 0.1, temperature: 2 })).toEqual({
      kind: "softmax",
      epsilon: 0.1,
      temperature: 2,
    });
  });
});
