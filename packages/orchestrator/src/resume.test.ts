import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { smallSpec, tempDir, writeLogs } from "./__fixtures__/data.js";
import { createRegistry, jobStateDir, runJob, stripVolatile } from "./index.js";

const child = fileURLToPath(new URL("./__fixtures__/job-child.mjs", import.meta.url));
const pkgDir = fileURLToPath(new URL("..", import.meta.url));

/** Starts the child job and SIGKILLs it once `killAfter` trials have finished. */
function runAndKill(spec: object, killAfter: number): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@rlvr/source", child, JSON.stringify(spec)],
      {
        cwd: pkgDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    let killed = false;
    p.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const done = output.split("\n").filter((l) => l.startsWith("trial-end")).length;
      if (!killed && done >= killAfter) {
        killed = true;
        p.kill("SIGKILL");
      }
    });
    p.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    p.on("error", reject);
    p.on("exit", () => resolve({ killed, output }));
  });
}

describe("resume after kill -9", () => {
  it("continues from the finished trials and ends with the uninterrupted record", async () => {
    const dir = tempDir();
    const data = writeLogs(dir, 1000, 11);
    const reference = await runJob(smallSpec(data, join(dir, "ref")));

    const out = join(dir, "killed");
    const spec = smallSpec(data, out);
    const { killed, output } = await runAndKill(spec, 2);
    expect(killed, output).toBe(true);
    expect(output).not.toContain("done");
    const state = jobStateDir(out, reference.jobId);
    expect(existsSync(join(state, "study.jsonl"))).toBe(true);

    // The killed run is never left "running": its heartbeat goes stale and it becomes resumable.
    const registry = createRegistry(join(out, ".rlvr", "registry.db"), {
      staleAfterMs: 0,
      now: () => Date.now() + 1,
    });
    try {
      expect(registry.reapStale()).toEqual([reference.jobId]);
      const run = registry.getRun(reference.jobId);
      expect(run?.status).toBe("failed");
      expect(run?.resumable).toBe(true);
    } finally {
      registry.close();
    }

    const resumed = await runJob(spec, { resume: true });
    expect(resumed.volatile.resumed).toBe(true);
    expect(JSON.stringify(stripVolatile(resumed))).toBe(JSON.stringify(stripVolatile(reference)));

    // Resuming a finished job reuses every stored stage and still gives the same record.
    const again = await runJob(spec, { resume: true });
    expect(again.volatile.stages.filter((s) => s.resumed).map((s) => s.name)).toEqual([
      "tune",
      "train",
      "evaluate",
      "ship",
    ]);
    expect(JSON.stringify(stripVolatile(again))).toBe(JSON.stringify(stripVolatile(reference)));
    const after = createRegistry(join(out, ".rlvr", "registry.db"));
    try {
      expect(after.getRun(reference.jobId)?.status).toBe("succeeded");
      expect(after.getRun(reference.jobId)?.attempts).toBe(3);
    } finally {
      after.close();
    }
  });
});
