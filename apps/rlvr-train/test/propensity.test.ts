import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobRecord } from "@rlvr/orchestrator";
import { afterAll, describe, expect, it } from "vitest";
import { cli, example, jsonl, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const POINTER = "/metadata/behaviorProbability";

/** A learning-trace document of `n` decisions whose propensities sit in `metadata.behaviorProbability`. */
function traceDocument(n: number, prob: (i: number) => unknown = (i) => (i % 3 === 0 ? 0.4 : 0.6)) {
  const examples = Array.from({ length: n }, (_, i) => {
    const e = example(i);
    const metadata: Record<string, unknown> = { context: e["context"] };
    const p = prob(i);
    if (p !== undefined) metadata["behaviorProbability"] = p;
    return {
      id: e["id"],
      requestId: e["groupId"],
      toolName: e["action"],
      source: "user",
      toolInput: {},
      durationMs: 3,
      reward: e["reward"],
      verificationPassed: e["verified"],
      labels: {
        taskOutcome: e["verified"] ? "success" : "fail",
        verificationAlignment: "aligned",
        policyCompliance: "compliant",
        safetyRisk: "none",
        rewardHackingSignal: "none",
      },
      metadata,
    };
  });
  return `${JSON.stringify({ id: "traces", label: "traces", createdAt: 0, examples }, null, 2)}\n`;
}

const traces = tmp.file("traces.json", traceDocument(200));
const out = join(tmp.dir, "out");
const JOB = ["--out", out, "--trials", "2", "--registry", join(tmp.dir, "reg.db")];

describe("--propensity-pointer", () => {
  it("validate reads the propensities of a learning-trace file", async () => {
    const plain = await cli(["validate", traces, "--json"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).stats.fracWithBehaviorProb).toBe(0);
    const r = await cli(["validate", traces, "--propensity-pointer", POINTER, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.stats.fracWithBehaviorProb).toBe(1);
    expect(summary.digest).not.toBe(JSON.parse(plain.stdout).digest);
    const text = await cli(["validate", traces, `--propensity-pointer=${POINTER}`]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("valid (learning-trace, detected)");
  });

  it("a job records the pointer and evaluates with the logged propensities; fingerprint, eval and replay follow", async () => {
    const run = await cli([
      "run",
      "--dataset",
      traces,
      "--propensity-pointer",
      POINTER,
      "--label",
      "p",
      ...JOB,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(out, "p.job.json"), "utf8")) as JobRecord;
    expect(record.spec.propensityPointer).toBe(POINTER);
    expect(record.dataset?.format).toBe("learning-trace");
    expect(record.dataset?.stats["fracWithBehaviorProb"]).toBe(1);
    expect(record.evaluation?.behaviorSource).toBe("logged");

    // without the pointer the same file has no propensities: a behavior model stands in for them
    const plain = await cli(["run", "--dataset", traces, "--label", "q", ...JOB]);
    expect(plain.code, plain.stderr).toBe(0);
    const other = JSON.parse(readFileSync(join(out, "q.job.json"), "utf8")) as JobRecord;
    expect(other.spec.propensityPointer).toBeUndefined();
    expect(other.evaluation?.behaviorSource).not.toBe("logged");
    expect(other.dataset?.digest).not.toBe(record.dataset?.digest);

    const fp = await cli([
      "fingerprint",
      "--dataset",
      traces,
      "--propensity-pointer",
      POINTER,
      "--label",
      "p",
      "--trials",
      "2",
    ]);
    expect(fp.code, fp.stderr).toBe(0);
    expect(fp.stdout.split("\n")[0]).toBe(record.fingerprint);

    const ev = await cli([
      "eval",
      "--checkpoint",
      join(out, "p.ckpt"),
      "--dataset",
      traces,
      "--propensity-pointer",
      POINTER,
      "--resamples",
      "200",
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toContain("behavior probabilities logged");

    const replay = await cli(["replay", join(out, "p.job.json")]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
  });

  it("a missing or out-of-range propensity exits 2 naming file, line and pointer; nothing is written", async () => {
    const text = traceDocument(200, (i) => (i === 3 ? undefined : i === 5 ? 1.5 : 0.5));
    const bad = tmp.file("bad.json", text);
    const lineOf = (needle: string, from: number) =>
      text.slice(0, text.indexOf(needle, from)).split("\n").length;
    const missingLine = lineOf('"metadata"', text.indexOf('"id": "e3"'));
    const rangeLine = lineOf('"behaviorProbability": 1.5', 0);
    const v = await cli(["validate", bad, "--propensity-pointer", POINTER]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(
      `${bad}:${missingLine}: /examples/3/metadata/behaviorProbability: missing propensity: the propensity pointer /metadata/behaviorProbability resolves to nothing (every example must have one when the pointer is given) (expected a number in (0, 1])`,
    );
    expect(v.stderr).toContain(
      `${bad}:${rangeLine}: /examples/5/metadata/behaviorProbability: propensity out of range (got 1.5, expected a number in (0, 1])`,
    );
    const badOut = join(tmp.dir, "bad-out");
    const run = await cli([
      "run",
      "--dataset",
      bad,
      "--propensity-pointer",
      POINTER,
      "--out",
      badOut,
      "--trials",
      "2",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${bad}:${missingLine}: /examples/3/metadata/behaviorProbability: missing propensity`,
    );
    expect(existsSync(badOut)).toBe(false);
  });

  it("a malformed pointer is a usage error (exit 2) for every command that loads datasets", async () => {
    const ckpt = join(out, "p.ckpt");
    const commands = [
      ["validate", traces],
      ["run", "--dataset", traces, ...JOB],
      ["tune", "--dataset", traces, ...JOB],
      ["train", "--dataset", traces, ...JOB.slice(0, 2)],
      ["fingerprint", "--dataset", traces],
      ["eval", "--checkpoint", ckpt, "--dataset", traces],
    ];
    for (const argv of commands) {
      const r = await cli([...argv, "--propensity-pointer", "metadata/behaviorProbability"]);
      expect(r.code, `${argv[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(
        'error: --propensity-pointer is not a JSON pointer (RFC 6901): it must start with "/", e.g. "/metadata/behaviorProbability" (got "metadata/behaviorProbability")',
      );
    }
    const tilde = await cli(["validate", traces, "--propensity-pointer", "/metadata/a~b"]);
    expect(tilde.code).toBe(2);
    expect(tilde.stderr).toMatch(
      /--propensity-pointer is not a JSON pointer \(RFC 6901\): the "~" at character 12 must be followed by 0 or 1/,
    );
    const empty = await cli(["validate", traces, "--propensity-pointer="]);
    expect(empty.code).toBe(2);
    const demo = await cli(["demo", "--propensity-pointer", POINTER]);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain("unknown option '--propensity-pointer'");
  });

  it("native files carry behaviorProb themselves: the pointer does not apply to them (exit 2)", async () => {
    const native = tmp.file("native.jsonl", jsonl(Array.from({ length: 20 }, (_, i) => example(i))));
    const r = await cli(["validate", native, "--propensity-pointer", POINTER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${native}: (root): the propensity pointer /metadata/behaviorProbability applies to learning-trace, legacy-rlvr and completions files only; this file is jsonl, whose examples carry behaviorProb themselves`,
    );
    const explicit = await cli(["validate", native, "--format", "jsonl", "--propensity-pointer", POINTER]);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toContain(
      "error: --propensity-pointer applies to learning-trace, legacy-rlvr and completions files; --format jsonl",
    );
  });

  it("is documented in the help of each command", async () => {
    for (const command of ["validate", "run", "tune", "train", "eval", "fingerprint"]) {
      const r = await cli([command, "--help"]);
      expect(r.stdout, command).toContain("--propensity-pointer");
    }
  });
});
