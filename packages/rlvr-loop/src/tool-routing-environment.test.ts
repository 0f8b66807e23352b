import { describe, expect, it } from "vitest";
import { exactBaselines } from "./environment.js";
import { createPolicy, uniformPolicy } from "./policy.js";
import { createRng, uniformIndex } from "./rng.js";
import {
  createToolRoutingEnvironment,
  TASK_KINDS,
  TASK_LEVELS,
  type ToolRoutingTask,
} from "./tool-routing-environment.js";

const env = createToolRoutingEnvironment();

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const FACTORS: Record<string, number> = {
  "km>m": 1000,
  "kg>g": 1000,
  "h>min": 60,
  "min>s": 60,
  "ft>in": 12,
  "m>cm": 100,
};
const isoDate = (y: string, month: number, d: string) =>
  new Date(Date.UTC(Number(y), month, Number(d))).toISOString().slice(0, 10);

/** How to recompute an answer from the question text alone, one rule per question form. */
const RULES: readonly (readonly [RegExp, (m: RegExpMatchArray) => unknown])[] = [
  [/^What is (\d+) \+ (\d+)\?$/, (m) => Number(m[1]) + Number(m[2])],
  [/^What is (\d+) \* (\d+)\?$/, (m) => Number(m[1]) * Number(m[2])],
  [/^What is (\d+) \* (\d+) - (\d+)\?$/, (m) => Number(m[1]) * Number(m[2]) - Number(m[3])],
  [/^Convert ([\d.]+) (\w+) to (\w+)\.$/, (m) => Number(m[1]) * FACTORS[`${m[2]}>${m[3]}`]!],
  [/^Reverse the word order of: "(.*)"$/, (m) => m[1]!.split(" ").reverse().join(" ")],
  [/^Write day (\d+) of (\d+) as an ISO 8601 date\.$/, (m) => isoDate(m[2]!, 0, m[1]!)],
  [/^Write (\d+) (\w+) (\d+) as an ISO 8601 date\.$/, (m) => isoDate(m[3]!, MONTHS.indexOf(m[2]!), m[1]!)],
  [
    /^Write (\w+) (\d+)\w\w, (\d+) as an ISO 8601 date\.$/,
    (m) => isoDate(m[3]!, MONTHS.indexOf(m[1]!), m[2]!),
  ],
  [
    /^Extract a JSON record from: "(\w+) is (\d+) years old(?: and lives in (\w+))?(?:; write to (\S+))?\."$/,
    (m) => ({
      name: m[1],
      age: Number(m[2]),
      ...(m[3] ? { city: m[3] } : {}),
      ...(m[4] ? { email: m[4] } : {}),
    }),
  ],
];

/** Recompute a task's answer from its question text alone. */
function recompute(task: ToolRoutingTask): unknown {
  for (const [pattern, answer] of RULES) {
    const m = task.question.match(pattern);
    if (m) return answer(m);
  }
  throw new Error(`unparsed question ${task.question}`);
}

describe("createToolRoutingEnvironment", () => {
  it("has sorted actions, five kinds, three levels, and a finite context set summing to 1", () => {
    expect(env.actions).toEqual(["calculator", "code-interpreter", "date-parser", "text-editor"]);
    expect(env.kinds).toEqual(TASK_KINDS);
    const contexts = env.contexts();
    expect(contexts.length).toBe(5 * 3 * 25);
    expect(contexts.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 12);
    expect(createToolRoutingEnvironment({ numActions: 9, distractors: 0 }).actions).toHaveLength(9);
    expect(createToolRoutingEnvironment({ numActions: 20 }).actions).toContain("tool-19");
  });

  it("recomputes every answer, accepts competent outputs and rejects failed ones (every kind and level)", () => {
    const rng = createRng(11);
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const task = env.sample(rng);
      seen.add(`${task.kind}/${task.level}`);
      const reference =
        task.kind === "json-extraction" ? (task.reference as { record: unknown }).record : task.reference;
      const recomputed = recompute(task);
      if (typeof reference === "number") {
        // decimal unit conversions differ in the last bits: the verifier's relative tolerance covers it
        expect(Math.abs((recomputed as number) - reference)).toBeLessThanOrEqual(1e-12 * Math.abs(reference));
        expect(env.check(task, String(recomputed))).toMatchObject({ score: 1 });
      } else {
        expect(recomputed).toEqual(reference);
      }
      const good = env.check(task, task.correctOutput);
      expect(good).toMatchObject({ score: 1, passed: true });
      const bad = env.check(task, task.incorrectOutput(rng));
      expect(bad).toMatchObject({ score: 0, passed: false });
    }
    expect(seen.size).toBe(TASK_KINDS.length * TASK_LEVELS.length);
  });

  it("verify runs the tool with its competence: frequencies match within 4 standard errors", () => {
    const rng = createRng(12);
    const tally = new Map<string, { n: number; s: number; c: number }>();
    for (let i = 0; i < 20000; i++) {
      const task = env.sample(rng);
      const action = env.actions[uniformIndex(rng, env.actions.length)]!;
      const outcome = env.verify(task, action, rng);
      const key = `${action}|${task.kind}|${task.level}`;
      const t = tally.get(key) ?? { n: 0, s: 0, c: env.competence(action, task.kind, task.level) };
      t.n++;
      t.s += outcome.reward;
      tally.set(key, t);
    }
    for (const t of tally.values()) {
      const se = Math.sqrt((t.c * (1 - t.c)) / t.n);
      expect(Math.abs(t.s / t.n - t.c)).toBeLessThan(4 * se + 1e-9);
    }
  });

  it("expectedRewards and exactValue agree with simulation through the noisy features", () => {
    // Monte Carlo value of the uniform policy and of a fixed "by observed kind" policy
    const rng = createRng(13);
    const n = 40000;
    const byKind = (task: ToolRoutingTask) =>
      env.actions[TASK_KINDS.indexOf(task.context.features!.kind as never) % 4]!;
    let uniformSum = 0;
    let kindSum = 0;
    let kindSq = 0;
    for (let i = 0; i < n; i++) {
      const task = env.sample(rng);
      uniformSum += env.verify(task, env.actions[uniformIndex(rng, 4)]!, rng).reward;
      const r = env.verify(task, byKind(task), rng).reward;
      kindSum += r;
      kindSq += r * r;
    }
    const exactUniform = env.exactValue(uniformPolicy(env.actions));
    expect(exactUniform).toBeCloseTo(exactBaselines(env).uniform, 12);
    expect(Math.abs(uniformSum / n - exactUniform)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    // the same "by kind" policy as a log-linear policy with large weights on s:kind=... rows
    const policy = createPolicy({
      actions: env.actions,
      featurizer: { dimension: 4096, unigrams: false, bigrams: false },
    });
    for (const [k, kind] of TASK_KINDS.entries()) {
      const row = policy.featurizer.featurize({ features: { kind } }).indices[0]!;
      policy.weights[row * 4 + (k % 4)] = 60;
    }
    const exactKind = env.exactValue(policy);
    const mean = kindSum / n;
    const se = Math.sqrt((kindSq / n - mean * mean) / n);
    expect(Math.abs(mean - exactKind)).toBeLessThan(4 * se);
  });

  it("the optimum bounds every policy's value and is far above the baselines", () => {
    const base = exactBaselines(env);
    expect(base.optimum).toBeCloseTo(env.optimalValue(), 14);
    const rng = createRng(14);
    for (let t = 0; t < 20; t++) {
      const p = createPolicy({ actions: env.actions, featurizer: { dimension: 256 } });
      for (let i = 0; i < p.weights.length; i++) p.weights[i] = (rng.next() / 2 ** 31) * 5;
      expect(env.exactValue(p)).toBeLessThanOrEqual(base.optimum + 1e-12);
    }
    expect(base.uniform / base.optimum).toBeGreaterThan(0.45);
    expect(base.uniform / base.optimum).toBeLessThan(0.6);
    expect(base.bestSingleAction.value).toBeLessThan(0.7 * base.optimum);
  });

  it("validates its options", () => {
    expect(() => createToolRoutingEnvironment({ numActions: 1 })).toThrow(/numActions/);
    expect(() => createToolRoutingEnvironment({ featureNoise: 1 })).toThrow(/featureNoise/);
    expect(() => createToolRoutingEnvironment({ kinds: [] })).toThrow(/kinds/);
    expect(() => createToolRoutingEnvironment({ distractors: 6, distractorValues: 10 })).toThrow(/10000/);
    expect(() => env.competence("nope", "arithmetic", 0)).toThrow(/unknown/);
  });
});

describe("generateLogs", () => {
  it("is deterministic, groups attempts per task and records behavior probabilities", () => {
    const a = env.generateLogs({ n: 203, seed: 5, groupSize: 4, id: "demo" });
    const b = env.generateLogs({ n: 203, seed: 5, groupSize: 4, id: "demo" });
    const c = env.generateLogs({ n: 203, seed: 6, groupSize: 4, id: "demo" });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.dataset.examples)).not.toBe(JSON.stringify(c.dataset.examples));
    const ex = a.dataset.examples;
    expect(ex).toHaveLength(203);
    expect(new Set(ex.map((e) => e.groupId)).size).toBe(51);
    expect(ex.every((e) => e.behaviorProb === 0.25 && e.source === "tool-routing")).toBe(true);
    expect(ex[0]!.id).toBe("demo-000");
    expect(a.dataset).toMatchObject({ schemaVersion: 1, id: "demo", createdAt: "1970-01-01T00:00:00.000Z" });
    const first = a.trace.examples[0]!;
    expect(first).toMatchObject({
      id: ex[0]!.id,
      requestId: ex[0]!.groupId,
      toolName: ex[0]!.action,
      reward: ex[0]!.reward,
      verificationPassed: ex[0]!.verified,
      labels: { rewardHackingSignal: "none", verificationAlignment: "aligned" },
      metadata: { context: ex[0]!.context, behaviorProb: 0.25 },
    });
    expect(
      a.trace.examples.every((t) => t.labels.taskOutcome === (t.verificationPassed ? "success" : "fail")),
    ).toBe(true);
  });

  it("uses a behavior policy's probabilities", () => {
    const W = new Float64Array(65 * 4);
    W[64 * 4 + 1] = Math.log(7); // bias: code-interpreter 7 times as likely as each other tool
    const behavior = createPolicy({ actions: env.actions, featurizer: { dimension: 64 }, weights: W });
    const logs = env.generateLogs({ n: 2000, seed: 1, behavior });
    const share = logs.dataset.examples.filter((e) => e.action === "code-interpreter").length / 2000;
    expect(Math.abs(share - 0.7)).toBeLessThan(4 * Math.sqrt(0.21 / 2000));
    for (const e of logs.dataset.examples)
      expect(e.behaviorProb).toBeCloseTo(e.action === "code-interpreter" ? 0.7 : 0.1, 12);
    const other = createPolicy({ actions: ["x", "y"] });
    expect(() => env.generateLogs({ n: 10, seed: 1, behavior: other })).toThrow(
      /behavior policy's actions .* differ/,
    );
  });
});
