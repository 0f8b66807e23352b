import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactBaselines } from "./environment.js";
import { learningTraceToJson } from "./generate-logs.js";
import { createHeuristicBehavior } from "./heuristic-behavior.js";
import { FILLERS, MISLEADING, PARAPHRASES } from "./internal/trace-text.js";
import { createRng } from "./rng.js";
import { createToolRoutingEnvironment, TASK_KINDS, TASK_LEVELS } from "./tool-routing-environment.js";
import { createTraceWorld, TRACE_GROUP_SIZES, TRACE_WORLD_OPTIONS } from "./trace-world.js";

const DISTRACTOR_NAMES = ["channel", "region", "tier", "weekday", "team", "locale"];

describe("free-text prompts", () => {
  it("paraphrases are unique to their (kind, level) and no other piece of a prompt contains one", () => {
    const all = PARAPHRASES.flat(2);
    expect(all).toHaveLength(TASK_KINDS.length * TASK_LEVELS.length * 4);
    expect(new Set(all).size).toBe(all.length);
    const others = [...FILLERS.flat(), ...MISLEADING.map(([t]) => t)];
    for (const p of all) {
      for (const q of all) if (p !== q) expect(q.includes(p)).toBe(false);
      for (const o of others) expect(o.includes(p)).toBe(false);
    }
  });

  // a small free world: 15 × 4 paraphrases × 5 fillers × (1 + 8 misleading) × 2^2 distractor values
  const small = createToolRoutingEnvironment({
    promptStyle: "free",
    kindFeatures: false,
    distractors: 2,
    distractorValues: 2,
    numActions: 6,
    misleadingRate: 0.4,
  });

  it("enumerates a finite context set of distinct prompts, uniform over the observed (kind, level)", () => {
    const contexts = small.contexts();
    expect(contexts).toHaveLength(15 * 4 * 5 * 9 * 4);
    expect(new Set(contexts.map((c) => c.context.prompt)).size).toBe(contexts.length);
    expect(contexts.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 12);
    const mass = new Map<string, number>();
    for (const c of contexts) {
      expect(Object.keys(c.context.features ?? {})).toEqual(["channel", "region"]);
      const o = small.observedKindLevel({ prompt: c.context.prompt! }); // parsed from the text alone
      expect(o).toBeDefined();
      mass.set(`${o!.kind}/${o!.level}`, (mass.get(`${o!.kind}/${o!.level}`) ?? 0) + c.probability);
    }
    expect(mass.size).toBe(15);
    for (const p of mass.values()) expect(p).toBeCloseTo(1 / 15, 12);
  });

  it("recovers the (kind, level) used to generate every sampled prompt (property, no feature noise)", () => {
    const exact = createToolRoutingEnvironment({
      promptStyle: "free",
      kindFeatures: false,
      distractors: 2,
      distractorValues: 2,
      numActions: 6,
      featureNoise: 0,
      misleadingRate: 0.5,
    });
    const prompts = new Set(exact.contexts().map((c) => c.context.prompt));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const rng = createRng(seed);
        for (let i = 0; i < 20; i++) {
          const task = exact.sample(rng);
          const text = { prompt: task.context.prompt! };
          expect(exact.observedKindLevel(text)).toEqual({ kind: task.kind, level: task.level });
          expect(Array.from(exact.expectedRewards(text))).toEqual(
            exact.actions.map((a) => exact.competence(a, task.kind, task.level)),
          );
          expect(prompts.has(task.context.prompt)).toBe(true);
        }
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it("prompts are varied: fillers, misleading phrases, distractors woven in at different places", () => {
    const rng = createRng(3);
    const prompts = Array.from({ length: 2000 }, () => small.sample(rng).context.prompt!);
    const misleading = prompts.filter((p) => MISLEADING.some(([t]) => p.includes(t))).length / 2000;
    expect(Math.abs(misleading - 0.4)).toBeLessThan(4 * Math.sqrt(0.24 / 2000));
    expect(prompts.some((p) => p.startsWith("via "))).toBe(true);
    expect(prompts.some((p) => p.startsWith("["))).toBe(true);
    expect(prompts.some((p) => /\(\w+, \w+\)/.test(p))).toBe(true);
    expect(prompts.some((p) => p.endsWith("asap please"))).toBe(true);
    // the misleading phrase never evokes the stated kind
    for (const p of prompts) {
      const stated = TASK_KINDS.indexOf(small.observedKindLevel({ prompt: p })!.kind);
      for (const [t, evoked] of MISLEADING) if (p.includes(t)) expect(evoked).not.toBe(stated);
    }
  });

  it("expectedRewards and exactValue agree with simulation in the trace world", () => {
    const world = createTraceWorld();
    const rng = createRng(21);
    const n = 15000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const task = world.sample(rng);
      const a = world.behavior.act(task.context, { mode: "sample", rng });
      const r = world.verify(task, a.action, rng).reward;
      sum += r;
      sq += r * r;
    }
    const mean = sum / n;
    const se = Math.sqrt((sq / n - mean * mean) / n);
    expect(Math.abs(mean - world.exactValue(world.behavior))).toBeLessThan(4 * se);
  });

  it("kindFeatures: false leaves only the distractors in the features, in both prompt styles", () => {
    const template = createToolRoutingEnvironment({ kindFeatures: false, distractors: 3 });
    const withKind = createToolRoutingEnvironment({ distractors: 3 });
    const rng = createRng(4);
    for (let i = 0; i < 200; i++) {
      const task = template.sample(rng);
      expect(Object.keys(task.context.features!)).toEqual(DISTRACTOR_NAMES.slice(0, 3));
      const observed = template.observedKindLevel(task.context)!;
      const same = {
        ...task.context,
        features: { ...task.context.features, kind: observed.kind, level: TASK_LEVELS[observed.level]! },
      };
      expect(template.expectedRewards(task.context)).toEqual(withKind.expectedRewards(same));
    }
    expect(() => template.expectedRewards({ prompt: "hello" })).toThrow(/prompt states no known kind/);
  });

  it("actionEffect: false makes every action's expected reward equal, so no policy beats another", () => {
    const flat = createTraceWorld({ actionEffect: false, distractors: 1 });
    for (const c of flat.contexts().slice(0, 500)) {
      const q = flat.expectedRewards(c.context);
      for (const v of q) expect(v).toBeCloseTo(q[0]!, 14);
    }
    const base = exactBaselines(flat);
    expect(base.uniform).toBeCloseTo(base.optimum, 12);
    expect(base.bestSingleAction.value).toBeCloseTo(base.optimum, 12);
    expect(flat.exactValue(flat.behavior)).toBeCloseTo(base.optimum, 12);
    // the competences are the mean of the action-dependent world's
    const world = createTraceWorld({ distractors: 1 });
    const mean = world.actions.reduce((s, a) => s + world.competence(a, "date-format", 2), 0) / 6;
    expect(flat.competence(flat.actions[0]!, "date-format", 2)).toBeCloseTo(mean, 14);
  });

  it("validates the new options", () => {
    expect(() => createToolRoutingEnvironment({ promptStyle: "fancy" as "free" })).toThrow(/promptStyle/);
    expect(() => createToolRoutingEnvironment({ misleadingRate: 0.2 })).toThrow(/needs promptStyle "free"/);
    expect(() => createToolRoutingEnvironment({ promptStyle: "free", misleadingRate: 1.5 })).toThrow(
      /misleadingRate must be in \[0, 1\]/,
    );
    expect(() => createToolRoutingEnvironment({ kindFeatures: "no" as unknown as boolean })).toThrow(
      /kindFeatures/,
    );
    expect(() => createToolRoutingEnvironment({ actionEffect: 0 as unknown as boolean })).toThrow(
      /actionEffect/,
    );
  });
});

describe("createTraceWorld", () => {
  const world = createTraceWorld();

  it("uses the preset, keeps the context set small enough for exact values, and is hard to log well", () => {
    expect(world).toMatchObject({ promptStyle: "free", featureNoise: TRACE_WORLD_OPTIONS.featureNoise });
    expect(world.actions).toHaveLength(6);
    expect(world.contexts()).toHaveLength(15 * 4 * 5 * 9 * 27);
    const base = exactBaselines(world);
    const behavior = world.exactValue(world.behavior);
    expect(behavior / base.optimum).toBeGreaterThan(0.5);
    expect(behavior / base.optimum).toBeLessThan(0.6);
    expect(base.bestSingleAction.value).toBeLessThan(behavior);
    expect(base.uniform).toBeLessThan(base.bestSingleAction.value);
  });

  it("generateTraceLogs: heuristic behavior, many prompts tried once, deterministic JSON", () => {
    const a = world.generateTraceLogs({ n: 3000, seed: 9 });
    const b = world.generateTraceLogs({ n: 3000, seed: 9 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(learningTraceToJson(a.trace)).toBe(learningTraceToJson(b.trace));
    expect(JSON.stringify(world.generateTraceLogs({ n: 3000, seed: 10 }))).not.toBe(JSON.stringify(a));
    expect(a.dataset.metadata).toMatchObject({ groupSize: { weights: [...TRACE_GROUP_SIZES.weights] } });
    const sizes = new Map<string, number>();
    for (const e of a.dataset.examples) sizes.set(e.groupId, (sizes.get(e.groupId) ?? 0) + 1);
    const once = [...sizes.values()].filter((s) => s === 1).length / sizes.size;
    expect(Math.abs(once - 0.55)).toBeLessThan(4 * Math.sqrt(0.2475 / sizes.size));
    for (const e of a.dataset.examples.slice(0, 200)) {
      const p = Math.exp(world.behavior.logProbs(e.context)[world.actions.indexOf(e.action)]!);
      expect(e.behaviorProb).toBe(p);
      expect(Object.keys(e.context.features!)).toEqual(DISTRACTOR_NAMES.slice(0, 3));
    }
    const omitted = world.generateTraceLogs({ n: 300, seed: 9, omitPropensities: true });
    expect(JSON.stringify(omitted)).not.toContain("behaviorProb");
  });

  it("passes behavior options through and validates its options", () => {
    const rare = createTraceWorld({ behavior: { rare: ["web-search"], rareProbability: 0.001 } });
    const lp = rare.behavior.logProbs(rare.sample(createRng(1)).context);
    expect(Math.exp(lp[rare.actions.indexOf("web-search")]!)).toBeCloseTo(0.001, 15);
    expect(createTraceWorld({ promptStyle: "template" }).promptStyle).toBe("template");
    expect(() => createTraceWorld(null as never)).toThrow(/trace world options: expected an object/);
    expect(() => createTraceWorld({ behavior: { floor: 0.5 } })).toThrow(/floor/);
  });

  it("the same heuristic works on the default environment's template prompts", () => {
    const env = createToolRoutingEnvironment();
    const behavior = createHeuristicBehavior(env);
    const rng = createRng(2);
    for (let i = 0; i < 50; i++) {
      const task = env.sample(rng);
      const p = behavior.logProbs(task.context).map(Math.exp);
      expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      expect(Math.min(...p)).toBeGreaterThanOrEqual(0.02);
    }
  });
});
