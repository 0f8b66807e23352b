import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_RECORD_PATH } from "../src/__fixtures__/demo.js";
import { makeRecord } from "../src/__fixtures__/records.js";
import { runReportCli } from "../src/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rlvr-report-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runReportCli(argv, {
    cwd: dir,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe("rlvr-report", () => {
  writeFileSync(join(dir, "demo.job.json"), readFileSync(DEMO_RECORD_PATH));
  writeFileSync(join(dir, "other.job.json"), JSON.stringify(makeRecord({ learningRate: 0.2 })));

  it("writes the Markdown and HTML reports beside the record, or into --out", async () => {
    const r = await cli("demo.job.json", "--out", "reports");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      `${join(dir, "reports", "demo.report.md")}\n${join(dir, "reports", "demo.report.html")}\n`,
    );
    const md = readFileSync(join(dir, "reports", "demo.report.md"), "utf8");
    expect(md).toContain("rlvr-train replay demo.job.json");
    expect(readFileSync(join(dir, "reports", "demo.report.html"), "utf8")).toMatch(/^<!doctype html>/);
    expect(readdirSync(join(dir, "reports")).sort()).toEqual(["demo.report.html", "demo.report.md"]);
  });

  it("compares runs", async () => {
    const r = await cli("compare", "demo.job.json", "other.job.json", "--out=cmp", "--no-volatile");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "cmp", "comparison.report.md"), "utf8")).toContain("# Run comparison");
  });

  it("exits 2 with a precise message for invalid or foreign files, and writes nothing", async () => {
    writeFileSync(join(dir, "broken.job.json"), '{"recordVersion": 1,');
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ schemaVersion: 1, examples: [] }));
    writeFileSync(join(dir, "bad.job.json"), JSON.stringify({ ...makeRecord(), jobId: "nope" }));
    const broken = await cli("broken.job.json", "--out", "x");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^rlvr-report: broken\.job\.json: not JSON/);
    const foreign = await cli("dataset.json", "--out", "x");
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain("dataset.json: not a job record");
    const bad = await cli("bad.job.json", "--out", "x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.job\.json: invalid job record at \/jobId: /);
    const missing = await cli("missing.job.json", "--out", "x");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.job.json: cannot read the file (ENOENT)");
    const cmp = await cli("compare", "demo.job.json", "dataset.json", "--out", "x");
    expect(cmp.code).toBe(2);
    expect(readdirSync(dir)).not.toContain("x");
  });

  it("exits 2 on bad usage and prints help", async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli("compare", "demo.job.json")).code).toBe(2);
    const unknown = await cli("demo.job.json", "--frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^rlvr-report: unknown option --frobnicate/);
    expect((await cli("demo.job.json", "--max-points", "3")).code).toBe(2);
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("rlvr-report compare <a.job.json> <b.job.json>");
  });
});

describe("rlvr-report as a process", () => {
  it("runs from its bin entry and exits 2 for a foreign file", async () => {
    const { spawnSync } = await import("node:child_process");
    // From the package folder, where `--import tsx` resolves; the record is given by absolute path.
    const pkg = new URL("..", import.meta.url).pathname;
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "--conditions=@rlvr/source", "src/bin.ts", ...args], {
        cwd: pkg,
        encoding: "utf8",
      });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ manifestVersion: 1, inputs: {} }));
    const foreign = run(join(dir, "manifest.json"));
    expect(foreign.stderr).toContain("manifest.json: not a job record");
    expect(foreign.status).toBe(2);
    const version = run("--version");
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
