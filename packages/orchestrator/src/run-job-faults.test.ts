// The faults a job must survive (issue 11): a full disk while the final files are written, label
// collisions, two jobs on one output folder, an unusable output folder, cancellation.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { smallSpec, tempDir, writeLogs } from "./__fixtures__/data.js";
import { atomicFileWriter } from "./_fs.js";
import { OUT_LOCK_FILE } from "./_out-dir.js";
import {
  createRegistry,
  type FileWriter,
  type JobEvent,
  OrchestratorError,
  type Registry,
  runJob,
  stripVolatile,
} from "./index.js";

let data: string;

beforeAll(() => {
  data = writeLogs(tempDir(), 1200, 3);
});

/** A job that trains without tuning: the fastest complete job. */
const trainOnly = (out: string, label = "small") => smallSpec(data, out, { mode: "train", label });

function runOf(out: string, jobId: string) {
  const registry = createRegistry(join(out, ".rlvr", "registry.db"));
  try {
    return registry.getRun(jobId);
  } finally {
    registry.close();
  }
}

function latestRun(out: string) {
  const registry = createRegistry(join(out, ".rlvr", "registry.db"));
  try {
    return registry.listRuns()[0] ?? null;
  } finally {
    registry.close();
  }
}

describe("outputs before the registry says succeeded", () => {
  it("writes the record (and renderers' files) before the registry hears of the end", async () => {
    const out = join(tempDir(), "out");
    const seenAtFinish: boolean[] = [];
    const registry = (path: string): Registry => {
      const inner = createRegistry(path);
      return {
        ...inner,
        finishRun: (record) => {
          seenAtFinish.push(
            existsSync(join(out, "small.job.json")),
            existsSync(join(out, "small.report.md")),
          );
          inner.finishRun(record);
        },
      };
    };
    const record = await runJob(trainOnly(out), {
      registry,
      outputs: [{ suffix: ".report.md", render: (r) => `# ${r.label}\n` }],
    });
    expect(record.status).toBe("succeeded");
    expect(seenAtFinish).toEqual([true, true]);
    expect(JSON.parse(readFileSync(join(out, "small.job.json"), "utf8"))).toEqual(record);
    expect(readFileSync(join(out, "small.report.md"), "utf8")).toBe("# small\n");
    expect(existsSync(join(out, OUT_LOCK_FILE))).toBe(false);
  });

  it("on a full disk: IO_ERROR naming the file with the system error as cause; the registry says failed", async () => {
    const out = join(tempDir(), "full");
    const full: FileWriter = {
      write: (path, bytes) => {
        if (!path.endsWith(".job.json")) return atomicFileWriter.write(path, bytes);
        const error = Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: "ENOSPC" });
        return Promise.reject(error);
      },
    };
    const events: JobEvent[] = [];
    const failure = await runJob(trainOnly(out), { files: full, onEvent: (e) => events.push(e) }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(OrchestratorError.is(failure)).toBe(true);
    const e = failure as OrchestratorError;
    expect(e.code).toBe("IO_ERROR");
    expect(e.message).toContain(join(out, "small.job.json"));
    expect(e.message).toContain("ENOSPC");
    expect((e.cause as { code?: string }).code).toBe("ENOSPC");
    expect(existsSync(join(out, "small.job.json"))).toBe(false);
    const run = latestRun(out);
    expect(run?.status).toBe("failed");
    expect(run?.error).toContain("ENOSPC");
    expect(run?.resumable).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "error", code: "IO_ERROR", stage: null });
    expect(existsSync(join(out, OUT_LOCK_FILE))).toBe(false);
  });

  it("a renderer that throws is a warning, not a failure", async () => {
    const out = join(tempDir(), "render");
    const events: JobEvent[] = [];
    const record = await runJob(trainOnly(out), {
      onEvent: (e) => events.push(e),
      outputs: [
        {
          suffix: ".report.html",
          render: () => {
            throw new Error("no charts today");
          },
        },
      ],
    });
    expect(record.status).toBe("succeeded");
    expect(events).toContainEqual(
      expect.objectContaining({ type: "warning", stage: "outputs", code: "RENDER_FAILED" }),
    );
    expect(existsSync(join(out, "small.report.html"))).toBe(false);
    expect(existsSync(join(out, "small.job.json"))).toBe(true);
  });
});

describe("labels and the --out lock", () => {
  it("gives labels that used to collide (a/b, a:b) their own files", async () => {
    const out = join(tempDir(), "labels");
    const one = await runJob(trainOnly(out, "a/b"));
    const two = await runJob(trainOnly(out, "a:b"));
    expect([one.checkpoint?.path, two.checkpoint?.path]).toEqual(["a%2Fb.ckpt", "a%3Ab.ckpt"]);
    expect(JSON.parse(readFileSync(join(out, "a%2Fb.job.json"), "utf8")).label).toBe("a/b");
    expect(JSON.parse(readFileSync(join(out, "a%3Ab.job.json"), "utf8")).label).toBe("a:b");
  });

  it("refuses a second job on an output folder in use, naming the folder and the holder", async () => {
    const out = join(tempDir(), "busy");
    const [a, b] = await Promise.allSettled([
      runJob(trainOnly(out, "first")),
      runJob(trainOnly(out, "second")),
    ]);
    const results = [a, b];
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason as OrchestratorError;
    expect(error.code).toBe("OUTPUT_LOCKED");
    expect(error.message).toContain(out);
    expect(error.message).toContain(`process ${process.pid} on host ${hostname()}`);
    expect(existsSync(join(out, OUT_LOCK_FILE))).toBe(false);
  });

  it("takes over a stale lock of a dead process on this host, and keeps a live one", async () => {
    const out = join(tempDir(), "stale");
    const lock = (pid: number) =>
      JSON.stringify({
        jobId: "job-0",
        label: "old",
        pid,
        host: hostname(),
        since: "2026-01-01T00:00:00.000Z",
      });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, OUT_LOCK_FILE), lock(4_000_000));
    const dead = (pid: number) => pid !== 4_000_000;
    const record = await runJob(trainOnly(out), { hostFacts: { isProcessAlive: dead } });
    expect(record.status).toBe("succeeded");
    writeFileSync(join(out, OUT_LOCK_FILE), lock(4_000_001));
    await expect(runJob(trainOnly(out), { hostFacts: { isProcessAlive: () => true } })).rejects.toMatchObject(
      {
        code: "OUTPUT_LOCKED",
      },
    );
    expect(readFileSync(join(out, OUT_LOCK_FILE), "utf8")).toContain("4000001");
  });
});

describe("an unusable output folder", () => {
  it("is refused before any work with OUTPUT_UNUSABLE and the real cause", async () => {
    const dir = tempDir();
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const events: JobEvent[] = [];
    for (const [out, code] of [
      [file, "ENOTDIR"],
      [join(file, "below"), "ENOTDIR"],
      ["/proc/sys/rlvr-out", "EACCES"],
    ] as const) {
      const error = await runJob(trainOnly(out), { onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "OrchestratorError", code: "OUTPUT_UNUSABLE" });
      expect((error as Error).message).toContain(out);
      expect((error as Error).message).toContain(code);
    }
    expect(events).toEqual([]);
  });
});

describe("cancellation", () => {
  it("writes a cancelled record, the registry says cancelled, and --resume finishes the job", async () => {
    const out = join(tempDir(), "cancel");
    const controller = new AbortController();
    const record = await runJob(smallSpec(data, out), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "trial-end" && e.trial === 1) controller.abort(new Error("SIGTERM"));
      },
    });
    expect(record.status).toBe("cancelled");
    expect(record.error).toMatchObject({ code: "ABORTED", stage: "tune" });
    expect(JSON.parse(readFileSync(join(out, "small.job.json"), "utf8")).status).toBe("cancelled");
    expect(runOf(out, record.jobId)?.status).toBe("cancelled");
    const resumed = await runJob(smallSpec(data, out), { resume: true });
    expect(resumed.status).toBe("succeeded");
    expect(runOf(out, record.jobId)?.status).toBe("succeeded");
    const fresh = await runJob(smallSpec(data, join(tempDir(), "fresh")));
    expect(JSON.stringify(stripVolatile(resumed))).toBe(JSON.stringify(stripVolatile(fresh)));
  });
});

describe("public wording", () => {
  it("names no internal function in messages", async () => {
    const out = join(tempDir(), "words");
    const bad = smallSpec(data, out, { seed: -1 });
    const error = await runJob(bad).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^invalid job spec:/);
    const failed = await runJob(
      smallSpec(data, join(tempDir(), "nt"), {
        tuner: { trials: 2, nStartupTrials: 2, pendingWindow: 1, resamples: 200 },
        searchSpace: { "optimizer.weightDecay": { type: "float", low: -2, high: -1 } },
      }),
    );
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(/^no tuning trial completed \(0 pruned, 2 failed; first error: /);
  });
});
