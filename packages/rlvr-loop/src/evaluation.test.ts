import type { RlvrExample } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluation.js";
import { bootstrap, groupSums, interval, pointEstimates, quantileSorted } from "./internal/ope.js";
import { constantPolicy, createPolicy, uniformPolicy } from "./policy.js";
import { fitRewardModel } from "./reward-model.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { train } from "./train.js";
import { trainingDataFromArrays } from "./training-data.js";

describe("estimators on a hand-made case", () => {
  // 3 examples in 2 groups, 2 actions
  const data = trainingDataFromArrays({
    actions: ["a", "b"],
    rows: 1,
    offsets: Int32Array.from([0, 1, 2, 3]),
    indices: new Int32Array(3),
    values: new Float64Array(3).fill(1),
    actionIndex: Int32Array.from([0, 1, 1]),
    rewards: Float64Array.from([1, 0, 1]),
    groupOffsets: Int32Array.from([0, 2, 3]),
    behaviorProbs: Float64Array.from([0.5, 0.25, 0.8]),
  });
  const pi = Float64Array.from([0.9, 0.1, 0.3, 0.7, 0.6, 0.4]);
  const propensity = data.behaviorProbs!;
  const qhat = Float64Array.from([0.7, 0.2, 0.5, 0.4, 0.1, 0.9]);
  const w = [0.9 / 0.5, 0.7 / 0.25, 0.4 / 0.8];
  const r = [1, 0, 1];
  const direct = [0.9 * 0.7 + 0.1 * 0.2, 0.3 * 0.5 + 0.7 * 0.4, 0.6 * 0.1 + 0.4 * 0.9];
  const taken = [0.7, 0.4, 0.9];

  it("IPS, SNIPS, DM, DR and the effective sample size follow their formulas", () => {
    const e = pointEstimates(groupSums(data, { pi, propensity, qhat, clip: null }));
    const sw = w.reduce((a, b) => a + b, 0);
    expect(e.ips).toBeCloseTo((w[0]! * r[0]! + w[1]! * r[1]! + w[2]! * r[2]!) / 3, 14);
    expect(e.snips).toBeCloseTo((w[0]! * r[0]! + w[2]! * r[2]!) / sw, 14);
    expect(e.dm).toBeCloseTo(direct.reduce((a, b) => a + b, 0) / 3, 14);
    expect(e.dr).toBeCloseTo(direct.reduce((s, d, i) => s + d + w[i]! * (r[i]! - taken[i]!), 0) / 3, 14);
    expect(e.ess).toBeCloseTo(sw ** 2 / w.reduce((s, x) => s + x * x, 0), 14);
    expect(e.logged).toBeCloseTo(2 / 3, 14);
    const clipped = pointEstimates(groupSums(data, { pi, propensity, qhat, clip: 2 }));
    expect(clipped.ips).toBeCloseTo((1.8 * 1 + 0.5 * 1) / 3, 14);
    // a policy that never takes a logged action has no effective sample (0, not 0/0)
    const never = Float64Array.from([0, 1, 1, 0, 1, 0]);
    expect(pointEstimates(groupSums(data, { pi: never, propensity, qhat, clip: null })).ess).toBe(0);
  });

  it("bootstraps over groups with seeded, reproducible resamples and type-7 percentiles", () => {
    const sums = groupSums(data, { pi, propensity, qhat, clip: null });
    const a = bootstrap(sums, 300, 4);
    expect(Array.from(a.dr)).toEqual(Array.from(bootstrap(sums, 300, 4).dr));
    expect(Array.from(a.dr)).not.toEqual(Array.from(bootstrap(sums, 300, 5).dr));
    // two groups: a resample holds group 1 twice, group 2 twice, or one of each
    const s1 = w[0]! * 1 + w[1]! * 0; // group 1: 2 examples
    const s2 = w[2]! * 1; // group 2: 1 example
    const allowed = [s1 / 2, s2 / 1, (s1 + s2) / 3].map((v) => v.toFixed(12));
    const seen = new Set(Array.from(a.ips, (v) => v.toFixed(12)));
    expect([...seen].every((v) => allowed.includes(v))).toBe(true);
    expect(seen.size).toBe(3);
    expect(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.5)).toBe(2.5);
    expect(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.25)).toBe(1.75);
    const iv = interval(Float64Array.from([3, 1, 2, 4, 5]), 0.5);
    expect(iv).toEqual({ lower: 2, upper: 4, standardError: expect.closeTo(Math.sqrt(2.5), 14) });
  });
});

const env = createToolRoutingEnvironment();
const FEATURIZER = { dimension: 4096 } as const;

describe("evaluate", () => {
  const logs = env.generateLogs({ n: 4000, seed: 21 }).dataset;
  const heldOut = env.generateLogs({ n: 2000, seed: 22 }).dataset;
  const stripped: RlvrExample[] = heldOut.examples.map(({ behaviorProb: _p, ...e }) => e);

  it("reports the estimates, their intervals, the baselines and the exact values", () => {
    const policy = createPolicy({ actions: env.actions, featurizer: FEATURIZER });
    const result = evaluate(policy, heldOut, { trainingData: logs, environment: env, resamples: 200 });
    expect(result.behaviorSource).toBe("logged");
    expect(result.rewardModelSource).toBe("fitted-on-training");
    expect(result.numExamples).toBe(2000);
    expect(result.numGroups).toBe(500);
    // the uniform policy equals the behavior: IPS weights are all 1
    expect(result.policy.ips.value).toBeCloseTo(result.baselines.logged.value, 12);
    expect(result.policy.snips.value).toBeCloseTo(result.baselines.logged.value, 12);
    expect(result.policy.effectiveSampleSize).toBeCloseTo(2000, 8);
    for (const e of [result.policy.ips, result.policy.dr, result.policy.dm, result.baselines.logged]) {
      expect(e.lower).toBeLessThanOrEqual(e.value + 1e-12);
      expect(e.upper).toBeGreaterThanOrEqual(e.value - 1e-12);
      expect(e.standardError).toBeGreaterThan(0);
    }
    expect(result.baselines.uniform.dr.value).toBeCloseTo(result.policy.dr.value, 12);
    expect(env.actions).toContain(result.baselines.bestSingleAction.action);
    expect(result.exact).toMatchObject({
      policy: expect.closeTo(result.exact!.uniform, 12),
      optimum: env.optimalValue(),
    });
    expect(Math.abs(result.policy.dr.value - result.exact!.policy)).toBeLessThan(
      4 * result.policy.dr.standardError,
    );
  });

  it("gives paired differences to each baseline and the action distribution of policy and logs", () => {
    const trained = createPolicy({ actions: env.actions, featurizer: FEATURIZER });
    // a non-uniform policy: nudge the weights deterministically
    for (let k = 0; k < trained.weights.length; k++) trained.weights[k] = ((k * 7919) % 13) / 13 - 0.5;
    const r = evaluate(trained, heldOut, { trainingData: logs, resamples: 300, seed: 3 });
    const b = r.baselines;
    expect(r.differences.behavior.value).toBeCloseTo(r.policy.dr.value - b.logged.value, 12);
    expect(r.differences.uniform.value).toBeCloseTo(r.policy.dr.value - b.uniform.dr.value, 12);
    expect(r.differences.bestSingleAction.value).toBeCloseTo(
      r.policy.dr.value - b.bestSingleAction.estimates.dr.value,
      12,
    );
    for (const d of Object.values(r.differences)) {
      expect(d.lower).toBeLessThanOrEqual(d.upper);
      expect(d.standardError).toBeGreaterThan(0);
    }
    // pairing: the difference's spread is below what independent intervals would add up to
    const sep = Math.hypot(r.policy.dr.standardError, b.uniform.dr.standardError);
    expect(r.differences.uniform.standardError).toBeLessThan(sep);
    // against itself the difference is exactly zero in every replicate
    const best = b.bestSingleAction.action;
    const same = evaluate(constantPolicy(env.actions, best), heldOut, { trainingData: logs, resamples: 300 });
    expect(same.baselines.bestSingleAction.action).toBe(best);
    expect(same.differences.bestSingleAction).toEqual({ value: 0, lower: 0, upper: 0, standardError: 0 });
    // action distribution: logged shares are counts, the policy's rows are its mean probabilities
    const counts = new Map<string, number>();
    for (const e of heldOut.examples) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
    expect(r.actionDistribution.map((d) => d.action)).toEqual([...env.actions]);
    for (const d of r.actionDistribution) {
      expect(d.behavior).toBeCloseTo((counts.get(d.action) ?? 0) / heldOut.examples.length, 12);
      expect(d.learned).toBeGreaterThan(0);
    }
    const sum = (k: "behavior" | "learned") => r.actionDistribution.reduce((s, d) => s + d[k], 0);
    expect(sum("behavior")).toBeCloseTo(1, 12);
    expect(sum("learned")).toBeCloseTo(1, 12);
    const one = same.actionDistribution.find((d) => d.action === best)!;
    expect(one.learned).toBeCloseTo(1, 12);
    const uni = evaluate(uniformPolicy(env.actions), heldOut, { trainingData: logs, resamples: 200 });
    for (const d of uni.actionDistribution) expect(d.learned).toBeCloseTo(1 / env.actions.length, 12);
  });

  it("fits the behavior model when the logs lack probabilities, and says how", () => {
    const crossFitted = evaluate(uniformPolicy(env.actions), stripped, {
      resamples: 200,
      featurizer: FEATURIZER,
    });
    expect(crossFitted.behaviorSource).toBe("cross-fitted");
    expect(crossFitted.rewardModelSource).toBe("cross-fitted");
    const exact = env.exactValue(uniformPolicy(env.actions));
    expect(Math.abs(crossFitted.policy.dr.value - exact)).toBeLessThan(
      4 * crossFitted.policy.dr.standardError,
    );
    const fitted = evaluate(constantPolicy(env.actions, "calculator"), stripped, {
      trainingData: logs.examples.map(({ behaviorProb: _p, ...e }) => e),
      resamples: 200,
      featurizer: FEATURIZER,
    });
    expect(fitted.behaviorSource).toBe("fitted-on-training");
    const rm = fitRewardModel(logs, { featurizer: FEATURIZER });
    const provided = evaluate(uniformPolicy(env.actions), heldOut, { rewardModel: rm, resamples: 200 });
    expect(provided.rewardModelSource).toBe("provided");
    expect(() => evaluate(uniformPolicy(env.actions), stripped, { behavior: "logged" })).toThrow(
      /behaviorProb on every evaluated example/,
    );
    expect(() => evaluate(uniformPolicy(env.actions), heldOut, { resamples: 50 })).toThrow(/resamples/);
  });

  it("over 50 held-out log sets, the 95 % DR interval covers the exact value ≥ 90 % of the time and IPS is unbiased", async () => {
    const trained = await train(logs, { epochs: 3, featurizer: FEATURIZER, seed: 1 });
    const policy = trained.policy;
    const exact = env.exactValue(policy);
    const rewardModel = fitRewardModel(logs, { featurizer: FEATURIZER });
    let covered = 0;
    const ips: number[] = [];
    for (let s = 0; s < 50; s++) {
      const held = env.generateLogs({ n: 800, seed: 1000 + s }).dataset;
      const result = evaluate(policy, held, { rewardModel, resamples: 200, seed: s });
      const dr = result.policy.dr;
      if (dr.lower <= exact && exact <= dr.upper) covered++;
      ips.push(result.policy.ips.value);
    }
    expect(covered).toBeGreaterThanOrEqual(45);
    const mean = ips.reduce((a, b) => a + b, 0) / ips.length;
    const sd = Math.sqrt(ips.reduce((a, x) => a + (x - mean) ** 2, 0) / (ips.length - 1));
    const standardError = sd / Math.sqrt(ips.length);
    // unbiased: the mean of 50 independent IPS estimates lies within 3 standard errors of the truth
    // (measured: z = 1.66; a bias of 0.02, 3 % of the value, would fail)
    expect(Math.abs(mean - exact)).toBeLessThan(3 * standardError);
  });
});

describe("single-action baselines chosen by their lower bound", () => {
  // "rare" is logged 3 times in 600 decisions: its DR would be the reward model's extrapolation
  const examples: RlvrExample[] = Array.from({ length: 600 }, (_, i) => {
    const action = i % 200 === 7 ? "rare" : i % 2 === 0 ? "a" : "b";
    return {
      id: `e${i}`,
      groupId: `g${i}`,
      context: { prompt: `request ${i % 11}` },
      action,
      reward: action === "a" ? (i % 3 === 0 ? 0 : 1) : i % 4 === 0 ? 1 : 0,
      verified: true,
      behaviorProb: action === "rare" ? 0.005 : 0.4975,
    };
  });
  const policy = uniformPolicy(["a", "b", "rare"]);

  it("marks an action without support and widens its interval to the reward range", () => {
    const e = evaluate(policy, examples, { bestSingleAction: "lower", featurizer: { dimension: 16 } });
    const rows = new Map(e.baselines.singleActions!.map((s) => [s.action, s]));
    expect(rows.get("rare")!.supported).toBe(false);
    expect(rows.get("rare")!.effectiveSampleSize).toBeLessThan(30);
    expect([rows.get("rare")!.dr.lower, rows.get("rare")!.dr.upper]).toEqual([0, 1]);
    expect(rows.get("a")!.supported).toBe(true);
    expect(rows.get("a")!.dr.upper - rows.get("a")!.dr.lower).toBeLessThan(0.5);
    expect(e.baselines.bestSingleAction.action).toBe("a");
    // the default keeps the point-estimate choice and lists nothing
    expect(
      evaluate(policy, examples, { featurizer: { dimension: 16 } }).baselines.singleActions,
    ).toBeUndefined();
  });
});
