import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/version.js";
import { appDir, cli, example, jsonl, samplePath, spawnCli, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const rows = Array.from({ length: 12 }, (_, i) => example(i));

describe("rlvr-train (binary)", () => {
  it("prints its version", () => {
    const r = spawnCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it("has --help on every command, on stdout, without colour under NO_COLOR", () => {
    for (const args of [["--help"], ["validate", "--help"], ["fingerprint", "--help"]]) {
      const r = spawnCli(args, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("USAGE");
      expect(r.stdout).not.toContain("\u001b[");
    }
  });

  it("exits 2 with a one-line message and no stack trace on a user error", () => {
    const bad = tmp.file("bin-bad.jsonl", '{"id": 1}\n');
    const r = spawnCli(["validate", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:1:`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe("");
  });

  it("validates the bundled sample and exits 0", () => {
    const r = spawnCli(["validate", samplePath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it("says on stderr what to do when the SQLite binding cannot load, and writes no record", () => {
    const hide = {
      NODE_OPTIONS: `--require ${join(appDir, "test", "__fixtures__", "no-sqlite-binding.cjs")}`,
    };
    expect(spawnCli(["--help"], { env: hide }).code).toBe(0);
    const out = join(tmp.dir, "no-sqlite");
    const r = spawnCli(["demo", "--out", out, "--trials", "1"], { env: hide });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the SQLite binding could not be loaded");
    expect(r.stderr).toContain("Cannot find module '@libsql/");
    expect(r.stderr).toContain('"registryPath": null');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(out, "demo.job.json"))).toBe(false);
    const runs = spawnCli(["runs", "list", "--registry", samplePath], { env: hide });
    expect(runs.code).toBe(1);
    expect(runs.stderr).toContain("the SQLite binding could not be loaded");
  });
});

describe("rlvr-train usage errors", () => {
  it("rejects a missing command, an unknown command and an unknown option with exit 2", async () => {
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(["trian"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'trian'");
    const typo = await cli(["fingerprint", "--dataset", samplePath, "--sed", "3"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--sed'");
  });

  it("rejects a bad seed and a bad --format value", async () => {
    const seed = await cli(["fingerprint", "--dataset", samplePath, "--seed", "-1"]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("--seed");
    const fmt = await cli(["validate", samplePath, "--format", "csv"]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain("--format");
  });

  it("reports a missing file as bad input", async () => {
    const r = await cli(["validate", join(tmp.dir, "nope.jsonl")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.jsonl");
  });
});

describe("rlvr-train validate", () => {
  it("prints statistics and the digest for a valid file, and JSON with --json", async () => {
    const file = tmp.file("ok.jsonl", jsonl(rows));
    const human = await cli(["validate", file]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("examples 12");
    expect(human.stdout).toContain("groups 6");
    const json = await cli(["validate", file, "--json"]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.valid).toBe(true);
    expect(parsed.reports[0].stats.examples).toBe(12);
    expect(parsed.reports[0].format).toBe("jsonl");
    expect(parsed.reports[0].formatDetected).toBe(true);
    expect(parsed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("checks ids across files and reports the combined digest", async () => {
    const a = tmp.file("part-a.jsonl", jsonl(rows.slice(0, 6)));
    const b = tmp.file("part-b.jsonl", jsonl(rows.slice(6)));
    const whole = await cli(["validate", tmp.file("whole.jsonl", jsonl(rows)), "--json"]);
    const parts = await cli(["validate", a, b, "--json"]);
    expect(parts.code).toBe(0);
    expect(JSON.parse(parts.stdout).digest).toBe(JSON.parse(whole.stdout).digest);
    const dup = await cli(["validate", a, a]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/duplicate/i);
  });

  it("names the line of a record that matches no format", async () => {
    const file = tmp.file("unknown.jsonl", '\n{"id": 1}\n');
    const r = await cli(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2: `);
    expect(r.stderr).toContain("not detected");
  });

  it("lists every error of an invalid file, one per line, as file:line: pointer: message", async () => {
    const bad = [
      example(0, { reward: 1.5 }),
      example(1),
      example(2, { behaviorProb: 0 }),
      example(3, { extra: 1 }),
    ];
    const file = tmp.file("errors.jsonl", jsonl(bad));
    const r = await cli(["validate", file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith(`${file}:`));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${escapeRegExp(file)}:1: /reward: `));
    expect(lines[1]).toMatch(new RegExp(`^${escapeRegExp(file)}:3: /behaviorProb: `));
    expect(lines[2]).toMatch(new RegExp(`^${escapeRegExp(file)}:4: `));
    expect(lines[2]).toContain("extra");
  });
});

describe("rlvr-train fingerprint", () => {
  const base = jsonl(rows);
  const reordered = `${rows
    .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).reverse()), null, 0).replace(/,/g, ", "))
    .join("\n")}\n`;
  const asJson = JSON.stringify(
    { schemaVersion: 1, id: "d1", label: "same data", createdAt: "2026-01-01T00:00:00Z", examples: rows },
    null,
    2,
  );

  async function fp(file: string, extra: string[] = []) {
    const r = await cli(["fingerprint", "--dataset", file, "--seed", "3", ...extra]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout.split("\n")[0];
  }

  it("is the same for the same examples as JSONL, JSON, with reordered keys, and at another path", async () => {
    const a = await fp(tmp.file("a.jsonl", base));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await fp(tmp.file("b.jsonl", reordered))).toBe(a);
    expect(await fp(tmp.file("c.json", asJson))).toBe(a);
    expect(await fp(tmp.file("moved-elsewhere.jsonl", base))).toBe(a);
  });

  it("changes with one changed reward, and with the seed", async () => {
    const a = await fp(tmp.file("r0.jsonl", base));
    const changed = rows.map((r, i) => (i === 5 ? { ...r, reward: 1 } : r));
    expect(await fp(tmp.file("r1.jsonl", jsonl(changed)))).not.toBe(a);
    const seeded = await cli(["fingerprint", "--dataset", join(tmp.dir, "r0.jsonl"), "--seed", "4"]);
    expect(seeded.stdout.split("\n")[0]).not.toBe(a);
  });

  it("writes a manifest with --output, diffs two manifests by pointer, and verifies them", async () => {
    const data = tmp.file("m.jsonl", base);
    const m1 = join(tmp.dir, "m1.json");
    const m2 = join(tmp.dir, "m2.json");
    expect((await cli(["fingerprint", "--dataset", data, "--seed", "1", "--output", m1])).code).toBe(0);
    expect((await cli(["fingerprint", "--dataset", data, "--seed", "2", "--output", m2])).code).toBe(0);
    const d = await cli(["fingerprint", "--diff", m1, m2]);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain("/seed");
    expect(d.stdout).toContain("1 → 2");
    const same = await cli(["fingerprint", "--diff", m1, m1, "--json"]);
    expect(JSON.parse(same.stdout)).toEqual({ identical: true, differences: [] });
    expect((await cli(["fingerprint", "--verify", m1])).code).toBe(0);
  });

  it("reports a tampered manifest and exits 2", async () => {
    const data = tmp.file("t.jsonl", base);
    const m = join(tmp.dir, "t.json");
    await cli(["fingerprint", "--dataset", data, "--output", m]);
    const manifest = JSON.parse(readFileSync(m, "utf8"));
    manifest.inputs.seed = 99;
    const tampered = tmp.file("tampered.json", JSON.stringify(manifest));
    const r = await cli(["fingerprint", "--verify", tampered]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("tampered.json");
  });

  it("writes nothing when the dataset is invalid", async () => {
    const { dir, file, cleanup } = tempDir();
    try {
      const data = file("bad.jsonl", jsonl([example(0, { reward: Number.NaN })]).replace("null", "NaN"));
      const r = await cli(["fingerprint", "--dataset", data, "--output", join(dir, "out", "m.json")]);
      expect(r.code).toBe(2);
      expect(existsSync(join(dir, "out"))).toBe(false);
      expect(readdirSync(dir)).toEqual(["bad.jsonl"]);
    } finally {
      cleanup();
    }
  });

  it("reads seed and config from a job file, and rejects unknown fields with their pointer", async () => {
    const data = tmp.file("j.jsonl", base);
    const job = tmp.file("job.json", JSON.stringify({ seed: 3, label: "x", rlvr: { epochs: 2 } }));
    const withJob = await cli(["fingerprint", "--dataset", data, "--config", job]);
    expect(withJob.code, withJob.stderr).toBe(0);
    const plain = await cli(["fingerprint", "--dataset", data, "--seed", "3", "--label", "x"]);
    expect(plain.stdout.split("\n")[0]).not.toBe(withJob.stdout.split("\n")[0]);
    const bad = tmp.file("bad-job.json", JSON.stringify({ seed: 3, sede: 4 }));
    const r = await cli(["fingerprint", "--dataset", data, "--config", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad-job.json");
    expect(r.stderr).toContain("/sede: unknown member");
  });

  it("gives the fingerprint and job id that run records for the same job", async () => {
    const data = tmp.file("same.jsonl", jsonl(Array.from({ length: 60 }, (_, i) => example(i))));
    const job = tmp.file("same-job.json", JSON.stringify({ seed: 7, tuner: { trials: 2 } }));
    const fp = await cli(["fingerprint", "--dataset", data, "--config", job, "--label", "same"]);
    expect(fp.code, fp.stderr).toBe(0);
    const run = await cli([
      "run",
      "--dataset",
      data,
      "--config",
      job,
      "--label",
      "same",
      "--out",
      join(tmp.dir, "same-out"),
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(fp.stdout.split("\n")[0]).toBe(record.fingerprint);
    expect(fp.stdout).toContain(`job id ${record.jobId}`);
    const tuneOnly = await cli([
      "fingerprint",
      "--dataset",
      data,
      "--config",
      job,
      "--label",
      "same",
      "--mode",
      "tune",
    ]);
    expect(tuneOnly.stdout.split("\n")[0]).not.toBe(record.fingerprint);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
