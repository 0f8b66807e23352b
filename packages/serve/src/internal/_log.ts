import { Worker } from "node:worker_threads";
import type Database from "libsql";
import { ServeError } from "../errors.js";
import { _journalFunctions, INDEXER_SOURCE } from "./_indexer-source.js";
import {
  _decisionLine,
  _JournalAppender,
  type _JournalPosition,
  _journalGens,
  _readJournal,
  _removeJournals,
  _rewardLine,
  _syncJournal,
  JOURNAL_ROTATE_BYTES,
  SHARED,
} from "./_journal.js";
import { _JournalLines } from "./_journal-lines.js";
import { _bindingPath, type _Db, _decisionOf, _indexedPosition, _openDatabase } from "./_log-db.js";
import { _countRows, _joinedRows, _readTail, type _Tail } from "./_log-read.js";
import type { _DecisionRow, _DecisionState, _RewardRow, _RewardState, _SessionRow } from "./_rows.js";
import { _UnindexedRows } from "./_unindexed.js";

export type { _DecisionRow, _DecisionState, _RewardRow, _RewardState, _SessionRow } from "./_rows.js";

type Statement = Database.Statement;

/**
 * How long the indexer thread waits after a commit before it reads the journal again (ms): under load
 * about ten thousand rows per transaction; {@link _DecisionLog.whenIndexed} wakes it early, and it
 * does not wait when its read filled its buffer (4 MiB).
 */
const INDEXER_DELAY_MS = 250;
/** The indexer thread's nice value on Linux: the lowest priority (see docs/serving.md, "Durability"). */
const INDEXER_NICE = 19;
/**
 * How long the indexer thread gives its core away after each insert statement (at most 64 rows)
 * while nothing waits for the index: 0.05 ms (docs/serving.md, "Durability").
 */
const INDEXER_YIELD_MS = 0.05;

/**
 * The decision log: a journal of JSON lines that the event loop appends to and acknowledges from (the
 * store of record, kept for good), and an SQLite database in WAL mode in which an indexer thread
 * indexes the journal behind it: each decision's position and reward deadline, each reward whole
 * (see docs/serving.md, "Durability"). Appends of one event-loop turn are one write (group commit;
 * with `fsync` one fdatasync covers every batch written before it started). Opening the log for
 * serving first indexes whatever journal a previous server left (a torn last line, never
 * acknowledged, is dropped). Lookups read the index on this thread's connection (and a decision's
 * line from the journal) and rows not yet indexed from memory; readers (export, replay) see both.
 * @internal
 */
export class _DecisionLog {
  readonly path: string;
  private readonly dir: string;
  private readonly db: _Db;
  private closed = false;
  private appender: _JournalAppender | undefined;
  private indexer: Worker | undefined;
  private indexerExit: Promise<void> | undefined;
  private readonly shared = new Int32Array(new SharedArrayBuffer(4 * SHARED.length));
  private nextGen = 1;
  private readonly caughtUp: (() => void)[] = [];
  private readonly pending = new _UnindexedRows(
    () => this.hurryIndexer(),
    () => this.indexerError !== undefined,
  );
  private readonly selectDecision: Statement;
  private readonly selectDeadline: Statement;
  private readonly selectRewarded: Statement;
  /** Lookups of a decision's position (absent in a log of version 4 or older opened for reading). */
  private readonly selectGenerated: Statement | undefined;
  private readonly selectClient: Statement | undefined;
  /**
   * Whether the log had version 4 or older when opened for serving, until its first catch-up (its
   * journal files before the indexed position were copied whole and can go).
   */
  private upgrading: boolean;
  private readonly lines: _JournalLines;
  /** `_<session>.`: the event ids this log generates, after the first session it started. */
  private idPrefix: string | undefined;
  private nextSeq = 0;
  /** The id {@link newEventId} returned last, until its decision is appended, and its number. */
  private generatedId: string | undefined;
  private generatedSeq = -1;

  /** Rows a reader found in the journal, past what the database held when it opened. */
  private tail: _Tail | undefined;
  /** Whether appends wait for an fdatasync of the journal (durability "disk"); read on the first append. */
  fsync = true;
  /** Journal size at which the next generation starts (bytes); read on the first append. */
  rotateBytes = JOURNAL_ROTATE_BYTES;
  /** See {@link _UnindexedRows.maxRows}. */
  get maxUnindexedRows(): number {
    return this.pending.maxRows;
  }
  set maxUnindexedRows(rows: number) {
    this.pending.maxRows = rows;
  }
  /** Commits of the indexer thread so far. */
  transactions = 0;
  /** The last error of the indexer thread (it retries every second), if any. */
  indexerError: string | undefined;

  private constructor(path: string, dir: string, opened: { db: _Db; version: number; serve: boolean }) {
    this.path = path;
    this.dir = dir;
    const db = opened.db;
    this.db = db;
    this.upgrading = opened.serve && opened.version < 5;
    this.lines = new _JournalLines(dir);
    this.selectDecision = db.prepare("SELECT * FROM decisions WHERE event_id = ?");
    this.selectDeadline = db.prepare("SELECT deadline_ms FROM decisions WHERE event_id = ?");
    this.selectRewarded = db.prepare("SELECT 1 AS x FROM rewards WHERE event_id = ?");
    if (opened.serve || opened.version >= 5) {
      this.selectGenerated = db.prepare(
        "SELECT gen, at, deadline_ms FROM generated_decisions WHERE session = ? AND n = ?",
      );
      this.selectClient = db.prepare("SELECT gen, at, deadline_ms FROM client_decisions WHERE event_id = ?");
    }
  }

  /**
   * Open the log in `dir`. With `serve`, make the folder and the log when missing, index the journal
   * a previous server left and remove it; without, open it for reading (the journal's rows past the
   * indexed ones are read too, and nothing is changed).
   * @throws ServeError `LOG_INVALID` (no log there when reading, another format, a journal line that
   * is not a record before the last one), `LOG_UNAVAILABLE` (cannot be opened)
   */
  static open(dir: string, serve: boolean): _DecisionLog {
    const { path, db, version } = _openDatabase(dir, serve);
    const log = new _DecisionLog(path, dir, { db, version, serve });
    try {
      if (serve) log.catchUp();
      else log.tail = _readTail(dir, db);
    } catch (error) {
      db.close();
      if (ServeError.is(error)) throw error;
      throw new ServeError(
        "LOG_UNAVAILABLE",
        `${dir}: cannot read the decision log's journal: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return log;
  }

  /**
   * Index every journal generation a previous server left past the indexed position (fdatasynced
   * first: the index points into them), pick the next. Upgrading a log of version 4 or older, remove
   * the generations it had copied whole (those before the position, left by a crash before their
   * removal).
   */
  private catchUp(): void {
    const { committer, indexRows } = _journalFunctions();
    const commit = committer(this.db);
    const start = _indexedPosition(this.db);
    const gens = _journalGens(this.dir);
    if (this.upgrading) _removeJournals(this.dir, start.gen - 1);
    this.upgrading = false;
    let last = start.gen - 1;
    gens.forEach((gen, i) => {
      if (gen < start.gen) return;
      const parsed = _readJournal(this.dir, gen, gen === start.gen ? start.offset : 0, i < gens.length - 1);
      if (parsed.ends.length > 0) {
        _syncJournal(this.dir, gen);
        commit(indexRows(parsed, gen), gen, parsed.end);
      }
      last = gen;
    });
    this.nextGen = Math.max(last, start.gen) + 1;
    commit({ generated: [], clients: [], rewards: [] }, this.nextGen, 0);
  }

  /**
   * A new event id, `_<session>.<n>` (the first session this log started, n = 0, 1, …), for a
   * decision the caller appends next: such decisions are held until indexed as a number in a ring
   * (see {@link _UnindexedRows}). Clients cannot send ids starting with `_`.
   */
  newEventId(): string {
    if (this.idPrefix === undefined) throw new ServeError("INTERNAL", "no serving session was started");
    this.generatedSeq = this.nextSeq++;
    this.generatedId = `${this.idPrefix}${this.generatedSeq}`;
    return this.generatedId;
  }

  /**
   * The decision with this event id that the event loop holds until it is indexed: its row, or its
   * reward deadline alone (an id this log generated, held in the ring, or another generated-looking
   * id; see {@link _UnindexedRows}).
   */
  private held(eventId: string): _DecisionRow | number | undefined {
    const prefix = this.idPrefix;
    if (prefix !== undefined && eventId.startsWith(prefix)) {
      const tail = eventId.slice(prefix.length);
      const deadline = /^(0|[1-9][0-9]{0,14})$/.test(tail)
        ? this.pending.generatedDeadline(Number(tail))
        : undefined;
      if (deadline !== undefined) return deadline;
    }
    return this.pending.decisions.get(eventId);
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
        const id = Number(info.lastInsertRowid);
        this.idPrefix ??= `_${id}.`;
        return id;
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

  /**
   * The decision with this event id, indexed or still in the journal, and whether it has a reward.
   * Synchronous, so that the server's check of a client's event id and its append happen in one
   * turn. A generated id's decision not yet indexed is kept as its deadline alone (see
   * {@link _UnindexedRows.decisions}): asking for it throws `INTERNAL` (the server never does: client ids cannot
   * look like generated ones; {@link rewardState} has it, and {@link whenIndexed} makes it findable).
   */
  find(eventId: string): _DecisionState | undefined {
    const pending = this.held(eventId);
    if (typeof pending === "object") return { row: pending, rewarded: this.pending.rewards.has(eventId) };
    if (pending !== undefined)
      throw new ServeError(
        "INTERNAL",
        `decision ${JSON.stringify(eventId)} is in the journal and not yet indexed; wait for the index to read it`,
      );
    const at = this.positionOf(eventId);
    if (at !== undefined) {
      this.lines.forget(); // the journal grows: read the line as it is now
      return { row: this.lines.decision(at.gen, at.at, eventId), rewarded: this.rewarded(eventId) };
    }
    const r = this.selectDecision.get(eventId) as Record<string, unknown> | undefined;
    if (r === undefined) return undefined;
    return { row: _decisionOf(r), rewarded: this.rewarded(eventId) };
  }

  /** Where the index puts the decision with this event id (its journal line), if it does. */
  private positionOf(eventId: string): { gen: number; at: number; deadlineMs: number } | undefined {
    const key = _journalFunctions().generatedKey(eventId);
    const r = (key === null ? this.selectClient?.get(eventId) : this.selectGenerated?.get(key[0], key[1])) as
      | { gen: number; at: number; deadline_ms: number }
      | undefined;
    return r === undefined
      ? undefined
      : { gen: Number(r.gen), at: Number(r.at), deadlineMs: Number(r.deadline_ms) };
  }

  /** The reward deadline of the decision with this event id and whether it has a reward. */
  rewardState(eventId: string): _RewardState | undefined {
    const pending = this.held(eventId);
    if (pending !== undefined) {
      const deadlineMs = typeof pending === "number" ? pending : pending.deadlineMs;
      return { deadlineMs, rewarded: this.pending.rewards.has(eventId) };
    }
    const at = this.positionOf(eventId);
    if (at !== undefined) return { deadlineMs: at.deadlineMs, rewarded: this.rewarded(eventId) };
    const r = this.selectDeadline.get(eventId) as { deadline_ms: number | bigint } | undefined;
    return r === undefined
      ? undefined
      : { deadlineMs: Number(r.deadline_ms), rewarded: this.rewarded(eventId) };
  }

  private rewarded(eventId: string): boolean {
    return this.pending.rewards.has(eventId) || this.selectRewarded.get(eventId) !== undefined;
  }

  /** Append a decision; resolves once the journal holds it (see {@link _JournalAppender}). */
  appendDecision(d: _DecisionRow): Promise<void> {
    if (this.closed) return Promise.reject(new ServeError("SHUTTING_DOWN", "the decision log is closed"));
    const appender = this.appender ?? this.startAppending();
    if (d.eventId === this.generatedId) {
      const seq = this.generatedSeq;
      this.generatedId = undefined;
      this.pending.addGenerated(seq, d.deadlineMs);
      return this.pending.bounded(appender.append(_decisionLine(d), seq, null));
    }
    this.pending.addDecision(d);
    return this.pending.bounded(appender.append(_decisionLine(d), d.eventId, null));
  }

  /** Append a reward; resolves once the journal holds it. */
  appendReward(r: _RewardRow): Promise<void> {
    if (this.closed) return Promise.reject(new ServeError("SHUTTING_DOWN", "the decision log is closed"));
    this.pending.rewards.add(r.eventId);
    return this.pending.bounded(
      (this.appender ?? this.startAppending()).append(_rewardLine(r), null, r.eventId),
    );
  }

  /** Rows in the journal not yet indexed, and whether the indexer's last attempt failed. */
  stats(): { unindexed: number; indexerFailing: boolean } {
    return {
      unindexed: this.pending.count,
      indexerFailing: this.indexerError !== undefined,
    };
  }

  /** Resolves once the indexer thread has indexed every row appended so far. */
  whenIndexed(): Promise<void> {
    if (this.appender === undefined || this.appender.unindexedCount === 0) return Promise.resolve();
    this.hurryIndexer();
    return new Promise((resolve) => this.caughtUp.push(resolve));
  }

  /**
   * Let the indexer thread commit without its pause until nothing waits for it (a flag it reads
   * before each pause, so a wake-up cannot be lost while it is busy; cleared when the waits end).
   */
  private hurryIndexer(): void {
    Atomics.store(this.shared, SHARED.sleep, 1);
    Atomics.notify(this.shared, SHARED.sleep);
  }

  /** The journal file and the indexer thread, started on the first append. */
  private startAppending(): _JournalAppender {
    Atomics.store(this.shared, SHARED.gen, this.nextGen);
    const appender = new _JournalAppender(this.dir, this.nextGen, {
      fsync: this.fsync,
      shared: this.shared,
      failed: (batch) => this.pending.forget(batch, true),
    });
    appender.rotateBytes = this.rotateBytes;
    this.appender = appender;
    this.startIndexer(_indexedPosition(this.db));
    return appender;
  }

  private startIndexer(from: _JournalPosition): void {
    const indexer = new Worker(INDEXER_SOURCE, {
      eval: true,
      workerData: {
        binding: _bindingPath(),
        path: this.path,
        dir: this.dir,
        fsync: this.fsync,
        shared: this.shared.buffer,
        gen: from.gen,
        offset: from.offset,
        delayMs: INDEXER_DELAY_MS,
        nice: INDEXER_NICE,
        yieldMs: INDEXER_YIELD_MS,
      },
    });
    indexer.unref();
    indexer.on("message", (message: { gen: number; offset: number } | { error: string }) => {
      if ("error" in message) {
        this.indexerError = message.error;
        this.pending.release(true); // acknowledged rows are safe in the journal: no append waits on a failing indexer
        return;
      }
      this.transactions++;
      this.indexerError = undefined;
      for (const batch of this.appender?.indexed(message) ?? []) this.pending.forget(batch, false);
      this.pending.release(false);
      if (this.appender?.unindexedCount === 0) for (const resolve of this.caughtUp.splice(0)) resolve();
      if (this.caughtUp.length === 0 && !this.pending.waits) Atomics.store(this.shared, SHARED.sleep, 0);
    });
    this.indexerExit = new Promise<void>((resolve) => {
      indexer.once("exit", () => resolve());
    });
    indexer.on("error", (error) => {
      // rows stay in the journal and in memory; a new thread starts from the indexed position
      this.indexerError = error.message;
      this.pending.release(true);
      if (!this.closed) this.startIndexer(_indexedPosition(this.db));
    });
    this.indexer = indexer;
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

  /**
   * Every decision in log order (those a log of version 4 or older copied whole, those indexed in the
   * journal, then those still past the index), with its reward when it has one.
   */
  joined(): Generator<{ decision: _DecisionRow; reward: _RewardRow | undefined }> {
    return _joinedRows(this.db, {
      lines: this.lines,
      positions: this.selectGenerated !== undefined,
      tail: this.tail,
    });
  }

  /** Counts of decisions and rewards (indexed and, for a reader, still in the journal). */
  counts(): { decisions: number; rewards: number } {
    return _countRows(this.db, this.selectGenerated !== undefined, this.tail);
  }

  /** Close a log opened for reading. */
  closeReader(): void {
    this.closed = true;
    this.lines.close();
    if (this.db.inTransaction) this.db.exec("COMMIT");
    this.db.close();
  }

  /**
   * Write what is queued, let the indexer thread copy the whole journal and stop, remove the
   * journal, close the connection.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.close();
    await this.appender?.close();
    Atomics.store(this.shared, SHARED.closing, 1);
    Atomics.notify(this.shared, SHARED.closing);
    Atomics.notify(this.shared, SHARED.appended);
    Atomics.notify(this.shared, SHARED.sleep);
    this.indexer?.ref(); // keep the process alive until it has drained the journal
    await this.indexerExit;
    try {
      this.catchUp();
    } finally {
      this.lines.close();
      this.db.close();
    }
  }
}
