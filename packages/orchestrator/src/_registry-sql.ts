// The registry's SQL: the schema, the prepared statements, rows to objects, and what finishing a run
// writes (status, metric series, checkpoint). `registry.ts` wraps them into the public interface.
import { canonicalize, sha256 } from "@rlvr/env-fingerprint";
import type { JobRecord } from "@rlvr/job-record";
import type { SqliteDatabase } from "./_sqlite.js";
import type { CheckpointRow, RunRow, RunStatus } from "./registry-types.js";

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

export const SCHEMA = `
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
  name TEXT NOT NULL, step INTEGER NOT NULL, value REAL NOT NULL,
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

export interface RawRun {
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

export function toRun(r: RawRun): RunRow {
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

export interface RawCheckpoint {
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

export const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({
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

/** Names of the registry's statements. */
type StatementName =
  | "insertRun"
  | "heartbeat"
  | "finish"
  | "getParams"
  | "metric"
  | "artifact"
  | "checkpoint"
  | "getRun"
  | "stale"
  | "markStale"
  | "metricsAll"
  | "metricsOne"
  | "lastMetrics"
  | "artifacts"
  | "checkpointsAll"
  | "checkpointsFamily"
  | "checkpointOf"
  | "rollback";

/** A prepared statement of the binding. */
type Statement = ReturnType<SqliteDatabase["prepare"]> & {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
};

/** The prepared statements of a registry. */
export function prepareStatements(db: SqliteDatabase): Record<StatementName, Statement> {
  return {
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
}

/** The statements of {@link prepareStatements}. */
export type Statements = Record<StatementName, Statement>;

/**
 * Writes a finished run from its record (inside the caller's transaction): status, value, error,
 * the best parameters, the metric series (trial values, training steps and epochs, test estimates)
 * and the checkpoint with its artifact row.
 * @param t - epoch milliseconds of the end
 */
export function recordFinishedRun(st: Statements, record: JobRecord, t: number): void {
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
}
