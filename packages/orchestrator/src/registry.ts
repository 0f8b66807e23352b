import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { canonicalize, sha256 } from "@rlvr/env-fingerprint";
import type { JobRecord } from "@rlvr/job-record";
import { loadSqlite, pragmaValue } from "./_sqlite.js";
import { OrchestratorError } from "./errors.js";

/** Status of a run in the registry. */
export type RunStatus = "running" | "succeeded" | "failed" | "cancelled";

/** A run as stored in the registry. */
export interface RunRow {
  /** Job id. */
  readonly id: string;
  /** Job label. */
  readonly label: string;
  /** Status; a run whose heartbeat stopped is `failed` with `resumable: true`. */
  readonly status: RunStatus;
  /** Fingerprint of the job. */
  readonly fingerprint: string;
  /** Fingerprint family: the job's inputs without dataset and seed (see {@link fingerprintFamily}). */
  readonly family: string | null;
  /** Dataset content digest. */
  readonly datasetDigest: string;
  /** Parameters (seed, tuner settings, search space; after the job, the best parameters too). */
  readonly params: Record<string, unknown>;
  /** Host that ran it. */
  readonly host: string;
  /** Process id that ran it. */
  readonly pid: number;
  /** Output folder. */
  readonly outDir: string;
  /** Epoch milliseconds of the first start. */
  readonly createdAt: number;
  /** Epoch milliseconds of the latest (re)start. */
  readonly startedAt: number;
  /** Epoch milliseconds of the last heartbeat. */
  readonly heartbeatAt: number;
  /** Epoch milliseconds of the end, or null. */
  readonly finishedAt: number | null;
  /** Test DR estimate of the learned policy, or null. */
  readonly value: number | null;
  /** Lower end of its interval, or null. */
  readonly valueLower: number | null;
  /** Error message of a failed or cancelled run, or null. */
  readonly error: string | null;
  /** Whether the run can be resumed (`runJob` with `resume: true`). */
  readonly resumable: boolean;
  /** How many times the run was started. */
  readonly attempts: number;
}

/** One point of a metric series. */
export interface MetricPoint {
  /** Metric name (`train/reward`, `train/loss`, `epoch/validation`, `trial/value` ...). */
  readonly name: string;
  /** Step (optimizer step, epoch or trial number). */
  readonly step: number;
  /** Value. */
  readonly value: number;
}

/** A file a run produced. */
export interface ArtifactRow {
  /** Run id. */
  readonly runId: string;
  /** Kind (`checkpoint`, `record`, `report-md`, `report-html` ...). */
  readonly kind: string;
  /** Path. */
  readonly path: string;
  /** `sha256:<hex>` of the content. */
  readonly digest: string;
  /** Size in bytes. */
  readonly bytes: number;
}

/** A checkpoint with its metrics. */
export interface CheckpointRow {
  /** Run id. */
  readonly runId: string;
  /** Fingerprint family of the run. */
  readonly family: string | null;
  /** Checkpoint path. */
  readonly path: string;
  /** `sha256:<hex>` of the file. */
  readonly digest: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Test DR estimate. */
  readonly value: number;
  /** Lower end of its interval. */
  readonly lower: number;
  /** Upper end of its interval. */
  readonly upper: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** Input of {@link Registry.startRun}. */
export interface StartRunInput {
  readonly id: string;
  readonly label: string;
  readonly fingerprint: string;
  readonly family?: string | null;
  readonly datasetDigest: string;
  readonly params: Record<string, unknown>;
  readonly host: string;
  readonly pid: number;
  readonly outDir: string;
}

/** Filter of {@link Registry.listRuns}. */
export interface ListRunsOptions {
  /** Only this label. @defaultValue all */
  readonly label?: string;
  /** Only this status. @defaultValue all */
  readonly status?: RunStatus;
  /** Only this fingerprint. @defaultValue all */
  readonly fingerprint?: string;
  /** Most recent first, at most this many. @defaultValue 100 */
  readonly limit?: number;
}

/** Result of {@link Registry.compareRuns}. */
export interface RunComparison {
  readonly a: RunRow;
  readonly b: RunRow;
  /** The last value of every metric either run has, by name (sorted). */
  readonly metrics: readonly {
    readonly name: string;
    readonly a: number | null;
    readonly b: number | null;
  }[];
  /** Parameters that differ, by top-level key (sorted). */
  readonly paramsChanged: readonly string[];
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /**
   * A `running` run whose heartbeat is older than this is marked `failed` (resumable) by
   * {@link Registry.reapStale}, which `listRuns` and `getRun` call.
   * @defaultValue 60000
   */
  readonly staleAfterMs?: number;
  /**
   * SQLite busy timeout: how long a writer waits for another's lock.
   * @defaultValue 10000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Clock (epoch milliseconds), for tests.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
}

/** The run registry: an embedded SQLite database (WAL mode, busy timeout, one transaction per write). */
export interface Registry {
  /** The database file. */
  readonly path: string;
  /** Records a run as `running` (a restart of an existing id keeps its history and counts an attempt). */
  startRun(run: StartRunInput): void;
  /** Refreshes a running run's heartbeat. */
  heartbeat(runId: string): void;
  /** Records a finished job from its record: status, value, metric series, checkpoint, artifacts. */
  finishRun(record: JobRecord): void;
  /** Records (or replaces) an artifact of a run. */
  addArtifact(artifact: ArtifactRow): void;
  /** Appends metric points to a run (replacing points with the same name and step). */
  addMetrics(runId: string, points: readonly MetricPoint[]): void;
  /** One run, or null. */
  getRun(id: string): RunRow | null;
  /** Runs, most recent first. */
  listRuns(options?: ListRunsOptions): RunRow[];
  /** A run's metric series (all, or one name), by name then step. */
  getMetrics(runId: string, name?: string): MetricPoint[];
  /** A run's artifacts, by kind then path. */
  listArtifacts(runId: string): ArtifactRow[];
  /** Checkpoints, best lower bound first (all, or one family). */
  listCheckpoints(family?: string): CheckpointRow[];
  /**
   * The rollback candidate for a run: the best earlier checkpoint (highest lower bound) of the same
   * fingerprint family whose test DR estimate beats this run's; null when this run is the best.
   */
  rollbackCandidate(runId: string): CheckpointRow | null;
  /** Two runs side by side (last value of each metric, changed parameters). */
  compareRuns(a: string, b: string): RunComparison;
  /** Marks `running` runs whose heartbeat is stale as `failed` + resumable; returns their ids. */
  reapStale(): string[];
  /** Closes the connection. */
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
  fingerprint TEXT NOT NULL,
  family TEXT,
  dataset_digest TEXT NOT NULL,
  params TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  out_dir TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  finished_at INTEGER,
  value REAL,
  value_lower REAL,
  error TEXT,
  resumable INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS runs_fingerprint ON runs (fingerprint);
CREATE INDEX IF NOT EXISTS runs_family ON runs (family);
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artifacts (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  digest TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  family TEXT,
  path TEXT NOT NULL,
  digest TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  value REAL NOT NULL,
  lower REAL NOT NULL,
  upper REAL NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_family ON checkpoints (family, lower DESC);
`;

/** Registry schema version (SQLite `user_version`). */
export const REGISTRY_SCHEMA_VERSION = 1;

/**
 * The fingerprint family of a job: `sha256:` of the canonical fingerprint inputs without the dataset
 * and the seed, i.e. the same pipeline (configuration, search space, tuner, code, runtime) on other
 * data. Rollback candidates are chosen within a family.
 * @param inputs - the manifest's `inputs`
 */
export function fingerprintFamily(inputs: Readonly<Record<string, unknown>>): string {
  const { dataset: _d, seed: _s, ...rest } = inputs;
  return sha256(canonicalize(rest));
}

interface RawRun {
  id: string;
  label: string;
  status: RunStatus;
  fingerprint: string;
  family: string | null;
  dataset_digest: string;
  params: string;
  host: string;
  pid: number;
  out_dir: string;
  created_at: number;
  started_at: number;
  heartbeat_at: number;
  finished_at: number | null;
  value: number | null;
  value_lower: number | null;
  error: string | null;
  resumable: number;
  attempts: number;
}

function toRun(r: RawRun): RunRow {
  return {
    id: r.id,
    label: r.label,
    status: r.status,
    fingerprint: r.fingerprint,
    family: r.family,
    datasetDigest: r.dataset_digest,
    params: JSON.parse(r.params) as Record<string, unknown>,
    host: r.host,
    pid: r.pid,
    outDir: r.out_dir,
    createdAt: r.created_at,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    finishedAt: r.finished_at,
    value: r.value,
    valueLower: r.value_lower,
    error: r.error,
    resumable: r.resumable === 1,
    attempts: r.attempts,
  };
}

interface RawCheckpoint {
  run_id: string;
  family: string | null;
  path: string;
  digest: string;
  bytes: number;
  value: number;
  lower: number;
  upper: number;
  created_at: number;
}

const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({
  runId: r.run_id,
  family: r.family,
  path: r.path,
  digest: r.digest,
  bytes: r.bytes,
  value: r.value,
  lower: r.lower,
  upper: r.upper,
  createdAt: r.created_at,
});

function wrap<T>(what: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (OrchestratorError.is(error)) throw error;
    throw new OrchestratorError("REGISTRY_ERROR", `registry: ${what}: ${(error as Error).message}`, {
      cause: error,
    });
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
  const db = wrap("open", () => {
    const Database = loadSqlite();
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const d = new Database(path);
    d.exec(`PRAGMA busy_timeout = ${busy}`);
    const journal = pragmaValue(d, "journal_mode = WAL");
    if (path !== ":memory:" && journal !== "wal") {
      d.close();
      throw new OrchestratorError(
        "REGISTRY_ERROR",
        `registry: ${path}: WAL journal mode refused (${journal})`,
      );
    }
    d.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
    const version = Number(pragmaValue(d, "user_version"));
    if (version > REGISTRY_SCHEMA_VERSION) {
      d.close();
      throw new OrchestratorError(
        "REGISTRY_ERROR",
        `registry: ${path} has schema version ${version}, newer than this package's ${REGISTRY_SCHEMA_VERSION}`,
      );
    }
    d.transaction(() => {
      d.exec(SCHEMA);
      d.exec(`PRAGMA user_version = ${REGISTRY_SCHEMA_VERSION}`);
    }).immediate();
    return d;
  });

  const st = {
    insertRun: db.prepare(
      `INSERT INTO runs (id, label, status, fingerprint, family, dataset_digest, params, host, pid, out_dir, created_at, started_at, heartbeat_at)
       VALUES (@id, @label, 'running', @fingerprint, @family, @datasetDigest, @params, @host, @pid, @outDir, @now, @now, @now)
       ON CONFLICT (id) DO UPDATE SET status = 'running', label = excluded.label, params = excluded.params,
         host = excluded.host, pid = excluded.pid, out_dir = excluded.out_dir, started_at = excluded.started_at,
         heartbeat_at = excluded.heartbeat_at, finished_at = NULL, error = NULL, resumable = 0, attempts = attempts + 1`,
    ),
    heartbeat: db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`),
    finish: db.prepare(
      `UPDATE runs SET status = @status, finished_at = @now, heartbeat_at = @now, value = @value, value_lower = @lower,
         error = @error, resumable = @resumable, params = @params WHERE id = @id`,
    ),
    getParams: db.prepare(`SELECT params, family FROM runs WHERE id = ?`),
    metric: db.prepare(`INSERT OR REPLACE INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)`),
    artifact: db.prepare(
      `INSERT OR REPLACE INTO artifacts (run_id, kind, path, digest, bytes) VALUES (@runId, @kind, @path, @digest, @bytes)`,
    ),
    checkpoint: db.prepare(
      `INSERT OR REPLACE INTO checkpoints (run_id, family, path, digest, bytes, value, lower, upper, created_at)
       VALUES (@runId, @family, @path, @digest, @bytes, @value, @lower, @upper, @now)`,
    ),
    getRun: db.prepare(`SELECT * FROM runs WHERE id = ?`),
    stale: db.prepare(`SELECT id FROM runs WHERE status = 'running' AND heartbeat_at < ?`),
    markStale: db.prepare(
      `UPDATE runs SET status = 'failed', resumable = 1, finished_at = @now,
         error = 'no heartbeat since ' || heartbeat_at || ' (process killed?); resume the job to continue'
       WHERE id = @id AND status = 'running'`,
    ),
    metricsAll: db.prepare(`SELECT name, step, value FROM metrics WHERE run_id = ? ORDER BY name, step`),
    metricsOne: db.prepare(
      `SELECT name, step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step`,
    ),
    lastMetrics: db.prepare(
      `SELECT m.name AS name, m.value AS value FROM metrics m
       JOIN (SELECT name, MAX(step) AS step FROM metrics WHERE run_id = ? GROUP BY name) l
         ON m.name = l.name AND m.step = l.step WHERE m.run_id = ?`,
    ),
    artifacts: db.prepare(
      `SELECT run_id AS runId, kind, path, digest, bytes FROM artifacts WHERE run_id = ? ORDER BY kind, path`,
    ),
    checkpointsAll: db.prepare(`SELECT * FROM checkpoints ORDER BY lower DESC, run_id`),
    checkpointsFamily: db.prepare(`SELECT * FROM checkpoints WHERE family = ? ORDER BY lower DESC, run_id`),
    checkpointOf: db.prepare(`SELECT * FROM checkpoints WHERE run_id = ?`),
    rollback: db.prepare(
      `SELECT * FROM checkpoints WHERE family = @family AND run_id <> @id AND created_at <= @createdAt AND value > @value
       ORDER BY lower DESC, value DESC, run_id LIMIT 1`,
    ),
  };

  const addMetricsTx = db.transaction((runId: string, points: readonly MetricPoint[]) => {
    for (const p of points) st.metric.run(runId, p.name, p.step, p.value);
  });

  const finishTx = db.transaction((record: JobRecord) => {
    const t = now();
    const prev = st.getParams.get(record.jobId) as { params: string; family: string | null } | undefined;
    const params = {
      ...(prev ? (JSON.parse(prev.params) as Record<string, unknown>) : {}),
      bestParams: record.tuning?.bestParams ?? null,
    };
    st.finish.run({
      id: record.jobId,
      status: record.status,
      now: t,
      value: record.evaluation?.learned.dr.value ?? null,
      lower: record.evaluation?.learned.dr.lower ?? null,
      error: record.error === null ? null : `${record.error.code}: ${record.error.message}`,
      resumable: record.status === "succeeded" ? 0 : 1,
      params: JSON.stringify(params),
    });
    for (const trial of record.tuning?.trials ?? []) {
      if (trial.value !== null) st.metric.run(record.jobId, "trial/value", trial.number, trial.value);
    }
    for (const step of record.training?.steps ?? []) {
      const s = step.step as number;
      for (const name of ["reward", "loss", "kl", "entropy", "grad_norm", "learning_rate"]) {
        const v = step[name];
        if (typeof v === "number" && Number.isFinite(v)) st.metric.run(record.jobId, `train/${name}`, s, v);
      }
    }
    for (const epoch of record.training?.epochs ?? []) {
      const e = epoch.epoch as number;
      for (const name of ["reward", "loss", "validation"]) {
        const v = epoch[name];
        if (typeof v === "number" && Number.isFinite(v)) st.metric.run(record.jobId, `epoch/${name}`, e, v);
      }
    }
    if (record.evaluation !== null) {
      st.metric.run(record.jobId, "test/dr", 0, record.evaluation.learned.dr.value);
      st.metric.run(record.jobId, "test/dr_lower", 0, record.evaluation.learned.dr.lower);
      st.metric.run(record.jobId, "test/behavior", 0, record.evaluation.baselines.behavior.value);
    }
    if (record.checkpoint !== null && record.evaluation !== null) {
      const inputs = (record.manifest as { inputs?: Record<string, unknown> } | null)?.inputs;
      const path = `${record.volatile.outDir}/${record.checkpoint.path}`;
      st.artifact.run({
        runId: record.jobId,
        kind: "checkpoint",
        path,
        digest: record.checkpoint.fileDigest,
        bytes: record.checkpoint.bytes,
      });
      st.checkpoint.run({
        runId: record.jobId,
        family: prev?.family ?? (inputs ? fingerprintFamily(inputs) : null),
        path,
        digest: record.checkpoint.fileDigest,
        bytes: record.checkpoint.bytes,
        value: record.evaluation.learned.dr.value,
        lower: record.evaluation.learned.dr.lower,
        upper: record.evaluation.learned.dr.upper,
        now: t,
      });
    }
  });

  const reapTx = db.transaction((): string[] => {
    const t = now();
    const ids = (st.stale.all(t - staleAfterMs) as { id: string }[]).map((r) => r.id);
    for (const id of ids) st.markStale.run({ id, now: t });
    return ids;
  });

  const registry: Registry = {
    path,
    startRun: (run) =>
      wrap("startRun", () => {
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
    heartbeat: (runId) => wrap("heartbeat", () => void st.heartbeat.run(now(), runId)),
    finishRun: (record) => wrap("finishRun", () => finishTx.immediate(record)),
    addArtifact: (a) => wrap("addArtifact", () => void st.artifact.run({ ...a })),
    addMetrics: (runId, points) => wrap("addMetrics", () => addMetricsTx.immediate(runId, points)),
    getRun: (id) =>
      wrap("getRun", () => {
        reapTx.immediate();
        const r = st.getRun.get(id) as RawRun | undefined;
        return r ? toRun(r) : null;
      }),
    listRuns: (o = {}) =>
      wrap("listRuns", () => {
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
            `listRuns: limit must be a positive integer, got ${limit}`,
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
    listArtifacts: (runId) => wrap("listArtifacts", () => st.artifacts.all(runId) as ArtifactRow[]),
    listCheckpoints: (family) =>
      wrap("listCheckpoints", () =>
        (
          (family === undefined
            ? st.checkpointsAll.all()
            : st.checkpointsFamily.all(family)) as RawCheckpoint[]
        ).map(toCheckpoint),
      ),
    rollbackCandidate: (runId) =>
      wrap("rollbackCandidate", () => {
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
      wrap("compareRuns", () => {
        const ra = registry.getRun(a);
        const rb = registry.getRun(b);
        if (ra === null || rb === null) {
          throw new OrchestratorError(
            "INVALID_ARGUMENT",
            `compareRuns: no run ${ra === null ? a : b} in ${path}`,
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
    reapStale: () => wrap("reapStale", () => reapTx.immediate()),
    close: () => {
      if (db.open) db.close();
    },
  };
  return registry;
}
