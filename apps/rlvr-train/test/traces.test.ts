// Learning from agent traces as users have them: learning-trace JSON files from a biased logging
// policy, many prompts tried once, free text with misleading words, features that do not matter,
// with and without logged propensities. Through the built CLI (`dist/bin.js`): `run`, then `act` on
// every context of the world, scored against the world's exact expected rewards.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobRecord } from "@rlvr/orchestrator";
import {
  createTraceWorld,
  fitRewardModel,
  greedyPolicy,
  learningTraceToJson,
  type TraceWorld,
} from "@rlvr/rlvr-loop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, tempDir } from "./helpers.js";

const bin = join(appDir, "dist", "bin.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function built(argv: string[]): { code: number; stdout: string; stderr: string } {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first (npm test does)`);
  const res = spawnSync(process.execPath, [bin, ...argv], {
    cwd: tmp.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" },
    timeout: 600_000,
    maxBuffer: 1 << 28,
  });
  if (res.error) throw res.error;
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** Writes every context of the world (its whole finite context set) for `act`. */
function contextsFile(world: TraceWorld, name: string): string {
  const lines = world.contexts().map((c, i) => JSON.stringify({ id: i, context: c.context }));
  return tmp.file(name, `${lines.join("\n")}\n`);
}

/** Exact value of the actions `act` chose, over the world's context distribution. */
function greedyValue(world: TraceWorld, actsFile: string): number {
  const contexts = world.contexts();
  let value = 0;
  for (const line of readFileSync(actsFile, "utf8").trim().split("\n")) {
    const { id, action } = JSON.parse(line) as { id: number; action: string };
    const c = contexts[id]!;
    value += c.probability * world.expectedRewards(c.context)[world.actions.indexOf(action)]!;
  }
  return value;
}

interface Outcome {
  record: JobRecord;
  ratio: number;
  stdout: string;
}

/** `rlvr-train run` on a learning-trace file into `<tmp>/<label>/`; its stdout and job record. */
function runTrace(trace: string, label: string, trials: number, extra: string[] = []) {
  const out = join(tmp.dir, label);
  const run = built([
    "run",
    "--dataset",
    trace,
    "--out",
    out,
    "--label",
    label,
    "--trials",
    String(trials),
    ...extra,
  ]);
  expect(run.code, run.stderr).toBe(0);
  const record = JSON.parse(readFileSync(join(out, `${label}.job.json`), "utf8")) as JobRecord;
  return { stdout: run.stdout, record };
}

/** `rlvr-train act` with the checkpoint of job `label` on a contexts file; the actions file. */
function actOn(label: string, contextsPath: string): string {
  const acts = join(tmp.dir, `${label}.acts.jsonl`);
  const checkpoint = join(tmp.dir, label, `${label}.ckpt`);
  const act = built(["act", "--checkpoint", checkpoint, "--input", contextsPath, "--output", acts]);
  expect(act.code, act.stderr).toBe(0);
  return acts;
}

/** `run` on a learning-trace file, then `act` on every context; the greedy value / the optimum. */
function runAndAct(world: TraceWorld, trace: string, label: string, extra: string[] = []): Outcome {
  const { stdout, record } = runTrace(trace, label, 8, extra);
  const acts = actOn(label, contexts);
  return { record, ratio: greedyValue(world, acts) / world.optimalValue(), stdout };
}

const world = createTraceWorld();
let contexts = "";
beforeAll(() => {
  contexts = contextsFile(world, "contexts.jsonl");
});

// Each case runs a whole job on ~14 000 decisions through the built CLI: about 30–55 s on an idle
// 2-core machine, more under load, so the cases get 5 minutes instead of the default minute.
// The claim is 97 % of the optimum over the three log seeds (their mean), and at least 96 % and at
// least the reward-model policy on each: a single seed can take another path from a change of one
// ulp (seed 3 without propensities went 0.979 → 0.968 with the trainer's float32 moments, the same
// trials and configuration, another epoch kept by validation; docs/algorithms.md §2.4).
const RATIOS: Record<"without" | "with", number[]> = { without: [], with: [] };
describe.each([1, 2, 3])(
  "trace-shaped logs, log seed %i (about 8 000 prompts)",
  { timeout: 300_000 },
  (seed) => {
    const logs = world.generateTraceLogs({ n: 14_000, seed, omitPropensities: true });
    // what a user would otherwise do: a per-action logistic reward model on the whole file, greedy
    let rewardModel = Number.NaN;
    beforeAll(() => {
      rewardModel = world.exactValue(greedyPolicy(fitRewardModel(logs.dataset))) / world.optimalValue();
    });

    it("without propensities: ≥ 96 % of the optimum, at least the reward-model policy, shipped as learned", () => {
      const trace = tmp.file(`trace-${seed}.json`, learningTraceToJson(logs.trace));
      const { record, ratio, stdout } = runAndAct(world, trace, `np${seed}`);
      expect(record.evaluation?.behaviorSource).toBe("fitted-on-training");
      expect(record.training?.target).toBe("dm");
      expect(record.shipping?.shipped).toBe("learned");
      expect(stdout).toContain("shipped");
      RATIOS.without.push(ratio);
      expect(ratio).toBeGreaterThanOrEqual(0.96);
      expect(ratio).toBeGreaterThanOrEqual(rewardModel);
    });

    it("with propensities read from the traces: ≥ 96 % of the optimum, at least the reward-model policy", () => {
      const withProbs = world.generateTraceLogs({ n: 14_000, seed });
      const trace = tmp.file(`trace-p${seed}.json`, learningTraceToJson(withProbs.trace));
      const { record, ratio } = runAndAct(world, trace, `p${seed}`, [
        "--propensity-pointer",
        "/metadata/behaviorProb",
      ]);
      expect(record.evaluation?.behaviorSource).toBe("logged");
      expect(record.shipping?.shipped).toBe("learned");
      RATIOS.with.push(ratio);
      expect(ratio).toBeGreaterThanOrEqual(0.96);
      expect(ratio).toBeGreaterThanOrEqual(rewardModel);
    });
  },
);

it("reaches 97 % of the optimum on average over the three log seeds, with and without propensities", (context) => {
  if (RATIOS.without.length < 3 || RATIOS.with.length < 3) context.skip(); // run alone (a filter)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `greedy value / optimum over log seeds 1–3: without propensities ${RATIOS.without.map((r) => r.toFixed(4)).join(", ")}; with ${RATIOS.with.map((r) => r.toFixed(4)).join(", ")}`,
  );
  expect(mean(RATIOS.without)).toBeGreaterThanOrEqual(0.97);
  expect(mean(RATIOS.with)).toBeGreaterThanOrEqual(0.97);
});

describe("the shipping rule", () => {
  it("ships a baseline and says so when the reward does not depend on the action", () => {
    const flat = createTraceWorld({ actionEffect: false });
    const logs = flat.generateTraceLogs({ n: 6000, seed: 4, omitPropensities: true });
    const trace = tmp.file("flat.json", learningTraceToJson(logs.trace));
    const { stdout, record } = runTrace(trace, "flat", 4);
    const shipping = record.shipping!;
    expect(shipping.shipped).not.toBe("learned");
    expect(shipping.forced).toBe(false);
    expect(shipping.differences.learnedMinusBehavior.lower).toBeLessThanOrEqual(0);
    expect(shipping.reason).toContain("not above 0");
    expect(stdout).toContain("shipped");
    // the shipped checkpoint serves
    actOn("flat", contexts);
  });

  it("makes no claim about a tool the logging policy almost never tried, and ships nothing worse than the behavior", () => {
    const rare = createTraceWorld({ behavior: { rare: ["code-interpreter", "date-parser"] } });
    const logs = rare.generateTraceLogs({ n: 8000, seed: 5, omitPropensities: true });
    const trace = tmp.file("rare.json", learningTraceToJson(logs.trace));
    const { record } = runTrace(trace, "rare", 4);
    const shipping = record.shipping!;
    const width = (e: { lower: number; upper: number }) => e.upper - e.lower;
    const byAction = new Map((shipping.singleActions ?? []).map((s) => [s.action, s]));
    for (const tool of ["code-interpreter", "date-parser"]) {
      // the interval says the data cannot tell (the whole reward range), and it is never the baseline
      const entry = byAction.get(tool)!;
      expect(entry.supported).toBe(false);
      expect(entry.effectiveSampleSize).toBeLessThan(30);
      expect(width(entry.dr)).toBeGreaterThan(10 * width(shipping.behavior));
      expect(shipping.bestSingleAction.action).not.toBe(tool);
    }
    // tools it tried often enough are supported, and the baseline is one of them
    const supported = shipping.singleActions!.filter((a) => a.supported);
    expect(supported.length).toBeGreaterThan(0);
    for (const a of supported) expect(a.effectiveSampleSize).toBeGreaterThanOrEqual(30);
    expect(byAction.get(shipping.bestSingleAction.action)!.supported).toBe(true);
    // whatever was shipped is at least as good as the logging policy (exact values)
    const acts = actOn("rare", contextsFile(rare, "rare-contexts.jsonl"));
    expect(greedyValue(rare, acts)).toBeGreaterThanOrEqual(rare.exactValue(rare.behavior));
  });
});
