import type { RlvrContext } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { type Environment, exactBaselines, exactOptimalValue, exactPolicyValue } from "./environment.js";
import { learningTraceToJson } from "./generate-logs.js";
import { constantPolicy, createPolicy, uniformPolicy } from "./policy.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";

/** Two contexts (0.25 / 0.75) × two actions with known expected rewards; action "b" not allowed in "y". */
const tiny: Environment = {
  name: "tiny",
  actions: ["a", "b"],
  sample: () => ({ id: "t", context: { features: { c: "x" } } }),
  verify: () => ({ reward: 0, verified: false, reason: "", output: "" }),
  contexts: () => [
    { context: { features: { c: "x" } }, probability: 0.25 },
    { context: { features: { c: "y" } }, probability: 0.75, allowedActions: ["a"] },
  ],
  expectedRewards: (context: RlvrContext) =>
    Float64Array.from(context.features?.c === "x" ? [0.2, 0.9] : [0.6, 1]),
};

describe("exact values", () => {
  it("computes Σ_x P(x) Σ_a π(a|x) r̄(x, a), the optimum and the baselines", () => {
    expect(exactPolicyValue(tiny, uniformPolicy(["a", "b"]))).toBeCloseTo(0.25 * 0.55 + 0.75 * 0.6, 14);
    expect(exactPolicyValue(tiny, constantPolicy(["a", "b"], "b"))).toBeCloseTo(0.25 * 0.9 + 0.75 * 0.6, 14);
    expect(exactOptimalValue(tiny)).toBeCloseTo(0.25 * 0.9 + 0.75 * 0.6, 14);
    const base = exactBaselines(tiny);
    expect(base.uniform).toBeCloseTo(0.25 * 0.55 + 0.75 * 0.6, 14);
    expect(base.perAction).toEqual({
      a: expect.closeTo(0.6 * 0.75 + 0.2 * 0.25, 14),
      b: expect.closeTo(0.675, 14),
    });
    expect(base.bestSingleAction).toEqual({ action: "b", value: expect.closeTo(0.675, 14) });
  });

  it("refuses environments without a finite context set and mismatched policies", () => {
    const { contexts: _c, expectedRewards: _e, ...open } = tiny;
    expect(() => exactPolicyValue(open, uniformPolicy(["a", "b"]))).toThrow(/no finite context set/);
    expect(() => exactPolicyValue(tiny, createPolicy({ actions: ["a", "c"] }))).toThrow(/differ/);
  });
});

describe("generateLogs: group-size distributions and omitted propensities", () => {
  const env = createToolRoutingEnvironment();

  it("draws group sizes with the given weights (chi-square) from a separate stream", () => {
    const logs = env.generateLogs({ n: 20000, seed: 4, groupSize: { weights: [6, 2, 1, 1] } });
    const sizes = new Map<string, number>();
    for (const e of logs.dataset.examples) sizes.set(e.groupId, (sizes.get(e.groupId) ?? 0) + 1);
    const counts = [0, 0, 0, 0];
    const all = [...sizes.values()].slice(0, -1); // the last group may be cut at n
    for (const s of all) counts[s - 1]!++;
    const chi2 = counts.reduce((c, o, i) => {
      const e = (all.length * [0.6, 0.2, 0.1, 0.1][i]!) as number;
      return c + (o - e) ** 2 / e;
    }, 0);
    expect(chi2).toBeLessThan(16.27); // 99.9 % quantile of chi-square with 3 degrees of freedom
    // the tasks, actions and tool runs are those of fixed-size logs: the first group is the same task
    const fixed = env.generateLogs({ n: 4, seed: 4, groupSize: 4 }).dataset.examples;
    expect(logs.dataset.examples[0]!.context).toEqual(fixed[0]!.context);
    expect(() => env.generateLogs({ n: 5, seed: 1, groupSize: { weights: [0, 0] } })).toThrow(/groupSize/);
    expect(() => env.generateLogs({ n: 5, seed: 1, groupSize: { weights: [1, -1] } })).toThrow(/groupSize/);
    expect(() => env.generateLogs({ n: 5, seed: 1, groupSize: 0 })).toThrow(/groupSize/);
  });

  it("omitPropensities drops behaviorProb everywhere and changes nothing else", () => {
    const withP = env.generateLogs({ n: 301, seed: 5, groupSize: { weights: [1, 1] } });
    const without = env.generateLogs({
      n: 301,
      seed: 5,
      groupSize: { weights: [1, 1] },
      omitPropensities: true,
    });
    const text = JSON.stringify(without);
    expect(text).not.toContain("behaviorProb");
    expect(JSON.stringify(withP)).toContain("behaviorProb");
    const strip = (k: string, v: unknown) => (k === "behaviorProb" ? undefined : v);
    expect(JSON.stringify(withP, strip)).toBe(text);
    expect(() => env.generateLogs({ n: 5, seed: 1, omitPropensities: 1 as unknown as boolean })).toThrow(
      /omitPropensities/,
    );
  });

  it("learningTraceToJson writes one example per line, deterministically, and parses back", () => {
    const { trace } = env.generateLogs({ n: 3, seed: 6 });
    const text = learningTraceToJson(trace);
    expect(JSON.parse(text)).toEqual(trace);
    expect(text.split("\n")).toHaveLength(3 + 3);
    expect(text).toBe(learningTraceToJson(env.generateLogs({ n: 3, seed: 6 }).trace));
    expect(learningTraceToJson({ ...trace, examples: [] })).toBe(
      '{"id":"tool-routing-logs","label":"Logs of tool-routing","createdAt":"1970-01-01T00:00:00.000Z","examples":[]}\n',
    );
    expect(() => learningTraceToJson(null as never)).toThrow(/expected a learning-trace dataset/);
  });
});
