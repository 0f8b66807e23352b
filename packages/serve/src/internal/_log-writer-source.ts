/**
 * JavaScript source of `committer(db)`, which returns `commit(batches)`: one transaction inserting
 * the rows of every batch (flattened, 11 values per decision, 5 per reward, in column order) with one
 * multi-row INSERT per 64 rows (a statement per row costs about 1.5 times as much per row; the
 * statement for each row count is prepared once, on first use). Each batch is all or nothing (a
 * savepoint each when there are several), so one failing batch does not fail the others committed
 * with it; `commit` returns, per batch, `null` or the error message. Source text, because the writer
 * thread runs it with `eval: true` (tests run from TypeScript sources, which a worker cannot load).
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
  const message = (error) => String((error && error.message) || error);
  return (batches) => {
    const results = [];
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const batch of batches) {
        if (batches.length === 1) {
          insertDecisions(batch.decisions);
          insertRewards(batch.rewards);
          results.push(null);
          continue;
        }
        db.exec("SAVEPOINT batch");
        try {
          insertDecisions(batch.decisions);
          insertRewards(batch.rewards);
          db.exec("RELEASE batch");
          results.push(null);
        } catch (error) {
          db.exec("ROLLBACK TO batch");
          db.exec("RELEASE batch");
          results.push(message(error));
        }
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      return batches.map(() => message(error));
    }
    return results;
  };
}
`;

/**
 * Body of the decision log's writer thread. It owns one SQLite connection (`synchronous = FULL`
 * with durability "disk": on disk when COMMIT returns; `NORMAL` with "process"). Batches
 * (`{ id, decisions, rewards }`) may arrive while it commits; it takes every batch waiting in its
 * port and commits them in one transaction, so one fsync covers them all, then answers
 * `{ ids, errors, synchronous }` (`errors[i]` null or the message of batch `ids[i]`; the
 * connection's setting, 2 = FULL, 1 = NORMAL). The fsync blocks this thread only; the server's
 * event loop keeps deciding and sending batches meanwhile.
 * @internal
 */
export const WRITER_SOURCE = `
"use strict";
const { parentPort, receiveMessageOnPort, workerData } = require("node:worker_threads");
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const synchronous = db.prepare("PRAGMA synchronous").raw().get()[0];
${COMMITTER_SOURCE}
const commit = committer(db);
parentPort.on("message", (first) => {
  const batches = [];
  let closing = false;
  for (let m = first; m !== undefined; ) {
    if (m === "close") closing = true;
    else batches.push(m);
    const next = receiveMessageOnPort(parentPort);
    m = next === undefined ? undefined : next.message;
  }
  if (batches.length > 0) {
    let errors;
    try {
      errors = commit(batches);
    } catch (error) {
      errors = batches.map(() => String(error && error.message));
    }
    parentPort.postMessage({ ids: batches.map((b) => b.id), errors, synchronous });
  }
  if (closing) {
    db.close();
    parentPort.close();
  }
});
`;
