import type Database from "libsql";

/**
 * JavaScript source of `committer(db)`, which returns `commit({ decisions, rewards })`: one
 * transaction inserting the rows (flattened, 11 values per decision, 5 per reward, in column order)
 * with one multi-row INSERT per 64 rows (a statement per row costs about 1.5 times as much per row;
 * the statement for each row count is prepared once, on first use). Source text, because the writer
 * thread runs it with `eval: true` (tests run from TypeScript sources, which a worker cannot load);
 * the main thread builds the same function from it.
 */
const COMMITTER_SOURCE = `
function committer(db) {
  const MAX_ROWS = 64;
  function inserter(sql, width) {
    const row = "(" + Array(width).fill("?").join(", ") + ")";
    const statements = [];
    const statement = (k) => (statements[k] ??= db.prepare(sql + Array(k).fill(row).join(", ")));
    return (values) => {
      const n = values.length / width;
      if (n <= MAX_ROWS) {
        if (n > 0) statement(n).run(values);
        return;
      }
      for (let at = 0; at < n; at += MAX_ROWS) {
        const k = Math.min(MAX_ROWS, n - at);
        statement(k).run(values.slice(at * width, (at + k) * width));
      }
    };
  }
  const insertDecisions = inserter(
    "INSERT INTO decisions (event_id, session, group_id, context, allowed, action, probability, explored, decided_ms, deadline_ms, default_reward) VALUES ",
    11,
  );
  const insertRewards = inserter(
    "INSERT INTO rewards (event_id, reward, verified, components, rewarded_ms) VALUES ",
    5,
  );
  return (batch) => {
    db.exec("BEGIN IMMEDIATE");
    try {
      insertDecisions(batch.decisions);
      insertRewards(batch.rewards);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };
}
`;

/** Rows of one transaction, flattened in the columns' order. */
export interface _BatchRows {
  readonly decisions: readonly (string | number | null)[];
  readonly rewards: readonly (string | number | null)[];
}

/**
 * The committer of {@link COMMITTER_SOURCE} on a connection of this thread (durability "process":
 * no fsync, so a commit is a few writes and the event loop can afford it).
 * @internal
 */
export const _createCommitter = new Function(`${COMMITTER_SOURCE}\nreturn committer;`)() as (
  db: Database.Database,
) => (batch: _BatchRows) => void;

/**
 * Body of the decision log's writer thread (durability "disk"). It owns one SQLite connection
 * (`synchronous = FULL`: on disk when COMMIT returns), commits each batch it receives
 * (`{ id, decisions, rewards }`) in one transaction, then answers `{ id, ok, synchronous }` (the
 * connection's setting, 2 = FULL, 1 = NORMAL). The fsync blocks this thread only; the server's event
 * loop keeps gathering the next batch meanwhile (group commit).
 * @internal
 */
export const WRITER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const synchronous = db.prepare("PRAGMA synchronous").raw().get()[0];
${COMMITTER_SOURCE}
const commit = committer(db);
parentPort.on("message", (batch) => {
  if (batch === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    commit(batch);
    parentPort.postMessage({ id: batch.id, ok: true, synchronous });
  } catch (error) {
    parentPort.postMessage({ id: batch.id, ok: false, message: String(error && error.message) });
  }
});
`;
