import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./__fixtures__/data.js";
import { loadSqlite, pragmaValue } from "./_sqlite.js";
import { createRegistry, type JobRecord, OrchestratorError, REGISTRY_SCHEMA_VERSION } from "./index.js";

const writer = fileURLToPath(new URL("./__fixtures__/registry-writer.mjs", import.meta.url));
const pkgDir = fileURLToPath(new URL("..", import.meta.url));

function write(path: string, prefix: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@rlvr/source", writer, path, prefix, String(count)],
      {
        cwd: pkgDir,
        stdio: "inherit",
      },
    );
    p.on("error", reject);
    p.on("exit", (code) => resolve(code ?? 1));
  });
}

const run = (id: string) => ({
  id,
  label: "l",
  fingerprint: `sha256:${"1".repeat(64)}`,
  family: "fam",
  datasetDigest: "d",
  params: { seed: 1 },
  host: "h",
  pid: 1,
  outDir: "/o",
});

/** The parts of a record `finishRun` reads. */
function finished(id: string, value: number, lower: number): JobRecord {
  const est = { value, lower, upper: value + 0.05, standardError: 0.01 };
  return {
    jobId: id,
    status: "succeeded",
    error: null,
    manifest: null,
    tuning: { trials: [{ number: 0, value }], bestParams: { lr: value } },
    training: { steps: [{ step: 1, reward: 0.5, loss: 0.25 }], epochs: [{ epoch: 1, validation: value }] },
    evaluation: { learned: { dr: est }, baselines: { behavior: est } },
    checkpoint: { path: `${id}.ckpt`, fileDigest: `sha256:${"2".repeat(64)}`, bytes: 10 },
    volatile: { outDir: "/o" },
  } as unknown as JobRecord;
}

describe("createRegistry", () => {
  it("lets two processes write at once, and both land", async () => {
    const path = join(tempDir(), "reg", "registry.db");
    createRegistry(path).close();
    const codes = await Promise.all([write(path, "a", 40), write(path, "b", 40)]);
    expect(codes).toEqual([0, 0]);
    const registry = createRegistry(path);
    try {
      expect(registry.listRuns({ label: "a", limit: 1000 })).toHaveLength(40);
      expect(registry.listRuns({ label: "b", limit: 1000 })).toHaveLength(40);
      expect(registry.getMetrics("b-39", "loss")).toHaveLength(50);
    } finally {
      registry.close();
    }
  });

  it("keeps a file registry in WAL mode, and refuses one with a newer schema version", () => {
    const path = join(tempDir(), "wal", "registry.db");
    createRegistry(path).close();
    const Database = loadSqlite();
    const db = new Database(path);
    expect(pragmaValue(db, "journal_mode")).toBe("wal");
    expect(pragmaValue(db, "user_version")).toBe(REGISTRY_SCHEMA_VERSION);
    db.exec(`PRAGMA user_version = ${REGISTRY_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createRegistry(path)).toThrow(/newer than this package's/);
  });

  it("marks a run whose heartbeat stopped as failed and resumable, and a restart counts an attempt", () => {
    let t = 1000;
    const registry = createRegistry(":memory:", { staleAfterMs: 500, now: () => t });
    registry.startRun(run("r1"));
    t = 1400;
    expect(registry.reapStale()).toEqual([]);
    registry.heartbeat("r1");
    t = 1800;
    expect(registry.getRun("r1")?.status).toBe("running");
    t = 2500;
    expect(registry.listRuns()[0]?.status).toBe("failed");
    expect(registry.getRun("r1")?.resumable).toBe(true);
    expect(registry.getRun("r1")?.error).toContain("heartbeat");
    registry.startRun(run("r1"));
    expect(registry.getRun("r1")).toMatchObject({ status: "running", attempts: 2, resumable: false });
    registry.close();
  });

  it("selects the best earlier checkpoint of the family as rollback candidate when the new one is worse", () => {
    let t = 0;
    const registry = createRegistry(":memory:", { now: () => (t += 10) });
    registry.startRun(run("good"));
    registry.finishRun(finished("good", 0.8, 0.75));
    registry.startRun(run("ok"));
    registry.finishRun(finished("ok", 0.7, 0.6));
    expect(registry.rollbackCandidate("good")).toBeNull();
    registry.startRun(run("bad"));
    registry.finishRun(finished("bad", 0.5, 0.4));
    expect(registry.rollbackCandidate("bad")?.runId).toBe("good");
    expect(registry.rollbackCandidate("ok")?.runId).toBe("good");
    expect(registry.listCheckpoints("fam").map((c) => c.runId)).toEqual(["good", "ok", "bad"]);
    const cmp = registry.compareRuns("good", "bad");
    expect(cmp.metrics.find((m) => m.name === "test/dr")).toEqual({ name: "test/dr", a: 0.8, b: 0.5 });
    expect(cmp.paramsChanged).toEqual(["bestParams"]);
    expect(() => registry.compareRuns("good", "nope")).toThrow(OrchestratorError);
    expect(registry.getRun("good")?.params).toEqual({ seed: 1, bestParams: { lr: 0.8 } });
    registry.close();
  });

  it("filters runs and rejects a bad limit", () => {
    const registry = createRegistry(":memory:");
    registry.startRun(run("x"));
    registry.startRun({ ...run("y"), label: "other" });
    expect(registry.listRuns({ label: "other" }).map((r) => r.id)).toEqual(["y"]);
    expect(registry.listRuns({ status: "succeeded" })).toEqual([]);
    expect(() => registry.listRuns({ limit: 0 })).toThrow(/limit/);
    registry.close();
  });
});
