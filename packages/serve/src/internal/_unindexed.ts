import type { _JournalBatch } from "./_journal.js";
import type { _DecisionRow } from "./_rows.js";

/** Rows the journal may hold past the index before appends wait for the indexer (memory bound). */
const MAX_UNINDEXED_ROWS = 50_000;

/**
 * The decision log's rows that are in the journal and not yet in the database, as the event loop
 * keeps them for its lookups until the indexer thread passes them, and the bound on how many there
 * may be (see docs/serving.md, "Durability").
 * @internal
 */
export class _UnindexedRows {
  /**
   * Decisions by event id, other than those under ids the log handed out itself (in the ring below).
   * A generated-looking id (`_…`; clients cannot send such ids, so no repeated request is ever
   * compared with it) is kept as its reward deadline alone: the reward endpoint needs nothing else,
   * and a quarter of a second's rows kept whole cost the event loop up to a tenth of its throughput
   * in garbage collection. Client event ids keep the whole row, which a repeated request is compared
   * with.
   */
  readonly decisions = new Map<string, _DecisionRow | number>();
  /** Event ids of the rewards. */
  readonly rewards = new Set<string>();
  /**
   * Reward deadlines of the decisions under event ids the log generated, by sequence number, from
   * `first` to `next` (NaN where there is none: an id whose decision was never appended, or a failed
   * append): a ring of numbers instead of map entries, which cost the event loop their hashing, the
   * map's growing and shrinking (fresh memory each time) and garbage collection.
   */
  private ring = new Float64Array(1024);
  private ringStart = 0;
  private first = 0;
  private next = 0;
  /**
   * Rows (decisions and rewards) there may be: above it an append is acknowledged only once the
   * indexer has brought them down to half (not while it is failing).
   */
  maxRows = MAX_UNINDEXED_ROWS;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  /**
   * @param wake - wakes the indexer thread from its wait between commits
   * @param failing - whether the indexer's last attempt failed
   */
  constructor(
    private readonly wake: () => void,
    private readonly failing: () => boolean,
  ) {}

  /** Whether appends wait for the indexer. */
  get waits(): boolean {
    return this.waiting.length > 0;
  }

  /** Decisions and rewards held. */
  get count(): number {
    return this.decisions.size + this.rewards.size + (this.next - this.first);
  }

  private slot(seq: number): number {
    return (this.ringStart + seq - this.first) & (this.ring.length - 1);
  }

  /** Hold the deadline of the decision under the generated id with sequence number `seq` (ascending). */
  addGenerated(seq: number, deadlineMs: number): void {
    if (this.next === this.first) {
      this.first = seq;
      this.next = seq;
    }
    const size = seq + 1 - this.first;
    if (size > this.ring.length) {
      let length = this.ring.length * 2;
      while (length < size) length *= 2;
      const ring = new Float64Array(length);
      for (let s = this.first; s < this.next; s++) ring[s - this.first] = this.ring[this.slot(s)]!;
      this.ring = ring;
      this.ringStart = 0;
    }
    for (let s = this.next; s < seq; s++) this.ring[this.slot(s)] = Number.NaN;
    this.ring[this.slot(seq)] = deadlineMs;
    this.next = seq + 1;
  }

  /** The deadline held for the generated id with sequence number `seq`, if any. */
  generatedDeadline(seq: number): number | undefined {
    if (seq < this.first || seq >= this.next) return undefined;
    const deadline = this.ring[this.slot(seq)]!;
    return Number.isNaN(deadline) ? undefined : deadline;
  }

  /**
   * An append's promise (the journal holds its row once it resolves), which past {@link maxRows}
   * also waits until the indexer has brought the rows down to half.
   */
  bounded(written: Promise<void>): Promise<void> {
    if (this.count <= this.maxRows || this.failing()) return written;
    return written.then(() => {
      if (this.count <= this.maxRows / 2 || this.failing() || this.closed) return;
      this.wake();
      return new Promise<void>((resolve) => this.waiting.push(resolve));
    });
  }

  /** Hold a decision being appended (a generated id's as its deadline alone, see {@link decisions}). */
  addDecision(d: _DecisionRow): void {
    this.decisions.set(d.eventId, d.eventId.charCodeAt(0) === 95 ? d.deadlineMs : d); // "_": generated
  }

  /**
   * Forget the rows of a batch that is indexed, or failed (lookups go to the database again). The
   * generated ids of an indexed batch, and of every batch before it, leave the ring; a failed batch's
   * are only cleared (NaN), as the batches after them may still be held.
   */
  forget(batch: _JournalBatch, failed: boolean): void {
    for (const eventId of batch.decisionIds) this.decisions.delete(eventId);
    for (const eventId of batch.rewardIds) this.rewards.delete(eventId);
    if (batch.generatedEnd <= this.first) return;
    if (failed) {
      const end = Math.min(batch.generatedEnd, this.next);
      for (let s = Math.max(batch.generatedFrom, this.first); s < end; s++)
        this.ring[this.slot(s)] = Number.NaN;
      return;
    }
    const k = Math.min(batch.generatedEnd, this.next) - this.first;
    this.ringStart = (this.ringStart + k) & (this.ring.length - 1);
    this.first += k;
  }

  /**
   * Let the appends that wait go on: when the rows are down to half of {@link maxRows}, or with
   * `all` (the indexer failed: acknowledged rows are safe in the journal).
   */
  release(all: boolean): void {
    if (all || this.count <= this.maxRows / 2) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Release every waiting append, and let none wait from now on (the log is closing). */
  close(): void {
    this.closed = true;
    this.release(true);
  }
}
