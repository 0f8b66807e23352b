/**
 * JavaScript source of the functions both the indexer thread and the event loop use on journal
 * text (source text, because the indexer thread runs it with `eval: true`: tests run from TypeScript
 * sources, which a worker cannot load; the event loop builds its copy with {@link _journalFunctions}):
 *
 * - `parseJournal(text, base)`: the complete lines of `text` (up to its last newline) as
 *   `{ decisions, rewards, ends, end, torn }`: rows flattened in the indexer's column order (11 values
 *   per decision, 5 per reward), `ends[i]` the byte offset (from `base`) after row i's line (rows in
 *   line order, decisions and rewards interleaved: `kinds[i]` 0 or 1), `end` the offset after the last
 *   complete line, `torn` the text of a line that is not a journal record (null when none). A line is
 *   `[0, eventId, session, groupId, context, allowed, action, probability, explored, decidedMs,
 *   deadlineMs, defaultReward]` or `[1, eventId, reward, verified, components, rewardedMs]`, with
 *   the context, allowed actions and components as JSON values (stored as their JSON text, which
 *   `JSON.stringify` gives back exactly: the server wrote them with it);
 * - `committer(db)`: returns `commit(decisions, rewards, gen, offset)`, one transaction inserting
 *   the rows (one multi-row INSERT per 64 rows, prepared once per row count; `INSERT OR IGNORE`: the
 *   first record of an event id wins, as the server already refused the others) and recording the
 *   journal position `(gen, offset)` they reach in `meta`, so rows and position commit together.
 */
const JOURNAL_SOURCE = `
function parseJournal(text, base) {
  const decisions = [];
  const rewards = [];
  const kinds = [];
  const ends = [];
  let torn = null;
  let at = 0;
  let bytes = base;
  const last = text.lastIndexOf("\\n");
  while (at <= last) {
    const nl = text.indexOf("\\n", at);
    const line = text.slice(at, nl);
    bytes += Buffer.byteLength(line) + 1;
    at = nl + 1;
    let v;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    if (Array.isArray(v) && v[0] === 0 && v.length === 12) {
      decisions.push(v[1], v[2], v[3], JSON.stringify(v[4]), v[5] === null ? null : JSON.stringify(v[5]), v[6], v[7], v[8], v[9], v[10], v[11]);
      kinds.push(0);
    } else if (Array.isArray(v) && v[0] === 1 && v.length === 6) {
      rewards.push(v[1], v[2], v[3], v[4] === null ? null : JSON.stringify(v[4]), v[5]);
      kinds.push(1);
    } else {
      torn = line;
      break;
    }
    ends.push(bytes);
  }
  return { decisions, rewards, kinds, ends, end: ends.length === 0 ? base : ends[ends.length - 1], torn };
}

function committer(db) {
  const MAX_ROWS = 64;
  function inserter(sql, width) {
    const row = "(" + Array(width).fill("?").join(", ") + ")";
    const statements = [];
    const statement = (k) => (statements[k] ??= db.prepare(sql + Array(k).fill(row).join(", ")));
    return (values) => {
      const n = values.length / width;
      for (let at = 0; at < n; at += MAX_ROWS) {
        const k = Math.min(MAX_ROWS, n - at);
        statement(k).run(k === n ? values : values.slice(at * width, (at + k) * width));
      }
    };
  }
  const insertDecisions = inserter(
    "INSERT OR IGNORE INTO decisions (event_id, session, group_id, context, allowed, action, probability, explored, decided_ms, deadline_ms, default_reward) VALUES ",
    11,
  );
  const insertRewards = inserter(
    "INSERT OR IGNORE INTO rewards (event_id, reward, verified, components, rewarded_ms) VALUES ",
    5,
  );
  const position = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal', ?)");
  return (decisions, rewards, gen, offset) => {
    db.exec("BEGIN IMMEDIATE");
    try {
      insertDecisions(decisions);
      insertRewards(rewards);
      position.run(gen + ":" + offset);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };
}
`;

/** The journal file of generation `gen` in a log folder (`journal-000001.jsonl`). */
export function _journalName(gen: number): string {
  return `journal-${String(gen).padStart(6, "0")}.jsonl`;
}

/** Rows parsed from journal text (see `parseJournal` above). @internal */
export interface _ParsedJournal {
  readonly decisions: (string | number | null)[];
  readonly rewards: (string | number | null)[];
  readonly kinds: number[];
  readonly ends: number[];
  readonly end: number;
  readonly torn: string | null;
}

/** The journal functions on this thread. @internal */
export interface _JournalFunctions {
  readonly parseJournal: (text: string, base: number) => _ParsedJournal;
  readonly committer: (
    db: unknown,
  ) => (
    decisions: readonly (string | number | null)[],
    rewards: readonly (string | number | null)[],
    gen: number,
    offset: number,
  ) => void;
}

let functions: _JournalFunctions | undefined;
/**
 * The journal functions built from the same source the indexer thread runs.
 * @internal
 */
export function _journalFunctions(): _JournalFunctions {
  functions ??= new Function("Buffer", `${JOURNAL_SOURCE}\nreturn { parseJournal, committer };`)(
    Buffer,
  ) as _JournalFunctions;
  return functions;
}

/**
 * Body of the decision log's indexer thread. The event loop appends every decision and reward to
 * the journal (`journal-<gen>.jsonl`) and acknowledges it once written (and fsynced with durability
 * "disk"); this thread copies the journal into SQLite behind it, off the request path. It owns one
 * SQLite connection (`synchronous = FULL` with durability "disk", `NORMAL` otherwise), reads the
 * complete lines after its position, commits them with the position, and posts `{ gen, offset }` (or
 * `{ error }`, then retries after a second). Shared memory: `[0]` bumped after every append (it
 * sleeps on it), `[1]` the generation being appended to (when it passes the thread's, the thread
 * reads its file to the end, moves on and deletes it), `[2]` set when the server closes (it drains
 * the journal and exits), `[3]` where it sleeps `delayMs` after a commit, so that rows gather into
 * larger transactions (the event loop's lookups find them in memory meanwhile).
 * @internal
 */
export const INDEXER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, openSync, readSync, unlinkSync } = require("node:fs");
const { join } = require("node:path");
${JOURNAL_SOURCE}
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const commit = committer(db);
const shared = new Int32Array(workerData.shared);
const name = (gen) => join(workerData.dir, "journal-" + String(gen).padStart(6, "0") + ".jsonl");
let gen = workerData.gen;
let offset = workerData.offset;
let fd = openSync(name(gen), "r");
let buffer = Buffer.alloc(1 << 20);
let sawNext = false;
for (;;) {
  const seq = Atomics.load(shared, 0);
  const moved = Atomics.load(shared, 1) > gen;
  const closing = Atomics.load(shared, 2) === 1;
  const n = readSync(fd, buffer, 0, buffer.length, offset);
  const text = buffer.toString("utf8", 0, n);
  const parsed = parseJournal(text, offset);
  if (parsed.ends.length === 0 && parsed.torn !== null) {
    parentPort.postMessage({ error: "journal " + name(gen) + ": the line at byte " + offset + " is not a record" });
    Atomics.wait(shared, 3, 0, 1000);
    continue;
  }
  if (parsed.ends.length > 0) {
    try {
      commit(parsed.decisions, parsed.rewards, gen, parsed.end);
      offset = parsed.end;
      parentPort.postMessage({ gen, offset });
      // let rows gather: a commit costs about as much as 10 rows, rows arrive every few µs under load
      if (!closing) Atomics.wait(shared, 3, 0, workerData.delayMs);
    } catch (error) {
      parentPort.postMessage({ error: String((error && error.message) || error) });
      Atomics.wait(shared, 3, 0, 1000);
    }
    continue;
  }
  if (n === buffer.length) {
    buffer = Buffer.alloc(buffer.length * 2); // a line longer than the buffer
    continue;
  }
  if (moved && sawNext) {
    // the event loop writes a generation to the end before it moves on: nothing more will come
    commit([], [], gen + 1, 0);
    closeSync(fd);
    unlinkSync(name(gen));
    gen++;
    offset = 0;
    fd = openSync(name(gen), "r");
    sawNext = false;
    parentPort.postMessage({ gen, offset });
    continue;
  }
  if (moved) {
    sawNext = true; // read once more after seeing the move, then go
    continue;
  }
  if (closing) break;
  Atomics.wait(shared, 0, seq, 1000);
}
closeSync(fd);
db.close();
`;
