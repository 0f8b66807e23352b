import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_TABLE } from "@rlvr/orchestrator";
import type { ReportErrorCode } from "@rlvr/report-renderer";
import { HTTP_STATUS } from "@rlvr/serve";
import { afterAll, describe, expect, it } from "vitest";
import { appDir, cli, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
// a whole demo record (with its volatile section), as the report renderer's tests use it
const demo = readFileSync(
  join(appDir, "..", "report-renderer", "src", "__fixtures__", "demo.job.json"),
  "utf8",
);
const other = JSON.stringify({ ...(JSON.parse(demo) as object), label: "other" });
const report = (...argv: string[]) => cli(["report", ...argv], { cwd: tmp.dir });

describe("rlvr-train report", () => {
  writeFileSync(join(tmp.dir, "demo.job.json"), demo);
  writeFileSync(join(tmp.dir, "pruning.job.json"), other);

  it("writes the Markdown and HTML reports beside the record, or into --out", async () => {
    const r = await report("demo.job.json", "--out", "reports");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const dir = join(tmp.dir, "reports");
    expect(r.stdout).toBe(`${join(dir, "demo.report.md")}\n${join(dir, "demo.report.html")}\n`);
    expect(readFileSync(join(dir, "demo.report.md"), "utf8")).toContain("rlvr-train replay demo.job.json");
    expect(readFileSync(join(dir, "demo.report.html"), "utf8")).toMatch(/^<!doctype html>/);
    expect(readdirSync(dir).sort()).toEqual(["demo.report.html", "demo.report.md"]);
    const beside = await report("pruning.job.json", "--no-volatile", "--title", "Pruning");
    expect(beside.code, beside.stderr).toBe(0);
    expect(readFileSync(join(tmp.dir, "pruning.report.md"), "utf8")).toContain("Pruning");
  });

  it("compares runs", async () => {
    const r = await report("compare", "demo.job.json", "pruning.job.json", "--out=cmp", "--no-volatile");
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(tmp.dir, "cmp", "comparison.report.md"), "utf8")).toContain("# Run comparison");
  });

  it("exits 2 with a precise message for invalid or foreign files, and writes nothing", async () => {
    writeFileSync(join(tmp.dir, "broken.job.json"), '{"recordVersion": 1,');
    writeFileSync(join(tmp.dir, "dataset.json"), JSON.stringify({ schemaVersion: 1, examples: [] }));
    const record = JSON.parse(demo) as Record<string, unknown>;
    writeFileSync(join(tmp.dir, "bad.job.json"), JSON.stringify({ ...record, jobId: "nope" }));
    const broken = await report("broken.job.json", "--out", "x");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: broken\.job\.json: not JSON/);
    const foreign = await report("dataset.json", "--out", "x");
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain("dataset.json: not a job record");
    const bad = await report("bad.job.json", "--out", "x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.job\.json: invalid job record at \/jobId: /);
    const missing = await report("missing.job.json", "--out", "x");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.job.json: cannot read job record: no such file");
    const cmp = await report("compare", "demo.job.json", "dataset.json", "--out", "x");
    expect(cmp.code).toBe(2);
    expect(existsSync(join(tmp.dir, "x"))).toBe(false);
  });

  it("exits 2 on bad usage and prints help", async () => {
    expect((await report()).code).toBe(2);
    expect((await report("compare", "demo.job.json")).code).toBe(2);
    const unknown = await report("demo.job.json", "--frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    expect((await report("demo.job.json", "--max-points", "3")).code).toBe(2);
    const help = await report("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("compare");
  });

  it("the error table words every code of the report renderer's errors", () => {
    // a code added to ReportErrorCode without a line here fails to compile
    const codes = {
      INVALID_ARGUMENT: true,
      INVALID_RECORD: true,
      RENDER_FAILED: true,
    } as const satisfies Record<ReportErrorCode, true>;
    expect(Object.keys(ERROR_TABLE.ReportError).sort()).toEqual(Object.keys(codes).sort());
  });

  it("the error table words every code of the serving package's errors", () => {
    expect(Object.keys(ERROR_TABLE.ServeError).sort()).toEqual(Object.keys(HTTP_STATUS).sort());
  });
});

describe("rlvr-report, the same command as its own binary", () => {
  it("runs from its bin entry with the same parser and exit codes", () => {
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--conditions=@rlvr/source", "--import", "tsx", join(appDir, "src", "report-bin.ts"), ...args],
        {
          cwd: appDir,
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        },
      );
    writeFileSync(join(tmp.dir, "manifest.json"), JSON.stringify({ manifestVersion: 1, inputs: {} }));
    const foreign = run(join(tmp.dir, "manifest.json"));
    expect(foreign.stderr).toContain("manifest.json: not a job record");
    expect(foreign.status).toBe(2);
    const version = run("--version");
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const ok = run(join(tmp.dir, "demo.job.json"), "--out", join(tmp.dir, "bin-out"));
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(join(tmp.dir, "bin-out")).sort()).toEqual(["demo.report.html", "demo.report.md"]);
  });
});
