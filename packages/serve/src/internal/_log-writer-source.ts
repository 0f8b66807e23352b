// Body of the decision log's writer thread, as JavaScript source run with
// `new Worker(WRITER_SOURCE, { eval: true })` (tests run from TypeScript sources, which a worker cannot
// load). It owns one SQLite connection and commits each batch it receives (`{ id, decisions, rewards }`,
// the rows flattened) in one transaction (`synchronous = FULL`, an fsync per commit, with
// `workerData.fsync`, durability "disk"; `NORMAL` with durability "process"), then answers
// `{ id, ok, synchronous }` (the connection's setting, 2 = FULL, 1 = NORMAL). The fsync blocks this
// thread only; the server's event loop keeps gathering the next batch meanwhile (group commit).
export const WRITER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const synchronous = db.prepare("PRAGMA synchronous").raw().get()[0];
// Multi-row INSERTs: a batch of n rows goes in chunks of 64, 16, 4 and 1 rows, each chunk one
// statement (a statement per row costs about twice as much per row).
const CHUNKS = [64, 16, 4, 1];
function inserter(sql, width) {
  const row = "(" + Array(width).fill("?").join(", ") + ")";
  const statements = new Map(CHUNKS.map((k) => [k, db.prepare(sql + Array(k).fill(row).join(", "))]));
  return (values) => {
    let at = 0;
    for (const k of CHUNKS) {
      const size = k * width;
      const statement = statements.get(k);
      for (; values.length - at >= size; at += size) statement.run(values.slice(at, at + size));
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
parentPort.on("message", (batch) => {
  if (batch === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      insertDecisions(batch.decisions);
      insertRewards(batch.rewards);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    parentPort.postMessage({ id: batch.id, ok: true, synchronous });
  } catch (error) {
    parentPort.postMessage({ id: batch.id, ok: false, message: String(error && error.message) });
  }
});
`;
