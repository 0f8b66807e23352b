import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobRecord } from "@rlvr/orchestrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, example, jsonl, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const data = tmp.file("data.jsonl", jsonl(Array.from({ length: 200 }, (_, i) => example(i))));
const out = join(tmp.dir, "out");
const record = (label: string) =>
  JSON.parse(readFileSync(join(out, `${label}.job.json`), "utf8")) as JobRecord;

beforeAll(async () => {
  const tuned = await cli(["tune", "--dataset", data, "--out", out, "--trials", "3", "--label", "t"]);
  expect(tuned.code, tuned.stderr).toBe(0);
  const trained = await cli([
    "train",
    "--dataset",
    data,
    "--out",
    out,
    "--params",
    join(out, "t.params.json"),
    "--label",
    "f",
  ]);
  expect(trained.code, trained.stderr).toBe(0);
});

describe("rlvr-train tune and train", () => {
  it("tune runs the tuning only and writes the best parameters of its record to <label>.params.json", () => {
    const params = JSON.parse(readFileSync(join(out, "t.params.json"), "utf8"));
    const r = record("t");
    expect(r.spec.mode).toBe("tune");
    expect(r.stages).toEqual(["load", "split", "fingerprint", "tune"]);
    expect([r.training, r.evaluation, r.checkpoint]).toEqual([null, null, null]);
    expect(existsSync(join(out, "t.ckpt"))).toBe(false);
    expect(existsSync(join(out, "t.report.html"))).toBe(true);
    const bestTrial = r.tuning?.trials.find((t) => t.number === r.tuning?.bestTrial);
    // the best trial's seed is part of the parameters, so that train reproduces that trial
    expect(params.params).toEqual({ ...r.tuning?.bestParams, seed: bestTrial?.seed });
    expect(params.bestValue).toBe(r.tuning?.bestValue);
    expect(params.fingerprint).toBe(r.fingerprint);
  });

  it("train runs no search and trains the final policy with exactly the given parameters", () => {
    const r = record("f");
    const best = record("t").tuning?.bestParams ?? {};
    expect(r.spec.mode).toBe("train");
    expect(r.tuning).toBeNull();
    expect(r.stages).toEqual(["load", "split", "fingerprint", "train", "evaluate", "ship", "checkpoint"]);
    const config = r.finalConfig as { epochs: number; optimizer: { learningRate: number } };
    expect(config.epochs).toBe(best.epochs);
    expect(config.optimizer.learningRate).toBe(best["optimizer.learningRate"]);
    expect(existsSync(join(out, "f.ckpt"))).toBe(true);
  });

  it("tune then train gives the same final policy as run with the same tuning", async () => {
    const full = await cli([
      "run",
      "--dataset",
      data,
      "--out",
      join(tmp.dir, "full"),
      "--trials",
      "3",
      "--label",
      "r",
      "--json",
    ]);
    expect(full.code, full.stderr).toBe(0);
    const r = JSON.parse(full.stdout) as JobRecord;
    expect(r.tuning).toEqual(record("t").tuning);
    expect(r.finalConfig).toEqual(record("f").finalConfig);
    const { selection: s1, ...t1 } = r.training!;
    const { selection: s2, ...t2 } = record("f").training!;
    expect(t1).toEqual(t2);
    expect([s1?.method, s2?.method]).toEqual(["best-trial", "configured"]);
    expect(r.evaluation).toEqual(record("f").evaluation);
    expect(r.shipping).toEqual(record("f").shipping);
  });

  it("train rejects --trials, --concurrency and bad parameters files with exit 2", async () => {
    expect((await cli(["train", "--dataset", data, "--out", out, "--trials", "3"])).code).toBe(2);
    expect((await cli(["train", "--dataset", data, "--out", out, "--concurrency", "2"])).code).toBe(2);
    const bad = tmp.file("bad-params.json", JSON.stringify({ epochs: [1] }));
    const r = await cli(["train", "--dataset", data, "--out", join(tmp.dir, "none"), "--params", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("/epochs");
    const unknown = tmp.file("unknown-params.json", JSON.stringify({ "optimizer.lr": 0.1 }));
    const u = await cli(["train", "--dataset", data, "--out", join(tmp.dir, "none"), "--params", unknown]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("unknown-params.json");
    expect(u.stderr).toContain("optimizer.lr");
    expect(existsSync(join(tmp.dir, "none"))).toBe(false);
  });
});

describe("rlvr-train act", () => {
  it("writes one JSON line per context with the probabilities and the greedy action", async () => {
    const contexts = tmp.file(
      "contexts.jsonl",
      jsonl([
        { id: "x", context: { prompt: "task 0", features: { kind: "a", size: 1 } } },
        { prompt: "task 1", features: { kind: "b", size: 2 } },
        { id: 3, context: { prompt: "task 2" }, allowedActions: ["search"] },
      ]),
    );
    const r = await cli(["act", "--checkpoint", join(out, "f.ckpt"), "--input", contexts]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(["x", null, 3]);
    for (const l of lines) {
      const probs = Object.values(l.probabilities as Record<string, number>);
      expect(probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      expect(l.probability).toBe(Math.max(...probs));
      expect(l.probabilities[l.action]).toBe(l.probability);
    }
    expect(lines[2].action).toBe("search");
    expect(lines[2].probabilities.calculator).toBe(0);
    const again = await cli(["act", "--checkpoint", join(out, "f.ckpt"), "--input", contexts]);
    expect(again.stdout).toBe(r.stdout);
  });

  it("samples reproducibly with a seed", async () => {
    const contexts = tmp.file(
      "many.jsonl",
      jsonl(Array.from({ length: 30 }, (_, i) => ({ prompt: `task ${i % 3}` }))),
    );
    const run = (seed: string) =>
      cli([
        "act",
        "--checkpoint",
        join(out, "f.ckpt"),
        "--input",
        contexts,
        "--mode",
        "sample",
        "--seed",
        seed,
      ]);
    const a = await run("1");
    expect(a.code).toBe(0);
    expect((await run("1")).stdout).toBe(a.stdout);
  });

  it("exits 2 on a bad checkpoint, a missing input and a bad context line", async () => {
    const notCkpt = tmp.file("not.ckpt", "hello");
    const contexts = tmp.file("one.jsonl", jsonl([{ prompt: "x" }]));
    const bad = await cli(["act", "--checkpoint", notCkpt, "--input", contexts]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not.ckpt");
    expect(
      (await cli(["act", "--checkpoint", join(out, "f.ckpt"), "--input", join(tmp.dir, "nope")])).code,
    ).toBe(2);
    const wrong = tmp.file("wrong.jsonl", `${JSON.stringify({ prompt: 3 })}\n`);
    const w = await cli(["act", "--checkpoint", join(out, "f.ckpt"), "--input", wrong]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain(`${wrong}:1: /prompt`);
  });
});

describe("rlvr-train eval", () => {
  it("evaluates a checkpoint on a dataset with intervals and baselines", async () => {
    const r = await cli([
      "eval",
      "--checkpoint",
      join(out, "f.ckpt"),
      "--dataset",
      data,
      "--resamples",
      "200",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { evaluation } = JSON.parse(r.stdout);
    expect(evaluation.numExamples).toBe(200);
    expect(evaluation.policy.dr.lower).toBeLessThanOrEqual(evaluation.policy.dr.value);
    expect(evaluation.policy.dr.upper).toBeGreaterThanOrEqual(evaluation.policy.dr.value);
    expect(evaluation.baselines.bestSingleAction.action).toMatch(/search|calculator/);
    const text = await cli([
      "eval",
      "--checkpoint",
      join(out, "f.ckpt"),
      "--dataset",
      data,
      "--resamples",
      "200",
    ]);
    expect(text.stdout).toContain(`DR ${evaluation.policy.dr.value.toFixed(4)} [`);
  });
});

describe("rlvr-train replay", () => {
  it("reproduces a job from its record (exit 0) and names the fields that differ (exit 1)", async () => {
    const ok = await cli(["replay", join(out, "f.job.json")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("identical");
    const r = record("t");
    const tuning = r.tuning as NonNullable<JobRecord["tuning"]>;
    const first = tuning.trials[0] as { value: number | null };
    first.value = (first.value ?? 0) + 1e-9;
    const tampered = tmp.file("tampered.job.json", JSON.stringify(r));
    const bad = await cli(["replay", tampered, "--json"]);
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.stdout);
    expect(result.identical).toBe(false);
    expect(result.differences.map((d: { pointer: string }) => d.pointer)).toEqual(["/tuning/trials/0/value"]);
  });

  it("exits 2 for a file that is not a job record", async () => {
    const r = await cli(["replay", tmp.file("x.json", '{"recordVersion": 1}')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a valid job record");
  });
});

describe("rlvr-train runs", () => {
  it("lists, shows and compares the runs of the registry", async () => {
    const list = await cli(["runs", "list", "--out", out, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const runs = JSON.parse(list.stdout) as { id: string; label: string; status: string }[];
    expect(runs.map((r) => r.label).sort()).toEqual(["f", "t"]);
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    const text = await cli(["runs", "list", "--out", out]);
    expect(text.stdout).toMatch(/^id\s+status\s+label/);
    const t = record("t");
    const show = await cli(["runs", "show", t.jobId.slice(0, 10), "--out", out]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(t.fingerprint);
    const cmp = await cli(["runs", "compare", t.jobId, record("f").jobId, "--out", out, "--json"]);
    expect(cmp.code, cmp.stderr).toBe(0);
    expect(JSON.parse(cmp.stdout).a.id).toBe(t.jobId);
  });

  it("exits 2 without a registry, for an unknown run or subcommand, and on unknown options", async () => {
    const none = await cli(["runs", "list", "--out", join(tmp.dir, "empty")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no run registry");
    expect(existsSync(join(tmp.dir, "empty"))).toBe(false);
    expect((await cli(["runs", "show", "job-0000", "--out", out])).code).toBe(2);
    expect((await cli(["runs", "delete"])).code).toBe(2);
    expect((await cli(["runs"])).code).toBe(2);
    const typo = await cli(["runs", "list", "--out", out, "--limt", "3"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--limt' for 'runs list'");
  });
});

describe("rlvr-train help", () => {
  it("documents every command", async () => {
    const r = await cli(["--help"]);
    for (const name of [
      "run",
      "demo",
      "tune",
      "train",
      "eval",
      "act",
      "replay",
      "runs",
      "validate",
      "fingerprint",
    ]) {
      expect(r.stdout).toContain(name);
    }
    for (const args of [
      ["run", "--help"],
      ["runs", "--help"],
      ["runs", "show", "--help"],
    ]) {
      const h = await cli(args);
      expect(h.code, args.join(" ")).toBe(0);
      expect(h.stdout).toContain("USAGE");
    }
  });
});
