import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHeuristicBehavior } from "./heuristic-behavior.js";
import { createRng } from "./rng.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";

const env = createToolRoutingEnvironment({ promptStyle: "free", kindFeatures: false, numActions: 9 });
const probs = (b: ReturnType<typeof createHeuristicBehavior>, prompt: string, allowed?: string[]) =>
  Array.from(b.logProbs({ prompt }, allowed ? { allowedActions: allowed } : undefined), Math.exp);

describe("createHeuristicBehavior", () => {
  it("gives probabilities summing to 1, at least the floor, rare tools exactly their probability (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.subarray(["shell", "spreadsheet", "web-search", "calculator"]),
        (seed, floor, confidence, rare) => {
          const b = createHeuristicBehavior(env, { floor, confidence, rare, rareProbability: floor / 10 });
          const rng = createRng(seed);
          for (let i = 0; i < 10; i++) {
            const p = probs(b, env.sample(rng).context.prompt!);
            expect(Math.abs(p.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-12);
            p.forEach((x, a) => {
              if (rare.includes(env.actions[a]!)) expect(Math.abs(x - floor / 10)).toBeLessThan(1e-15);
              else expect(x).toBeGreaterThanOrEqual(floor * (1 - 1e-12));
            });
          }
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it("routes by keywords, is fooled by misleading words, falls back to its favorite", () => {
    const b = createHeuristicBehavior(env);
    const top = (prompt: string) => {
      const p = probs(b, prompt);
      return env.actions[p.indexOf(Math.max(...p))];
    };
    expect(top("hi, add two numbers (email, north) thanks")).toBe("calculator");
    expect(top("add two numbers - json export later.")).toBe("json-parser");
    expect(top("convert a whole quantity")).toBe("calculator"); // wrong: the specialist is code-interpreter
    expect(top("times one number by another")).toBe("web-search");
    const p = probs(b, "reverse a sentence");
    // 0.02 floor + (1 - 9 × 0.02) × (0.5 + 0.5 × 0.4 / 8) for the routed tool
    expect(p[env.actions.indexOf("text-editor")]).toBeCloseTo(0.02 + 0.82 * (0.5 + 0.025), 14);
    expect(p[env.actions.indexOf("web-search")]).toBeCloseTo(0.02 + 0.82 * 0.5 * 0.6, 14);
  });

  it("respects allowedActions and logs almost never the rare tools", () => {
    const b = createHeuristicBehavior(env, { rare: ["shell"] });
    const p = probs(b, "reverse a sentence", ["shell", "text-editor"]);
    expect(p.filter((x) => x > 0)).toHaveLength(2);
    expect(p[env.actions.indexOf("shell")]! + p[env.actions.indexOf("text-editor")]!).toBeCloseTo(1, 14);
    const logs = env.generateLogs({ n: 20000, seed: 3, behavior: b });
    const shell = logs.dataset.examples.filter((e) => e.action === "shell");
    expect(Math.abs(shell.length / 20000 - 0.002)).toBeLessThan(4 * Math.sqrt(0.002 / 20000));
    for (const e of shell) expect(e.behaviorProb).toBeCloseTo(0.002, 15);
  });

  it("validates its options", () => {
    expect(() => createHeuristicBehavior({ actions: ["a"] })).toThrow(/at least two actions/);
    expect(() => createHeuristicBehavior(env, { confidence: 2 })).toThrow(/confidence/);
    expect(() => createHeuristicBehavior(env, { favorite: "nope" })).toThrow(/favorite/);
    expect(() => createHeuristicBehavior(env, { floor: 0.2 })).toThrow(/floor must be in \[0, 1\/9\]/);
    expect(() => createHeuristicBehavior(env, { rare: ["nope"] })).toThrow(/rare must list/);
    expect(() => createHeuristicBehavior(env, { rareProbability: 0.5 })).toThrow(/rareProbability/);
  });
});
