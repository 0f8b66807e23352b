import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { JobRecord } from "@rlvr/job-record";
import {
  prepareStatements,
  type RawCheckpoint,
  type RawRun,
  recordFinishedRun,
  SCHEMA,
  toCheckpoint,
  toRun,
} from "./_registry-sql.js";
import { loadSqlite, pragmaValue } from "./_sqlite.js";
import { OrchestratorError } from "./errors.js";
import type { ArtifactRow, MetricPoint, Registry, RegistryOptions } from "./registry-types.js";

export { fingerprintFamily } from "./_registry-sql.js";
export type {
  ArtifactRow,
  CheckpointRow,
  ListRunsOptions,
  MetricPoint,
  Registry,
  RegistryOptions,
  RunComparison,
  RunRow,
  RunStatus,
  StartRunInput,
} from "./registry-types.js";

/** Registry schema version (SQLite `user_version`). */
export const REGISTRY_SCHEMA_VERSION = 1;

/** Runs a registry operation, turning a driver error into `REGISTRY_ERROR` saying what failed. */
function wrap<T>(what: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (OrchestratorError.is(error)) throw error;
    throw new OrchestratorError(
      "REGISTRY_ERROR",
      `the run registry could not ${what}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Opens (creating when needed) the run registry at `path`: WAL journal, a busy timeout so that two
 * jobs writing at once both land, foreign keys on, one transaction per write.
 * @param path - the database file (its folder is created); `":memory:"` for a throw-away registry
 * @param options - staleness threshold, busy timeout, clock
 * @throws {@link OrchestratorError} `REGISTRY_ERROR` when the database cannot be opened,
 * `SQLITE_UNAVAILABLE` when the SQLite binding cannot be loaded on this platform
 */
export function createRegistry(path: string, options: RegistryOptions = {}): Registry {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const busy = options.busyTimeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const db = wrap("open it", () => {
    const Database = loadSqlite();
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const d = new Database(path);
    d.exec(`PRAGMA busy_timeout = ${busy}`);
    const journal = pragmaValue(d, "journal_mode = WAL");
    if (path !== ":memory:" && journal !== "wal") {
      d.close();
      throw new OrchestratorError(
        "REGISTRY_ERROR",
        `the run registry ${path} refused the WAL journal mode (${journal})`,
      );
    }
    d.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
    const version = Number(pragmaValue(d, "user_version"));
    if (version > REGISTRY_SCHEMA_VERSION) {
      d.close();
      throw new OrchestratorError(
        "REGISTRY_ERROR",
        `the run registry ${path} has schema version ${version}, newer than this package's ${REGISTRY_SCHEMA_VERSION}`,
      );
    }
    d.transaction(() => {
      d.exec(SCHEMA);
      d.exec(`PRAGMA user_version = ${REGISTRY_SCHEMA_VERSION}`);
    }).immediate();
    return d;
  });

  const st = prepareStatements(db);

  const addMetricsTx = db.transaction((runId: string, points: readonly MetricPoint[]) => {
    for (const p of points) st.metric.run(runId, p.name, p.step, p.value);
  });

  const finishTx = db.transaction((record: JobRecord) => recordFinishedRun(st, record, now()));

  const reapTx = db.transaction((): string[] => {
    const t = now();
    const ids = (st.stale.all(t - staleAfterMs) as { id: string }[]).map((r) => r.id);
    for (const id of ids) st.markStale.run({ id, now: t });
    return ids;
  });

  const registry: Registry = {
    path,
    startRun: (run) =>
      wrap("record the start of a run", () => {
        st.insertRun.run({
          id: run.id,
          label: run.label,
          fingerprint: run.fingerprint,
          family: run.family ?? null,
          datasetDigest: run.datasetDigest,
          params: JSON.stringify(run.params),
          host: run.host,
          pid: run.pid,
          outDir: run.outDir,
          now: now(),
        });
      }),
    heartbeat: (runId) => wrap("record a heartbeat", () => void st.heartbeat.run(now(), runId)),
    finishRun: (record) => wrap("record the end of a run", () => finishTx.immediate(record)),
    addArtifact: (a) => wrap("record an artifact", () => void st.artifact.run({ ...a })),
    addMetrics: (runId, points) => wrap("record metrics", () => addMetricsTx.immediate(runId, points)),
    getRun: (id) =>
      wrap("read a run", () => {
        reapTx.immediate();
        const r = st.getRun.get(id) as RawRun | undefined;
        return r ? toRun(r) : null;
      }),
    listRuns: (o = {}) =>
      wrap("list runs", () => {
        reapTx.immediate();
        const where: string[] = [];
        const args: unknown[] = [];
        if (o.label !== undefined) {
          where.push("label = ?");
          args.push(o.label);
        }
        if (o.status !== undefined) {
          where.push("status = ?");
          args.push(o.status);
        }
        if (o.fingerprint !== undefined) {
          where.push("fingerprint = ?");
          args.push(o.fingerprint);
        }
        const limit = o.limit ?? 100;
        if (!Number.isSafeInteger(limit) || limit < 1) {
          throw new OrchestratorError(
            "INVALID_ARGUMENT",
            `the run list limit must be a positive integer, got ${limit}`,
          );
        }
        const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id LIMIT ${limit}`;
        return (db.prepare(sql).all(...args) as RawRun[]).map(toRun);
      }),
    getMetrics: (runId, name) =>
      wrap(
        "getMetrics",
        () =>
          (name === undefined ? st.metricsAll.all(runId) : st.metricsOne.all(runId, name)) as MetricPoint[],
      ),
    listArtifacts: (runId) => wrap("list artifacts", () => st.artifacts.all(runId) as ArtifactRow[]),
    listCheckpoints: (family) =>
      wrap("list checkpoints", () =>
        (
          (family === undefined
            ? st.checkpointsAll.all()
            : st.checkpointsFamily.all(family)) as RawCheckpoint[]
        ).map(toCheckpoint),
      ),
    rollbackCandidate: (runId) =>
      wrap("find a rollback candidate", () => {
        const own = st.checkpointOf.get(runId) as RawCheckpoint | undefined;
        if (own === undefined || own.family === null) return null;
        const r = st.rollback.get({
          family: own.family,
          id: runId,
          createdAt: own.created_at,
          value: own.value,
        }) as RawCheckpoint | undefined;
        return r ? toCheckpoint(r) : null;
      }),
    compareRuns: (a, b) =>
      wrap("compare runs", () => {
        const ra = registry.getRun(a);
        const rb = registry.getRun(b);
        if (ra === null || rb === null) {
          throw new OrchestratorError(
            "INVALID_ARGUMENT",
            `no run ${ra === null ? a : b} in the run registry ${path}`,
          );
        }
        const last = (id: string) =>
          new Map(
            (st.lastMetrics.all(id, id) as { name: string; value: number }[]).map((m) => [m.name, m.value]),
          );
        const ma = last(a);
        const mb = last(b);
        const names = [...new Set([...ma.keys(), ...mb.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const keys = [...new Set([...Object.keys(ra.params), ...Object.keys(rb.params)])].sort();
        return {
          a: ra,
          b: rb,
          metrics: names.map((name) => ({ name, a: ma.get(name) ?? null, b: mb.get(name) ?? null })),
          paramsChanged: keys.filter(
            (k) => JSON.stringify(ra.params[k] ?? null) !== JSON.stringify(rb.params[k] ?? null),
          ),
        };
      }),
    reapStale: () => wrap("mark stale runs", () => reapTx.immediate()),
    close: () => {
      if (db.open) db.close();
    },
  };
  return registry;
}
