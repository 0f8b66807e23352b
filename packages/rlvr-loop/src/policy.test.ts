import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { constantPolicy, createPolicy, isLinearSoftmaxPolicy, uniformPolicy } from "./policy.js";
import { createRng } from "./rng.js";

const context = { prompt: "hello world", features: { kind: "x" } };

describe("createPolicy", () => {
  it("sorts actions, starts uniform, and computes softmax of w · φ(x)", () => {
    const p = createPolicy({ actions: ["c", "a", "b"], featurizer: { dimension: 16 } });
    expect(p.actions).toEqual(["a", "b", "c"]);
    expect(isLinearSoftmaxPolicy(p)).toBe(true);
    expect(Array.from(p.logProbs(context))).toEqual([1, 2, 3].map(() => expect.closeTo(-Math.log(3), 14)));
    const { indices, values } = p.featurizer.featurize(context);
    const W = new Float64Array(17 * 3);
    for (let k = 0; k < indices.length; k++) W[indices[k]! * 3 + 1] = 0.5; // favour "b"
    const q = createPolicy({ actions: ["a", "b", "c"], featurizer: p.featurizer, weights: W });
    const zb = values.reduce((s, v) => s + 0.5 * v, 0);
    const lp = q.logProbs(context);
    expect(lp[1]).toBeCloseTo(zb - Math.log(2 + Math.exp(zb)), 12);
    expect(q.act(context).action).toBe("b");
    expect(Array.from(q.scores(context))).toEqual([0, expect.closeTo(zb, 12), 0]);
  });

  it("never produces NaN for extreme weights", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e300, max: 1e300, noNaN: true }), (w) => {
        const W = new Float64Array(9 * 2).fill(w);
        W.fill(-w, 9);
        const p = createPolicy({ actions: ["a", "b"], featurizer: { dimension: 8 }, weights: W });
        const lp = p.logProbs(context);
        expect(lp.some(Number.isNaN)).toBe(false);
        expect(Math.exp(lp[0]!) + Math.exp(lp[1]!)).toBeCloseTo(1, 12);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("honours allowed actions and breaks greedy ties by the first action", () => {
    const p = createPolicy({ actions: ["a", "b", "c"], featurizer: { dimension: 8 } });
    const lp = p.logProbs(context, { allowedActions: ["c", "b", "zzz"] });
    expect(lp[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(lp[1]).toBeCloseTo(-Math.log(2), 14);
    expect(p.act(context).action).toBe("a");
    expect(p.act(context, { allowedActions: ["c", "b"] }).action).toBe("b");
    expect(() => p.logProbs(context, { allowedActions: ["zzz"] })).toThrow(
      /allowedActions \["zzz"\] name none of the policy.s actions/,
    );
  });

  it("says at act time what was wrong with the context, without internal names", () => {
    const p = createPolicy({ actions: ["a", "b"], featurizer: { dimension: 8 } });
    const messageOf = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    };
    const unknown = messageOf(() => p.act(context, { allowedActions: ["zzz"] }));
    expect(unknown).toBe(
      'the context\'s allowedActions ["zzz"] name none of the policy\'s actions ["a","b"]; expected at least one of them',
    );
    const feature = messageOf(() => p.act({ features: { n: Number.POSITIVE_INFINITY } }));
    expect(feature).toBe('context feature "n" is Infinity; expected a finite number, a string or a boolean');
    const mode = messageOf(() => p.act(context, { mode: "best" as "greedy" }));
    for (const m of [unknown, feature, mode])
      expect(m).not.toMatch(/LinearSoftmaxPolicy|logProbs|featurize|\bact\b/);
  });

  it("samples from π with an rng, deterministically", () => {
    const W = new Float64Array(9 * 3);
    W[8 * 3 + 2] = Math.log(3); // bias row: c three times as likely as a or b
    const p = createPolicy({ actions: ["a", "b", "c"], featurizer: { dimension: 8 }, weights: W });
    const rng = createRng(5);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10000; i++) counts[p.act(context, { mode: "sample", rng }).action]!++;
    const chi = [0.2, 0.2, 0.6].reduce(
      (s, q, i) => s + (counts["abc"[i]!]! - 10000 * q) ** 2 / (10000 * q),
      0,
    );
    expect(chi).toBeLessThan(13.82);
    const draw = (seed: number) =>
      Array.from(
        { length: 20 },
        (
          (r) => () =>
            p.act(context, { mode: "sample", rng: r }).index
        )(createRng(seed)),
      );
    expect(draw(9)).toEqual(draw(9));
    const r = p.act(context, { mode: "sample", rng: createRng(1) });
    expect(r.logProb).toBeCloseTo(Math.log(r.probability), 14);
    expect(() => p.act(context, { mode: "sample" })).toThrow(/needs an rng/);
  });

  it("validates its inputs", () => {
    expect(() => createPolicy({ actions: [] })).toThrow(/non-empty/);
    expect(() => createPolicy({ actions: ["a", "a"] })).toThrow(/action "a" is listed twice/);
    expect(() =>
      createPolicy({ actions: ["b", "a"], featurizer: { dimension: 2 }, weights: new Float64Array(6) }),
    ).toThrow(/sorted/);
    expect(() =>
      createPolicy({ actions: ["a"], featurizer: { dimension: 2 }, weights: new Float64Array(2) }),
    ).toThrow(/length/);
    expect(() =>
      createPolicy({
        actions: ["a"],
        featurizer: { dimension: 2 },
        weights: Float64Array.from([0, 0, Number.NaN]),
      }),
    ).toThrow(/weight 2 is NaN; expected a finite number/);
  });
});

describe("baseline policies", () => {
  it("uniform and constant policies respect allowed actions", () => {
    const u = uniformPolicy(["b", "a", "c"]);
    expect(Array.from(u.logProbs({}, { allowedActions: ["a", "c"] })).map(Math.exp)).toEqual([0.5, 0, 0.5]);
    const c = constantPolicy(["a", "b", "c"], "b");
    expect(c.act({}).action).toBe("b");
    expect(Array.from(c.logProbs({}, { allowedActions: ["a", "c"] })).map(Math.exp)).toEqual([0.5, 0, 0.5]);
    expect(() => constantPolicy(["a"], "z")).toThrow(/unknown action/);
  });
});
