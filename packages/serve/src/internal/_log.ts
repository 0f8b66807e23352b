import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type Database from "libsql";
import { ServeError } from "../errors.js";
import { WRITER_SOURCE } from "./_log-writer-source.js";

/** File name of the decision log inside its folder. */
export const LOG_FILE = "decisions.db";
/** Format written in the log's `meta` table. */
export const LOG_FORMAT = "rlvr-decision-log";
/** Layout version of the log; other versions are refused. */
export const LOG_FORMAT_VERSION = 1;

type Db = Database.Database;
type Statement = Database.Statement;

/** A decision as the log stores it (context and allowed actions as the JSON text of the request). */
export interface _DecisionRow {
  readonly eventId: string;
  readonly session: number;
  readonly groupId: string;
  readonly context: string;
  readonly allowed: string | null;
  readonly action: string;
  readonly probability: number;
  readonly explored: boolean;
  readonly decidedMs: number;
  readonly deadlineMs: number;
  readonly defaultReward: number | null;
}

/** A reward as the log stores it. */
export interface _RewardRow {
  readonly eventId: string;
  readonly reward: number;
  readonly verified: boolean;
  readonly components: string | null;
  readonly rewardedMs: number;
}

/** What the reward endpoint needs to know about a decision. */
export interface _DecisionState {
  readonly row: _DecisionRow;
  readonly rewarded: boolean;
}

/** A serving session: the checkpoint, seed and exploration in force from a start or reload on. */
export interface _SessionRow {
  readonly id: number;
  readonly checkpoint: string;
  readonly seed: number;
  readonly exploration: string;
}

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
CREATE TABLE IF NOT EXISTS rewards (
  event_id TEXT PRIMARY KEY, reward REAL NOT NULL, verified INTEGER NOT NULL,
  components TEXT, rewarded_ms INTEGER NOT NULL);
`;

let binding: typeof Database | undefined;
let bindingPath = "";
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

/**
 * Appends gathered for one transaction: the rows flattened (11 values per decision, 5 per reward,
 * in the writer's column order) and one promise that every append of the batch waits for.
 */
interface Batch {
  readonly decisions: (string | number | null)[];
  readonly rewards: (string | number | null)[];
  readonly decisionIds: string[];
  readonly rewardIds: string[];
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The writer thread's answer to the batches it committed together (`errors[i]` is batch `ids[i]`'s). */
interface WriterAnswer {
  readonly ids: readonly number[];
  readonly errors: readonly (string | null)[];
  readonly synchronous?: number;
}

/**
 * Batches handed to the writer thread and not yet answered, at most: while it commits one, the next
 * waits in its port and a third gathers on the event loop, so the writer is never idle while there is
 * work and batches grow with the writer's latency (a message per batch costs the event loop more than
 * a row).
 */
const MAX_IN_FLIGHT = 2;

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { decisions: [], rewards: [], decisionIds: [], rewardIds: [], done, resolve, reject };
}

const decisionOf = (r: Record<string, unknown>): _DecisionRow => ({
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

/**
 * The decision log: an SQLite database in WAL mode. Appends are queued and everything queued by the
 * end of an event-loop turn forms a batch; every append of a batch resolves only after its
 * transaction committed (group commit). A writer thread with its own connection commits: it takes
 * every batch waiting for it (two at most, see `MAX_IN_FLIGHT`) in one transaction, with
 * `synchronous = FULL` when `fsync` (durability "disk": on disk when it returns, one fsync for them
 * all) or `NORMAL` (durability "process": written to the operating system). The event loop keeps
 * deciding meanwhile; handing a row over costs it about a quarter of committing it. Lookups read
 * committed rows on this thread's connection, and the queued and in-flight rows from memory.
 * @internal
 */
export class _DecisionLog {
  readonly path: string;
  private readonly db: Db;
  private queue: Batch | undefined;
  private readonly inFlight = new Map<number, Batch>();
  private scheduled = false;
  private closed = false;
  private writer: Worker | undefined;
  private batchId = 0;
  private drained: (() => void) | undefined;
  private readonly pendingDecisions = new Map<string, _DecisionRow>();
  private readonly pendingRewards = new Set<string>();
  private readonly selectDecision: Statement;
  /** Whether the writer fsyncs every commit (durability "disk"); read when the writer starts. */
  fsync = true;
  /** Transactions committed so far (with "disk", one may hold several batches). */
  transactions = 0;
  /** The committing connection's `PRAGMA synchronous` (2 = FULL, 1 = NORMAL), known after its first commit. */
  writerSynchronous: number | undefined;
  private readonly selectRewarded: Statement;

  private constructor(path: string, db: Db) {
    this.path = path;
    this.db = db;
    this.selectDecision = db.prepare("SELECT * FROM decisions WHERE event_id = ?");
    this.selectRewarded = db.prepare("SELECT 1 AS x FROM rewards WHERE event_id = ?");
  }

  /**
   * Open the log in `dir`; with `create`, make the folder and the log when missing.
   * @throws ServeError `LOG_INVALID` (no log there without `create`, or another format),
   * `LOG_UNAVAILABLE` (cannot be opened)
   */
  static open(dir: string, create: boolean): _DecisionLog {
    const path = join(dir, LOG_FILE);
    if (!create && !existsSync(path)) {
      throw new ServeError("LOG_INVALID", `${dir}: no decision log (${LOG_FILE}) in this folder`);
    }
    const Binding = loadBinding();
    let db: Db;
    try {
      if (create) mkdirSync(dir, { recursive: true });
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
    const log = _DecisionLog.initialise(path, db, create);
    return log;
  }

  private static initialise(path: string, db: Db, create: boolean): _DecisionLog {
    const fail = (code: "LOG_INVALID" | "LOG_UNAVAILABLE", message: string, cause?: unknown): never => {
      db.close();
      throw new ServeError(code, `${path}: ${message}`, cause === undefined ? {} : { cause });
    };
    try {
      const hasMeta = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        .get();
      if (hasMeta === undefined) {
        if (!create) fail("LOG_INVALID", "not a decision log (no meta table)");
        db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
        const put = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
        put.run("format", LOG_FORMAT);
        put.run("version", String(LOG_FORMAT_VERSION));
      }
      const get = db.prepare("SELECT value FROM meta WHERE key = ?");
      const format = (get.get("format") as { value?: string } | undefined)?.value;
      const version = (get.get("version") as { value?: string } | undefined)?.value;
      if (format !== LOG_FORMAT) fail("LOG_INVALID", `not a decision log (format ${JSON.stringify(format)})`);
      if (version !== String(LOG_FORMAT_VERSION))
        fail(
          "LOG_INVALID",
          `decision log version ${version} is not supported (this version reads ${LOG_FORMAT_VERSION})`,
        );
    } catch (error) {
      if (ServeError.is(error)) throw error;
      fail("LOG_UNAVAILABLE", `cannot read the decision log: ${(error as Error).message}`, error);
    }
    return new _DecisionLog(path, db);
  }

  /** Record a serving session (committed at once) and return its id. */
  startSession(
    checkpoint: { digest: string; bytes: Uint8Array },
    seed: number,
    exploration: string,
    nowMs: number,
  ): number {
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        this.db
          .prepare("INSERT OR IGNORE INTO checkpoints (digest, bytes) VALUES (?, ?)")
          .run(checkpoint.digest, Buffer.from(checkpoint.bytes));
        const info = this.db
          .prepare("INSERT INTO sessions (checkpoint, seed, exploration, started_ms) VALUES (?, ?, ?, ?)")
          .run(checkpoint.digest, seed, exploration, nowMs);
        this.db.exec("COMMIT");
        return Number(info.lastInsertRowid);
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      throw new ServeError(
        "LOG_WRITE_FAILED",
        `${this.path}: cannot record the serving session: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** The decision with this event id, committed or queued, and whether it has a reward. */
  find(eventId: string): _DecisionState | undefined {
    const pending = this.pendingDecisions.get(eventId);
    if (pending !== undefined) return { row: pending, rewarded: this.pendingRewards.has(eventId) };
    const r = this.selectDecision.get(eventId) as Record<string, unknown> | undefined;
    if (r === undefined) return undefined;
    const rewarded = this.pendingRewards.has(eventId) || this.selectRewarded.get(eventId) !== undefined;
    return { row: decisionOf(r), rewarded };
  }

  /** Queue a decision; resolves once it is committed (with the others of its batch). */
  appendDecision(d: _DecisionRow): Promise<void> {
    if (this.closed) return Promise.reject(new ServeError("SHUTTING_DOWN", "the decision log is closed"));
    this.pendingDecisions.set(d.eventId, d);
    const batch = this.open();
    batch.decisions.push(
      d.eventId,
      d.session,
      d.groupId,
      d.context,
      d.allowed,
      d.action,
      d.probability,
      d.explored ? 1 : 0,
      d.decidedMs,
      d.deadlineMs,
      d.defaultReward,
    );
    batch.decisionIds.push(d.eventId);
    return batch.done;
  }

  /** Queue a reward; resolves once it is committed (with the others of its batch). */
  appendReward(r: _RewardRow): Promise<void> {
    if (this.closed) return Promise.reject(new ServeError("SHUTTING_DOWN", "the decision log is closed"));
    this.pendingRewards.add(r.eventId);
    const batch = this.open();
    batch.rewards.push(r.eventId, r.reward, r.verified ? 1 : 0, r.components, r.rewardedMs);
    batch.rewardIds.push(r.eventId);
    return batch.done;
  }

  /** The batch gathering appends, opened (and its hand-over scheduled) by the first one. */
  private open(): Batch {
    if (this.queue !== undefined) return this.queue;
    this.queue = newBatch();
    if (!this.scheduled && this.inFlight.size < MAX_IN_FLIGHT) {
      this.scheduled = true;
      setImmediate(() => this.send());
    }
    return this.queue;
  }

  /** The writer thread, started on the first append. */
  private startWriter(): Worker {
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { binding: bindingPath, path: this.path, fsync: this.fsync },
    });
    worker.on("message", (message: WriterAnswer) => this.settle(message));
    worker.on("error", (error) => {
      this.writer = undefined; // a new one starts with the next batch
      const ids = [...this.inFlight.keys()];
      this.settle({ ids, errors: ids.map(() => error.message) });
    });
    return worker;
  }

  /** Hand the queued batch to the writer thread, whose answer settles it. */
  private send(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch === undefined || this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.queue = undefined;
    const id = ++this.batchId;
    this.inFlight.set(id, batch);
    this.writer ??= this.startWriter();
    this.writer.postMessage({ id, decisions: batch.decisions, rewards: batch.rewards });
  }

  /** The writer's answer: settle the promises of the batches it names. */
  private settle(message: WriterAnswer): void {
    this.transactions++;
    if (message.synchronous !== undefined) this.writerSynchronous = message.synchronous;
    message.ids.forEach((id, i) => {
      const batch = this.inFlight.get(id);
      if (batch === undefined) return;
      this.inFlight.delete(id);
      for (const eventId of batch.decisionIds) this.pendingDecisions.delete(eventId);
      for (const eventId of batch.rewardIds) this.pendingRewards.delete(eventId);
      const error = message.errors[i];
      if (error === null || error === undefined) batch.resolve();
      else batch.reject(new ServeError("LOG_WRITE_FAILED", `the decision log could not commit: ${error}`));
    });
    if (this.queue !== undefined && !this.scheduled) this.send();
    else if (this.inFlight.size === 0 && this.queue === undefined) this.drained?.();
  }

  /** Sessions by id. */
  sessions(): Map<number, _SessionRow> {
    const out = new Map<number, _SessionRow>();
    for (const r of this.db
      .prepare("SELECT id, checkpoint, seed, exploration FROM sessions ORDER BY id")
      .all() as Record<string, unknown>[]) {
      const id = Number(r.id);
      out.set(id, {
        id,
        checkpoint: r.checkpoint as string,
        seed: Number(r.seed),
        exploration: r.exploration as string,
      });
    }
    return out;
  }

  /** The bytes of a checkpoint stored in the log. */
  checkpointBytes(digest: string): Uint8Array | undefined {
    const r = this.db.prepare("SELECT bytes FROM checkpoints WHERE digest = ?").get(digest) as
      | { bytes?: ArrayBuffer }
      | undefined;
    return r?.bytes === undefined ? undefined : new Uint8Array(r.bytes);
  }

  /** Every committed decision in log order, joined with its reward when it has one. */
  *joined(): Generator<{ decision: _DecisionRow; reward: _RewardRow | undefined }> {
    const rows = this.db
      .prepare(
        "SELECT d.*, r.reward AS r_reward, r.verified AS r_verified, r.components AS r_components, r.rewarded_ms AS r_ms FROM decisions d LEFT JOIN rewards r ON r.event_id = d.event_id ORDER BY d.seq",
      )
      .iterate() as Iterable<Record<string, unknown>>;
    for (const r of rows) {
      const decision = decisionOf(r);
      const reward =
        r.r_reward === null || r.r_reward === undefined
          ? undefined
          : {
              eventId: decision.eventId,
              reward: r.r_reward as number,
              verified: Number(r.r_verified) === 1,
              components: (r.r_components as string | null) ?? null,
              rewardedMs: Number(r.r_ms),
            };
      yield { decision, reward };
    }
  }

  /** Counts of committed decisions and rewards. */
  counts(): { decisions: number; rewards: number } {
    const d = this.db.prepare("SELECT COUNT(*) AS n FROM decisions").get() as { n: number };
    const r = this.db.prepare("SELECT COUNT(*) AS n FROM rewards").get() as { n: number };
    return { decisions: Number(d.n), rewards: Number(r.n) };
  }

  /** Close a log opened for reading only (nothing was appended). */
  closeReader(): void {
    this.closed = true;
    this.db.close();
  }

  /** Commit what is queued and in flight, stop the writer thread, close the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.inFlight.size > 0 || this.queue !== undefined) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (!this.scheduled) this.send();
      });
    }
    this.closed = true;
    const writer = this.writer;
    if (writer !== undefined) {
      await new Promise<void>((resolve) => {
        writer.once("exit", () => resolve());
        writer.postMessage("close");
      });
    }
    this.db.close();
  }
}
