import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  write,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { ServeError } from "../errors.js";
import { _journalFunctions, _journalName, type _ParsedJournal } from "./_indexer-source.js";
import type { _DecisionRow, _RewardRow } from "./_rows.js";

/** Size at which the event loop starts the journal's next generation (64 MiB). */
export const JOURNAL_ROTATE_BYTES = 64 * 1024 * 1024;

/**
 * Zeros laid ahead of a journal file's end at a time (8 MiB, at most the rotation size): the next are
 * laid when less than half of the last are left, until the rotation size.
 */
const FILL_BYTES = 8 * 1024 * 1024;
/**
 * Bytes of zeros per write (32 KiB): a write holds the file's lock, which the event loop's writes
 * wait for, so they are laid in short writes one after the other.
 */
const FILL_PIECE = 32 * 1024;
const zeros = Buffer.alloc(FILL_PIECE);
const zerosOf = (bytes: number): Buffer => (bytes <= FILL_PIECE ? zeros : Buffer.alloc(bytes));

/** Cut a journal file at the end of its records (the zeros laid past them go; a failure leaves them). */
function cut(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
  } catch {}
}

/** Slots of the memory shared with the indexer thread. @internal */
export const SHARED = { appended: 0, gen: 1, closing: 2, sleep: 3, length: 4 } as const;

/**
 * Appends gathered in one event-loop turn: their journal lines, event ids (those the log generated as
 * the range of their sequence numbers) and one promise. @internal
 */
export interface _JournalBatch {
  readonly lines: string[];
  readonly decisionIds: string[];
  readonly rewardIds: string[];
  /** Sequence numbers of the batch's decisions under generated event ids: `[generatedFrom, generatedEnd)`. */
  generatedFrom: number;
  generatedEnd: number;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function newBatch(): _JournalBatch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    lines: [],
    decisionIds: [],
    rewardIds: [],
    generatedFrom: -1,
    generatedEnd: -1,
    done,
    resolve,
    reject,
  };
}

/** A journal position: generation and byte offset in its file. @internal */
export interface _JournalPosition {
  readonly gen: number;
  readonly offset: number;
}

/** Journal generations present in a log folder, ascending. @internal */
export function _journalGens(dir: string): number[] {
  const gens: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^journal-(\d{6,})\.jsonl$/.exec(name);
    if (m !== null) gens.push(Number(m[1]));
  }
  return gens.sort((a, b) => a - b);
}

/**
 * The complete records of one journal file from `offset` on, up to its first zero byte (the zeros laid
 * ahead of its end; no record holds one). A line that is not a record ends the file when nothing
 * complete follows it (the torn tail of a write that was never acknowledged); anywhere else it is
 * `LOG_INVALID`.
 * @internal
 */
export function _readJournal(dir: string, gen: number, offset: number, strict: boolean): _ParsedJournal {
  const file = join(dir, _journalName(gen));
  const bytes = readFileSync(file);
  const zero = bytes.indexOf(0, offset);
  const end = zero < 0 ? bytes.length : zero;
  const text = bytes.toString("utf8", offset, end);
  const parsed = _journalFunctions().parseJournal(text, offset);
  if (strict && parsed.torn !== null) {
    const after = bytes.indexOf(10, parsed.end + Buffer.byteLength(parsed.torn) + 1);
    if (after >= 0 && after < end)
      throw new ServeError(
        "LOG_INVALID",
        `${file}: the line at byte ${parsed.end} is not a decision or reward record: ${JSON.stringify(parsed.torn.slice(0, 80))}`,
      );
  }
  return parsed;
}

/**
 * The event loop's side of the journal: every append of one event-loop turn becomes one `write` to
 * the current generation's file, at its end, and is acknowledged when it returns, or with `fsync`
 * when an `fdatasync` that started after it returns (group commit: one runs at a time, the next
 * covers every batch written meanwhile). The file's records end at its first zero byte: a libuv
 * thread lays zeros ahead of the end (8 MiB at a time, fdatasynced with `fsync`), so that a write
 * overwrites blocks the file already has instead of growing it (growing a file made the event loop's
 * write wait for the file system's journal, about a fifth of a decision's time under load); a batch
 * that would reach zeros still being laid waits for them. A write that fails or comes back short is
 * zeroed again and its batch fails alone; a failed `fdatasync` fails its batches and every later
 * append (what was written may not be on disk: restart on the log). Batches written and not yet
 * indexed are kept, in order, until the indexer passes them.
 * @internal
 */
export class _JournalAppender {
  gen: number;
  private fd: number;
  private size = 0;
  private queue: _JournalBatch | undefined;
  private scheduled = false;
  private readonly unindexed: { gen: number; end: number; batch: _JournalBatch }[] = [];
  private syncWaiting: _JournalBatch[] = [];
  private syncing = false;
  private idle: (() => void) | undefined;
  private broken: string | undefined;
  /** Bytes of the file laid with zeros; where the piece of zeros being laid starts (while `filling`). */
  private filledTo = 0;
  private fillFrom = 0;
  private filling = false;
  private fillFailed = false;
  private fillDone: (() => void) | undefined;
  /** Files moved on from while zeros were being laid in them: closed (and cut at `size`) once laid. */
  private retired: { fd: number; size: number }[] = [];
  /** Start a new generation at this size (bytes). */
  rotateBytes = JOURNAL_ROTATE_BYTES;

  constructor(
    private readonly dir: string,
    gen: number,
    private readonly options: {
      readonly fsync: boolean;
      readonly shared: Int32Array;
      readonly failed: (batch: _JournalBatch) => void;
    },
  ) {
    this.gen = gen;
    this.fd = this.create(gen);
  }

  private create(gen: number): number {
    const fd = openSync(join(this.dir, _journalName(gen)), "wx");
    if (this.options.fsync) {
      const folder = openSync(this.dir, "r");
      try {
        fsyncSync(folder);
      } finally {
        closeSync(folder);
      }
    }
    return fd;
  }

  /**
   * Queue one journal line; resolves once written (and synced with `fsync`).
   * @param decision - the decision's event id, or the sequence number of a generated one (ascending)
   */
  append(line: string, decision: string | number | null, rewardId: string | null): Promise<void> {
    let batch = this.queue;
    if (batch === undefined) {
      batch = this.queue = newBatch();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    batch.lines.push(line);
    if (typeof decision === "string") batch.decisionIds.push(decision);
    else if (decision !== null) {
      if (batch.generatedFrom < 0) batch.generatedFrom = decision;
      batch.generatedEnd = decision + 1;
    }
    if (rewardId !== null) batch.rewardIds.push(rewardId);
    return batch.done;
  }

  private fail(batch: _JournalBatch, message: string): void {
    this.options.failed(batch);
    batch.reject(new ServeError("LOG_WRITE_FAILED", `the decision log could not write: ${message}`));
  }

  /**
   * Lay zeros after the end of the file (from the larger of the end and what is laid already) on a
   * libuv thread, {@link FILL_PIECE} bytes per write, when less than half of a fill is left and the
   * file is short of the rotation size; after a failure, never again (the writes then grow the file).
   */
  private fill(): void {
    const chunk = Math.min(FILL_BYTES, this.rotateBytes);
    if (this.filling || this.fillFailed || this.broken !== undefined) return;
    if (this.filledTo - this.size >= chunk / 2 || this.filledTo >= this.rotateBytes + chunk) return;
    const fd = this.fd;
    const gen = this.gen;
    const end = Math.max(this.filledTo, this.size) + chunk;
    this.filling = true;
    const done = (error: NodeJS.ErrnoException | null): void => {
      this.filling = false;
      for (const old of this.retired.splice(0)) {
        cut(old.fd, old.size);
        try {
          closeSync(old.fd);
        } catch {}
      }
      if (error !== null) this.fillFailed = true;
      this.fillDone?.();
      // a batch queued with no flush scheduled waits for zeros (see flush)
      if (this.queue !== undefined && !this.scheduled) this.flush();
      else this.fill();
    };
    const piece = (from: number): void => {
      if (gen !== this.gen) {
        done(null); // the journal moved on to its next file meanwhile
        return;
      }
      this.fillFrom = from;
      const bytes = Math.min(FILL_PIECE, end - from);
      write(fd, zerosOf(bytes), 0, bytes, from, (error) => {
        if (gen !== this.gen || error !== null || this.fillFailed) {
          done(gen !== this.gen ? null : error);
          return;
        }
        this.filledTo = from + bytes;
        this.fillFrom = from + bytes; // no zeros being laid until the next piece starts
        if (this.queue !== undefined && !this.scheduled) this.flush(); // a batch waited for this piece
        if (from + bytes < end) piece(from + bytes);
        else if (this.options.fsync) fdatasync(fd, done);
        else done(null);
      });
    };
    piece(Math.max(this.filledTo, this.size));
  }

  /** Write the queued batch (one event-loop turn's appends). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch === undefined) return;
    this.queue = undefined;
    if (this.broken !== undefined) {
      this.fail(batch, this.broken);
      return;
    }
    try {
      if (this.size >= this.rotateBytes && !this.syncing) this.rotate();
    } catch (error) {
      this.broken = `cannot start the next journal file: ${(error as Error).message}`;
      this.fail(batch, this.broken);
      return;
    }
    const text = batch.lines.length === 1 ? batch.lines[0]! : batch.lines.join("");
    const bytes = Buffer.byteLength(text);
    if (this.filling && this.size + bytes > this.fillFrom) {
      this.queue = batch; // written once the zeros it would reach are laid (see fill)
      return;
    }
    try {
      const n = writeSync(this.fd, text, this.size);
      if (n !== bytes) {
        try {
          writeSync(this.fd, zerosOf(n), 0, n, this.size);
        } catch (error) {
          this.broken = `a short write could not be zeroed again: ${(error as Error).message}`;
        }
        this.fail(batch, `short write (${n} of ${bytes} bytes)`);
        return;
      }
    } catch (error) {
      this.fail(batch, (error as Error).message);
      return;
    }
    this.size += bytes;
    this.fill();
    batch.lines.length = 0; // written: only the event ids are kept until the indexer passes them
    this.unindexed.push({ gen: this.gen, end: this.size, batch });
    const shared = this.options.shared;
    Atomics.add(shared, SHARED.appended, 1);
    Atomics.notify(shared, SHARED.appended);
    if (!this.options.fsync) {
      batch.resolve();
      return;
    }
    this.syncWaiting.push(batch);
    if (!this.syncing) this.sync();
  }

  private sync(): void {
    const waiting = this.syncWaiting;
    this.syncWaiting = [];
    this.syncing = true;
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      if (error !== null) this.broken ??= `fdatasync failed: ${error.message}`;
      for (const batch of waiting) {
        if (error === null) batch.resolve();
        else this.fail(batch, `fdatasync failed: ${error.message}`);
      }
      if (this.syncWaiting.length > 0) this.sync();
      else this.idle?.();
    });
  }

  /** Close this generation's file and append to the next (no fdatasync is running). */
  private rotate(): void {
    const next = this.create(this.gen + 1);
    // the file keeps its records for good, not the zeros laid past them
    if (this.filling)
      this.retired.push({ fd: this.fd, size: this.size }); // once its zeros are laid (see fill)
    else {
      cut(this.fd, this.size);
      closeSync(this.fd);
    }
    this.fd = next;
    this.gen++;
    this.size = 0;
    this.filledTo = 0;
    this.fillFrom = Number.POSITIVE_INFINITY; // no zeros are being laid in the new file
    Atomics.store(this.options.shared, SHARED.gen, this.gen);
    Atomics.notify(this.options.shared, SHARED.appended);
  }

  /** Batches written and not yet indexed. */
  get unindexedCount(): number {
    return this.unindexed.length;
  }

  /** The batches the indexer has committed up to `position`, removed from the unindexed list. */
  indexed(position: _JournalPosition): _JournalBatch[] {
    let k = 0;
    const list = this.unindexed;
    while (k < list.length) {
      const u = list[k]!;
      if (u.gen > position.gen || (u.gen === position.gen && u.end > position.offset)) break;
      k++;
    }
    return list.splice(0, k).map((u) => u.batch);
  }

  /** Write what is queued, wait for the running fdatasync and zeros, close the file. */
  async close(): Promise<void> {
    this.fillFailed = true; // no more zeros
    if (this.filling) await new Promise<void>((resolve) => (this.fillDone = resolve));
    this.flush();
    if (this.syncing) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.broken === undefined) cut(this.fd, this.size); // the zeros laid past the records
    closeSync(this.fd);
  }
}

/**
 * `fdatasync` generation `gen`'s journal file: what the index will point into is on disk first.
 * @internal
 */
export function _syncJournal(dir: string, gen: number): void {
  const fd = openSync(join(dir, _journalName(gen)), "r");
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Remove every journal generation up to `upTo` (all of them indexed).
 * @internal
 */
export function _removeJournals(dir: string, upTo: number): void {
  for (const g of _journalGens(dir)) if (g <= upTo) unlinkSync(join(dir, _journalName(g)));
}

/**
 * A decision's journal line (log format 3: probability and default reward first; context and allowed
 * actions embedded as the JSON text they are). @internal
 */
export function _decisionLine(d: _DecisionRow): string {
  const id = JSON.stringify(d.eventId);
  const group = d.groupId === d.eventId ? id : JSON.stringify(d.groupId); // the group defaults to the event
  return `[2,${d.probability},${d.defaultReward ?? "null"},${id},${d.session},${group},${d.context},${d.allowed ?? "null"},${JSON.stringify(d.action)},${d.explored ? 1 : 0},${d.decidedMs},${d.deadlineMs}]\n`;
}

/** A reward's journal line (log format 3: the reward first). @internal */
export const _rewardLine = (r: _RewardRow): string =>
  `[3,${r.reward},${JSON.stringify(r.eventId)},${r.verified ? 1 : 0},${r.components ?? "null"},${r.rewardedMs}]\n`;

/** A row read from the journal, with the position after its line. @internal */
export interface _Positioned<T> {
  readonly row: T;
  readonly gen: number;
  readonly end: number;
}

/** Rows of parsed journal text as decision and reward rows, with the position after each. @internal */
export function _rowsOf(
  parsed: _ParsedJournal,
  gen: number,
): { decisions: _Positioned<_DecisionRow>[]; rewards: _Positioned<_RewardRow>[] } {
  const decisions: _Positioned<_DecisionRow>[] = [];
  const rewards: _Positioned<_RewardRow>[] = [];
  let d = 0;
  let r = 0;
  parsed.kinds.forEach((kind, i) => {
    const end = parsed.ends[i]!;
    if (kind === 0) {
      const v = parsed.decisions.slice(d * 11, ++d * 11);
      decisions.push({
        gen,
        end,
        row: {
          eventId: v[0] as string,
          session: v[1] as number,
          groupId: v[2] as string,
          context: v[3] as string,
          allowed: v[4] as string | null,
          action: v[5] as string,
          probability: v[6] as number,
          explored: v[7] === 1,
          decidedMs: v[8] as number,
          deadlineMs: v[9] as number,
          defaultReward: v[10] as number | null,
        },
      });
    } else {
      const v = parsed.rewards.slice(r * 5, ++r * 5);
      rewards.push({
        gen,
        end,
        row: {
          eventId: v[0] as string,
          reward: v[1] as number,
          verified: v[2] === 1,
          components: v[3] as string | null,
          rewardedMs: v[4] as number,
        },
      });
    }
  });
  return { decisions, rewards };
}
