import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Database from "libsql";
import { ServeError } from "../errors.js";
import type { _JournalPosition } from "./_journal.js";
import type { _DecisionRow } from "./_rows.js";

// The decision log's database file: its layout, its binding, and how it is opened and checked.

/** File name of the decision log inside its folder. */
export const LOG_FILE = "decisions.db";
/** Format written in the log's `meta` table. */
export const LOG_FORMAT = "rlvr-decision-log";
/**
 * Layout version of the log (5: the journal files are the store of record, kept for good, and the
 * database indexes them: each decision's position and reward deadline under its event id, each
 * reward whole; the journal's lines as in version 4, decision and reward lines with their
 * non-integer numbers first, each file written over zeros laid ahead of its end, so that its records
 * end at the first zero byte). Version 4 and 3 logs (the decisions copied whole into the `decisions`
 * table, their journal files removed once copied; version 3 without zeros), version 2 logs (the
 * older journal lines, which are still read) and version 1 logs (the database alone) are read and
 * upgraded when served (the decisions they hold stay where they are); other versions are refused,
 * and an older server refuses a version-5 log instead of misreading it.
 */
export const LOG_FORMAT_VERSION = 5;

/** @internal */
export type _Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (digest TEXT PRIMARY KEY, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY, checkpoint TEXT NOT NULL REFERENCES checkpoints(digest),
  seed INTEGER NOT NULL, exploration TEXT NOT NULL, started_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, session INTEGER NOT NULL,
  group_id TEXT NOT NULL, context TEXT NOT NULL, allowed TEXT, action TEXT NOT NULL,
  probability REAL NOT NULL, explored INTEGER NOT NULL, decided_ms INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL, default_reward REAL);
CREATE TABLE IF NOT EXISTS generated_decisions (
  session INTEGER NOT NULL, n INTEGER NOT NULL, gen INTEGER NOT NULL, at INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL, PRIMARY KEY (session, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS client_decisions (
  event_id TEXT PRIMARY KEY, gen INTEGER NOT NULL, at INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rewards (
  event_id TEXT PRIMARY KEY, reward REAL NOT NULL, verified INTEGER NOT NULL,
  components TEXT, rewarded_ms INTEGER NOT NULL);
`;

let binding: typeof Database | undefined;
let bindingPath = "";

/** Where the SQLite binding was loaded from (for the indexer thread); empty before the first open. @internal */
export const _bindingPath = (): string => bindingPath;

function loadBinding(): typeof Database {
  if (binding !== undefined) return binding;
  try {
    const require = createRequire(import.meta.url);
    bindingPath = require.resolve("libsql");
    binding = require(bindingPath) as typeof Database;
  } catch (error) {
    throw new ServeError(
      "LOG_UNAVAILABLE",
      `the decision log needs the SQLite binding libsql and its platform package (@libsql/<platform>), which could not be loaded: ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
  return binding;
}

/** A decision as a row of the `decisions` table reads. @internal */
export const _decisionOf = (r: Record<string, unknown>): _DecisionRow => ({
  eventId: r.event_id as string,
  session: Number(r.session),
  groupId: r.group_id as string,
  context: r.context as string,
  allowed: (r.allowed as string | null) ?? null,
  action: r.action as string,
  probability: r.probability as number,
  explored: Number(r.explored) === 1,
  decidedMs: Number(r.decided_ms),
  deadlineMs: Number(r.deadline_ms),
  defaultReward: (r.default_reward as number | null) ?? null,
});

/** The journal position recorded with the rows indexed so far (generation 1, offset 0 when none). @internal */
export function _indexedPosition(db: _Db): _JournalPosition {
  const r = db.prepare("SELECT value FROM meta WHERE key = 'journal'").get() as
    | { value?: string }
    | undefined;
  const [gen, offset] = (r?.value ?? "1:0").split(":").map(Number);
  return { gen: gen ?? 1, offset: offset ?? 0 };
}

/**
 * Open (with `serve`, make the folder and the database when missing) the decision log's database in
 * `dir` and check its format and version (upgrading an older one when serving: the tables it lacks
 * are added); `version` is the one it had.
 * @throws ServeError `LOG_INVALID` (no log there when reading, another format or version),
 * `LOG_UNAVAILABLE` (cannot be opened or read)
 * @internal
 */
export function _openDatabase(dir: string, serve: boolean): { path: string; db: _Db; version: number } {
  const path = join(dir, LOG_FILE);
  if (!serve && !existsSync(path)) {
    throw new ServeError("LOG_INVALID", `${dir}: no decision log (${LOG_FILE}) in this folder`);
  }
  const Binding = loadBinding();
  let db: _Db;
  try {
    if (serve) mkdirSync(dir, { recursive: true });
    db = new Binding(path, { timeout: 5000 });
    db.prepare("PRAGMA journal_mode = WAL").raw().get();
    db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
  } catch (error) {
    throw new ServeError(
      "LOG_UNAVAILABLE",
      `${path}: cannot open the decision log: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const fail = (code: "LOG_INVALID" | "LOG_UNAVAILABLE", message: string, cause?: unknown): never => {
    db.close();
    throw new ServeError(code, `${path}: ${message}`, cause === undefined ? {} : { cause });
  };
  try {
    const hasMeta = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (hasMeta === undefined) {
      if (!serve) fail("LOG_INVALID", "not a decision log (no meta table)");
      db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
      const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
      put.run("format", LOG_FORMAT);
      put.run("version", String(LOG_FORMAT_VERSION));
    }
    const get = db.prepare("SELECT value FROM meta WHERE key = ?");
    const format = (get.get("format") as { value?: string } | undefined)?.value;
    const version = (get.get("version") as { value?: string } | undefined)?.value;
    if (format !== LOG_FORMAT) fail("LOG_INVALID", `not a decision log (format ${JSON.stringify(format)})`);
    if (!["1", "2", "3", "4", String(LOG_FORMAT_VERSION)].includes(version ?? ""))
      fail(
        "LOG_INVALID",
        `decision log version ${version} is not supported (this version reads 1 to ${LOG_FORMAT_VERSION})`,
      );
    if (serve && version !== String(LOG_FORMAT_VERSION)) {
      db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'version'").run(String(LOG_FORMAT_VERSION));
    }
    return { path, db, version: Number(version) };
  } catch (error) {
    if (ServeError.is(error)) throw error;
    return fail("LOG_UNAVAILABLE", `cannot read the decision log: ${(error as Error).message}`, error);
  }
}
