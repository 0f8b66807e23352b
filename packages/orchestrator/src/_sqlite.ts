import { createRequire } from "node:module";
import type Database from "libsql";
import { OrchestratorError } from "./errors.js";

/** A connection of the SQLite binding (libsql, with better-sqlite3's synchronous API). */
export type SqliteDatabase = Database.Database;
/** The binding's `Database` constructor. */
export type SqliteConstructor = typeof Database;

const BINDING = "libsql";
let loaded: SqliteConstructor | undefined;

/** What to tell a user whose SQLite binding does not load. */
export const SQLITE_HINT =
  "The run registry needs the prebuilt SQLite binding `libsql` and its platform package " +
  "(`@libsql/<platform>`, an optional dependency): reinstall without omitting optional dependencies " +
  '(no `--no-optional` / `--omit=optional`), or run without the registry (`"registryPath": null` in the job file).';

/**
 * Loads the SQLite binding on first use (so that importing the package never needs it) and caches it.
 * @param load - the module loader (tests inject a failing one)
 * @throws {@link OrchestratorError} `SQLITE_UNAVAILABLE` when the binding cannot be loaded on this
 * platform, with what to do in the message and the loader's error as `cause`
 */
export function loadSqlite(
  load: (id: string) => unknown = createRequire(import.meta.url),
): SqliteConstructor {
  if (loaded !== undefined) return loaded;
  let binding: SqliteConstructor;
  try {
    binding = load(BINDING) as SqliteConstructor;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new OrchestratorError(
      "SQLITE_UNAVAILABLE",
      `the run registry cannot open: the SQLite binding could not be loaded on ${process.platform}-${process.arch} ` +
        `(Node ${process.versions.node}): ${reason}. ${SQLITE_HINT}`,
      { cause: error },
    );
  }
  loaded = binding;
  return binding;
}

/**
 * The first column of a pragma's first row (libsql's `pragma(..., { simple: true })` returns the row
 * object with metadata rather than the value, unlike better-sqlite3).
 * @param db - an open connection
 * @param source - the pragma, e.g. `user_version` or `journal_mode = WAL`
 */
export function pragmaValue(db: SqliteDatabase, source: string): unknown {
  const row = db.prepare(`PRAGMA ${source}`).raw().get() as unknown[] | undefined;
  return row?.[0];
}
