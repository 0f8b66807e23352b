/**
 * JavaScript source of the functions both the indexer thread and the event loop use on journal
 * text (source text, because the indexer thread runs it with `eval: true`: tests run from TypeScript
 * sources, which a worker cannot load; the event loop builds its copy with {@link _journalFunctions}).
 *
 * Journal lines (JSON arrays; context, allowed actions and components embedded as the JSON text
 * `JSON.stringify` gave them, so that reading them back gives the same text):
 * - decision `[2, probability, defaultReward, eventId, session, groupId, context, allowed, action,
 *   explored, decidedMs, deadlineMs]`; reward `[3, reward, eventId, verified, components, rewardedMs]`
 *   (log format 3: the numbers that are not integers first, so the indexer reads them without
 *   parsing the line);
 * - as written by log format 2: decision `[0, eventId, session, groupId, context, allowed, action,
 *   probability, explored, decidedMs, deadlineMs, defaultReward]`, reward `[1, eventId, reward,
 *   verified, components, rewardedMs]` (read, never written).
 *
 * Functions:
 * - `parseJournal(text, base)`: every complete line of `text` (up to its last newline) parsed, as
 *   `{ decisions, rewards, kinds, ends, base, end, torn }`: rows flattened (11 values per decision:
 *   eventId, session, groupId, context, allowed, action, probability, explored, decidedMs,
 *   deadlineMs, defaultReward; 5 per reward in the `rewards` table's column order), `kinds[i]` 0
 *   (decision) or 1 (reward) for row i in line order, `ends[i]` the byte offset (from `base`) after
 *   its line, `end` the offset after the last complete record, `torn` the text of the first line that
 *   is not a record (null when none);
 * - `generatedKey(eventId)`: `[session, n]` for an id `_<session>.<n>` as the server generates them
 *   (decimal integers without leading zeros), null for any other id;
 * - `indexRows(parsed, gen)`: the parsed rows as the index stores them (below);
 * - `scanJournal(text, gen, base)`: the indexer's fast path over the format-3 lines at the start of
 *   `text` (at byte `base` of generation `gen`), reading only their framing (kind, the leading
 *   numbers, the event id, the trailing deadline), not their middle: the rows as the index stores them,
 *   `rows`, `stop` the character offset of the first line not taken (the first incomplete, format-2
 *   or odd-looking line: {@link parseJournal} takes it from there) and `end` its byte offset;
 * - `committer(db, between?)` and `fastCommitter(db, between?)`: `commit(rows, gen, offset)` for
 *   rows from `indexRows` or `scanJournal` (the reward rows differ: parsed columns, or the line and
 *   its reward, from which SQLite's JSON functions take the other columns). One transaction inserts
 *   the rows (one multi-row statement per 64 rows, prepared once per row count; `INSERT OR IGNORE`:
 *   the first record of an event id wins, as the server already refused the others; `between()`
 *   called after each statement) and records the journal position `(gen, offset)` they reach in
 *   `meta`, so rows and position commit together.
 *
 * What the index stores (log format 5): a decision's position alone, `generated` as `session, n,
 * gen, at, deadlineMs` (table `generated_decisions`, keyed by the two integers: rows arrive in key
 * order), `clients` as `eventId, gen, at, deadlineMs` (table `client_decisions`), `at` the byte offset
 * of its line in generation `gen`'s file: the journal keeps the decision itself. Rewards are stored
 * whole (table `rewards`).
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
  const ascii = Buffer.byteLength(text) === text.length;
  const json = (x) => (x === null ? null : JSON.stringify(x));
  const last = text.lastIndexOf("\\n");
  while (at <= last) {
    const nl = text.indexOf("\\n", at);
    const line = text.slice(at, nl);
    bytes += (ascii ? line.length : Buffer.byteLength(line)) + 1;
    at = nl + 1;
    let v;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    if (!Array.isArray(v)) v = [];
    if (v[0] === 2 && v.length === 12) {
      decisions.push(v[3], v[4], v[5], JSON.stringify(v[6]), json(v[7]), v[8], v[1], v[9], v[10], v[11], v[2]);
      kinds.push(0);
    } else if (v[0] === 3 && v.length === 6) {
      rewards.push(v[2], v[1], v[3], json(v[4]), v[5]);
      kinds.push(1);
    } else if (v[0] === 0 && v.length === 12) {
      decisions.push(v[1], v[2], v[3], JSON.stringify(v[4]), json(v[5]), v[6], v[7], v[8], v[9], v[10], v[11]);
      kinds.push(0);
    } else if (v[0] === 1 && v.length === 6) {
      rewards.push(v[1], v[2], v[3], json(v[4]), v[5]);
      kinds.push(1);
    } else {
      torn = line;
      break;
    }
    ends.push(bytes);
  }
  return { decisions, rewards, kinds, ends, base, end: ends.length === 0 ? base : ends[ends.length - 1], torn };
}

function generatedKey(eventId) {
  const m = /^_(0|[1-9][0-9]{0,14})\\.(0|[1-9][0-9]{0,14})$/.exec(eventId);
  return m === null ? null : [Number(m[1]), Number(m[2])];
}

function pushPosition(rows, eventId, gen, at, deadline) {
  const key = typeof eventId === "string" ? generatedKey(eventId) : null;
  if (key === null) rows.clients.push(eventId, gen, at, deadline);
  else rows.generated.push(key[0], key[1], gen, at, deadline);
}

function scanJournal(text, gen, base) {
  const out = { generated: [], clients: [], rewards: [] };
  let rows = 0;
  let at = 0;
  let bytes = base;
  const ascii = Buffer.byteLength(text) === text.length;
  const last = text.lastIndexOf("\\n");
  while (at <= last) {
    const nl = text.indexOf("\\n", at);
    const kind = text.charCodeAt(at + 1);
    if (text.charCodeAt(at) !== 91 || text.charCodeAt(at + 2) !== 44 || text.charCodeAt(nl - 1) !== 93) break;
    const c1 = text.indexOf(",", at + 3);
    if (c1 <= at + 3 || c1 >= nl) break;
    const first = Number(text.slice(at + 3, c1));
    if (!Number.isFinite(first)) break;
    const start = ascii ? base + at : bytes;
    if (kind === 50) {
      const c2 = text.indexOf(",", c1 + 1);
      if (c2 <= c1 + 1 || c2 >= nl) break;
      const d = text.slice(c1 + 1, c2);
      if (d !== "null" && !Number.isFinite(Number(d))) break;
      if (text.charCodeAt(c2 + 1) !== 34) break;
      let q = text.indexOf('"', c2 + 2);
      let escaped = false;
      while (q > 0 && q < nl && text.charCodeAt(q - 1) === 92) {
        // an escaped quote, unless the backslashes before it pair up
        let k = q - 1;
        while (text.charCodeAt(k - 1) === 92) k--;
        if ((q - k) % 2 === 0) break;
        escaped = true;
        q = text.indexOf('"', q + 1);
      }
      if (q < 0 || q >= nl) break;
      let eventId = text.slice(c2 + 2, q);
      if (escaped || eventId.includes("\\\\")) {
        try {
          eventId = JSON.parse(text.slice(c2 + 1, q + 1));
        } catch {
          break;
        }
      }
      const c3 = text.lastIndexOf(",", nl - 2);
      const deadline = Number(text.slice(c3 + 1, nl - 1));
      if (c3 <= q || !Number.isSafeInteger(deadline)) break;
      pushPosition(out, eventId, gen, start, deadline);
    } else if (kind === 51) {
      out.rewards.push(text.slice(at, nl), first);
    } else break;
    rows++;
    if (!ascii) bytes += Buffer.byteLength(text.slice(at, nl + 1));
    at = nl + 1;
  }
  return { ...out, rows, stop: at, end: ascii ? base + at : bytes };
}

function indexRows(parsed, gen) {
  const out = { generated: [], clients: [], rewards: parsed.rewards };
  let d = 0;
  parsed.kinds.forEach((kind, i) => {
    if (kind !== 0) return;
    const start = i === 0 ? parsed.base : parsed.ends[i - 1];
    pushPosition(out, parsed.decisions[d * 11], gen, start, parsed.decisions[d * 11 + 9]);
    d++;
  });
  return out;
}

function inserter(db, sql, row, width, between = () => {}) {
  const MAX_ROWS = 64;
  const statements = [];
  const statement = (k) => (statements[k] ??= db.prepare(sql.replace("ROWS", Array(k).fill(row).join(", "))));
  return (values) => {
    const n = values.length / width;
    for (let at = 0; at < n; at += MAX_ROWS) {
      const k = Math.min(MAX_ROWS, n - at);
      statement(k).run(k === n ? values : values.slice(at * width, (at + k) * width));
      between();
    }
  };
}

function transaction(db, insertGenerated, insertClients, insertRewards) {
  const position = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal', ?)");
  return (rows, gen, offset) => {
    db.exec("BEGIN IMMEDIATE");
    try {
      insertGenerated(rows.generated);
      insertClients(rows.clients);
      insertRewards(rows.rewards);
      position.run(gen + ":" + offset);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };
}

const GENERATED_COLUMNS = "generated_decisions (session, n, gen, at, deadline_ms)";
const CLIENT_COLUMNS = "client_decisions (event_id, gen, at, deadline_ms)";
const REWARD_COLUMNS = "rewards (event_id, reward, verified, components, rewarded_ms)";

function positionInserters(db, between) {
  return [
    inserter(db, "INSERT OR IGNORE INTO " + GENERATED_COLUMNS + " VALUES ROWS", "(?, ?, ?, ?, ?)", 5, between),
    inserter(db, "INSERT OR IGNORE INTO " + CLIENT_COLUMNS + " VALUES ROWS", "(?, ?, ?, ?)", 4, between),
  ];
}

function committer(db, between) {
  return transaction(
    db,
    ...positionInserters(db, between),
    inserter(db, "INSERT OR IGNORE INTO " + REWARD_COLUMNS + " VALUES ROWS", "(?, ?, ?, ?, ?)", 5, between),
  );
}

function fastCommitter(db, between) {
  const json = (i) => "CASE WHEN column1->>" + i + " IS NULL THEN NULL ELSE column1->" + i + " END";
  return transaction(
    db,
    ...positionInserters(db, between),
    inserter(
      db,
      "INSERT OR IGNORE INTO " + REWARD_COLUMNS + " SELECT column1->>2, column2, column1->>3, " + json(4) + ", column1->>5 FROM (VALUES ROWS)",
      "(?, ?)",
      2,
      between,
    ),
  );
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
  readonly base: number;
  readonly end: number;
  readonly torn: string | null;
}

/** Rows as the index stores them (see "What the index stores" above). @internal */
export interface _IndexRows {
  readonly generated: readonly number[];
  readonly clients: readonly (string | number)[];
  readonly rewards: readonly (string | number | null)[];
}

/** Rows of journal text taken by the indexer's fast path (see `scanJournal` above). @internal */
export interface _ScannedJournal extends _IndexRows {
  readonly rows: number;
  readonly stop: number;
  readonly end: number;
}

/** Commits rows and the journal position they reach, in one transaction. @internal */
export type _Commit = (rows: _IndexRows, gen: number, offset: number) => void;

/** The journal functions on this thread. @internal */
export interface _JournalFunctions {
  readonly parseJournal: (text: string, base: number) => _ParsedJournal;
  readonly generatedKey: (eventId: string) => [number, number] | null;
  readonly indexRows: (parsed: _ParsedJournal, gen: number) => _IndexRows;
  readonly scanJournal: (text: string, gen: number, base: number) => _ScannedJournal;
  readonly committer: (db: unknown) => _Commit;
  readonly fastCommitter: (db: unknown) => _Commit;
}

let functions: _JournalFunctions | undefined;
/**
 * The journal functions built from the same source the indexer thread runs.
 * @internal
 */
export function _journalFunctions(): _JournalFunctions {
  functions ??= new Function(
    "Buffer",
    `${JOURNAL_SOURCE}\nreturn { parseJournal, generatedKey, indexRows, scanJournal, committer, fastCommitter };`,
  )(Buffer) as _JournalFunctions;
  return functions;
}

/**
 * Body of the decision log's indexer thread. The event loop appends every decision and reward to
 * the journal (`journal-<gen>.jsonl`) and acknowledges it once written (and fsynced with durability
 * "disk"); this thread indexes the journal in SQLite behind it, off the request path (each decision's
 * position, each reward whole). It owns one SQLite connection (`synchronous = FULL` with durability
 * "disk", `NORMAL` otherwise), reads the complete lines after its position (up to the first zero
 * byte), `fdatasync`s the journal (the index points into it), commits the rows with the position
 * (format-3 lines by the fast path, anything else, or a text the fast path failed on, parsed), and
 * posts `{ gen, offset }` (or `{ error }`, then retries after a second). On Linux it runs at nice
 * `workerData.nice` (the lowest priority, 19), so that under load it uses what the event loop and
 * the load leave idle. Shared memory: `[0]` bumped after every append (it sleeps on it), `[1]` the
 * generation being appended to (when it passes the thread's, the thread reads its file to the end,
 * moves on; the file stays: it holds the decisions), `[2]` set when the server closes (it drains the journal and exits; after
 * a failure it waits up to a second on it), `[3]` where it sleeps `delayMs` after a commit while it
 * is 0, so that rows gather into larger transactions, and `yieldMs` after each statement (the event
 * loop's lookups find the rows in memory meanwhile; it sets `[3]` to 1 and notifies it while something
 * waits for the index, and back to 0 when nothing does).
 * @internal
 */
export const INDEXER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, fdatasyncSync, openSync, readSync } = require("node:fs");
const { join } = require("node:path");
${JOURNAL_SOURCE}
const Database = require(workerData.binding);
const db = new Database(workerData.path, { timeout: 5000 });
db.exec(workerData.fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
const shared = new Int32Array(workerData.shared);
// after each statement (at most 64 rows, a few tenths of a millisecond) the thread gives its core
// away for a moment, unless something waits for the index or the server closes: Linux's scheduler
// (EEVDF) lets a running thread finish its slice (about 1.5 ms on 2 cores) before a woken one takes
// the core, even a nice-19 thread before a nice-0 one, so an indexer that held its core through a
// whole transaction kept the event loop waiting that long whenever it woke there
const between = () => {
  if (Atomics.load(shared, 2) !== 1 && Atomics.load(shared, 3) !== 1) Atomics.wait(shared, 3, 0, workerData.yieldMs);
};
const commit = committer(db, between);
const fastCommit = fastCommitter(db, between);
// background work: the lowest CPU priority (Linux, where a thread has its own nice value), so that
// the thread takes the cores that answering requests leaves idle and never one a request waits for
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid) && tid > 0) require("node:os").setPriority(tid, workerData.nice);
} catch {}
const name = (gen) => join(workerData.dir, "journal-" + String(gen).padStart(6, "0") + ".jsonl");
let gen = workerData.gen;
let offset = workerData.offset;
let fd = openSync(name(gen), "r");
let buffer = Buffer.alloc(4 << 20);
let sawNext = false;
let slow = false; // after the fast path failed on this text: parse it
const committed = (to, full) => {
  offset = to;
  parentPort.postMessage({ gen, offset });
  // let rows gather (woken early when the event loop waits for the index), unless the read filled
  // the buffer: then more is waiting
  if (!full && Atomics.load(shared, 2) !== 1) Atomics.wait(shared, 3, 0, workerData.delayMs);
};
// retried after a second; when the server closes, left to its own reading of the journal
const failed = (error) => {
  parentPort.postMessage({ error: String((error && error.message) || error) });
  if (Atomics.load(shared, 2) !== 1) Atomics.wait(shared, 2, 0, 1000);
};
for (;;) {
  const seq = Atomics.load(shared, 0);
  const moved = Atomics.load(shared, 1) > gen;
  const closing = Atomics.load(shared, 2) === 1;
  let n = readSync(fd, buffer, 0, buffer.length, offset);
  const zero = buffer.subarray(0, n).indexOf(0); // the zeros laid ahead of the journal's end
  if (zero >= 0) n = zero;
  const text = buffer.toString("utf8", 0, n);
  const scanned = slow ? null : scanJournal(text, gen, offset);
  if (scanned !== null && scanned.rows > 0) {
    try {
      fdatasyncSync(fd); // the index points into the journal: the lines reach the disk first
      fastCommit(scanned, gen, scanned.end);
      committed(scanned.end, n === buffer.length);
    } catch {
      slow = true; // a line SQLite cannot read: the parser finds it
    }
    continue;
  }
  slow = false;
  const parsed = parseJournal(text, offset);
  if (parsed.ends.length === 0 && parsed.torn !== null) {
    failed("journal " + name(gen) + ": the line at byte " + offset + " is not a record");
    if (closing) break;
    continue;
  }
  if (parsed.ends.length > 0) {
    try {
      fdatasyncSync(fd);
      commit(indexRows(parsed, gen), gen, parsed.end);
      committed(parsed.end, n === buffer.length);
    } catch (error) {
      failed(error);
      if (closing) break;
    }
    continue;
  }
  if (n === buffer.length) {
    buffer = Buffer.alloc(buffer.length * 2); // a line longer than the buffer
    continue;
  }
  if (moved && sawNext) {
    // the event loop writes a generation to the end before it moves on: nothing more will come
    commit({ generated: [], clients: [], rewards: [] }, gen + 1, 0);
    closeSync(fd);
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
