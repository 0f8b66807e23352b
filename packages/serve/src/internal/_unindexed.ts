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
   * Decisions by event id. A decision whose event id the server generated (`_…`; clients cannot send
   * such ids, so no repeated request is ever compared with it) is kept as its reward deadline alone:
   * the reward endpoint needs nothing else, and a quarter of a second's rows kept whole cost the
   * event loop up to a tenth of its throughput in garbage collection. Client event ids keep the
   * whole row, which a repeated request is compared with.
   */
  readonly decisions = new Map<string, _DecisionRow | number>();
  /** Event ids of the rewards. */
  readonly rewards = new Set<string>();
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

  /** Decisions and rewards held. */
  get count(): number {
    return this.decisions.size + this.rewards.size;
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

  /** Forget the rows of a batch that is indexed or failed (lookups go to the database again). */
  forget(batch: _JournalBatch): void {
    for (const eventId of batch.decisionIds) this.decisions.delete(eventId);
    for (const eventId of batch.rewardIds) this.rewards.delete(eventId);
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
