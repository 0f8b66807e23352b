import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type JobRecord, stripVolatile } from "@rlvr/orchestrator";
import { afterAll, describe, expect, it } from "vitest";
import { appDir, binArgs, cli, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const TRIALS = "6";
const stable = (out: string) => {
  const record = JSON.parse(readFileSync(join(out, "demo.job.json"), "utf8")) as JobRecord;
  return { record, text: JSON.stringify(stripVolatile(record), null, 2) };
};
const demo = async (out: string, ...more: string[]) => {
  const r = await cli(["demo", "--out", out, "--trials", TRIALS, ...more]);
  expect(r.code, r.stderr).toBe(0);
  return stable(out);
};

/** Starts the binary, SIGKILLs it once stderr shows `trigger`, resolves when it is gone. */
function killDuring(argv: string[], trigger: RegExp): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, binArgs(argv), {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    let killed = false;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (!killed && trigger.test(stderr)) {
        killed = child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", () => resolvePromise({ killed, stderr }));
  });
}

describe("the same job gives the same record outside volatile", () => {
  let reference: { record: JobRecord; text: string };

  it("twice in a row: byte-identical outside volatile, same job id", async () => {
    reference = await demo(join(tmp.dir, "a"));
    const again = await demo(join(tmp.dir, "b"));
    expect(again.text).toBe(reference.text);
    expect(again.record.jobId).toBe(reference.record.jobId);
    // volatile is where the differences are allowed (folders differ here)
    expect(again.record.volatile.outDir).not.toBe(reference.record.volatile.outDir);
  });

  it("with --concurrency 2 instead of 1", async () => {
    const parallel = await demo(join(tmp.dir, "c"), "--concurrency", "2");
    expect(parallel.text).toBe(reference.text);
  });

  it("killed with SIGKILL during tuning, then --resume", async () => {
    const out = join(tmp.dir, "killed");
    const argv = ["demo", "--out", out, "--trials", TRIALS];
    const { killed, stderr } = await killDuring(argv, /trial #\d+ \(2\//);
    expect(killed, stderr).toBe(true);
    expect(stderr).not.toContain("[4/8] tune done");
    expect(existsSync(join(out, "demo.job.json"))).toBe(false);
    const resumed = await cli([...argv, "--resume"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\[4\/7\] tune done in .* \(resumed\)|trial/);
    const after = stable(out);
    expect(after.record.volatile.resumed).toBe(true);
    expect(after.text).toBe(reference.text);
  });
});
