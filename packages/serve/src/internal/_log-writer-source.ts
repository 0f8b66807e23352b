// Body of the decision log's writer thread, as JavaScript source run with
// `new Worker(WRITER_SOURCE, { eval: true })` (tests run from TypeScript sources, which a worker cannot
// load). It owns one SQLite connection and commits each batch it receives in one transaction
// (`synchronous = FULL`: on disk when COMMIT returns; `NORMAL` with durability "process"), then
// answers `{ id, ok }`. The fsync blocks this
// thread only; the server's event loop keeps gathering the next batch meanwhile (group commit).
export const WRITER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const insertDecision = db.prepare(
  "INSERT INTO decisions (event_id, session, group_id, context, allowed, action, probability, explored, decided_ms, deadline_ms, default_reward) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const insertReward = db.prepare(
  "INSERT INTO rewards (event_id, reward, verified, components, rewarded_ms) VALUES (?, ?, ?, ?, ?)",
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
      for (const row of batch.rows) {
        if (row.length === 11) insertDecision.run(...row);
        else insertReward.run(...row);
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    parentPort.postMessage({ id: batch.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: batch.id, ok: false, message: String(error && error.message) });
  }
});
`;
