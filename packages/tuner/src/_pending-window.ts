import type { TrialRecord } from "./_trial-record.js";
import type { Direction, FrozenTrial, PendingTrial } from "./trial.js";

/**
 * The trials of a study by number, and what each may see. With pending window w, trial k sees the
 * results of trials 0 … k − 1 − w only, and trials k − w … k − 1 by their parameters alone; so trial k
 * can start once every trial below k − w is finished, and its sample never depends on which running
 * trial finished first.
 */
export class TrialBook {
  /** See `StudyOptions.pendingWindow`. */
  readonly pendingWindow: number;
  /** Every trial, by number. */
  readonly records: TrialRecord[] = [];
  /** Frozen finished trials by number (undefined while running). */
  private readonly finished: (FrozenTrial | undefined)[] = [];
  /** Lowest trial number that is not finished. */
  firstUnfinished = 0;
  /** Interrupted trials awaiting a retry, ascending. */
  readonly retryQueue: number[] = [];

  constructor(pendingWindow: number) {
    this.pendingWindow = pendingWindow;
  }

  /** Number of trials asked so far (the next trial's number). */
  get size(): number {
    return this.records.length;
  }

  /** Adds the next trial (its number must be `size`). */
  add(rec: TrialRecord): void {
    this.records.push(rec);
    this.finished.push(undefined);
  }

  /** Marks a trial finished with its frozen snapshot and moves `firstUnfinished` past finished trials. */
  markFinished(number: number, frozen: FrozenTrial): void {
    this.finished[number] = frozen;
    while (this.firstUnfinished < this.records.length && this.finished[this.firstUnfinished] !== undefined) {
      this.firstUnfinished++;
    }
  }

  /** Whether every trial numbered below `number - pendingWindow` is finished. */
  visible(number: number): boolean {
    return this.firstUnfinished >= number - this.pendingWindow;
  }

  /** The finished trials trial `number` sees: those numbered below `number - pendingWindow`. */
  historyFor(number: number): readonly FrozenTrial[] {
    const end = Math.max(0, number - this.pendingWindow);
    return Object.freeze(this.finished.slice(0, end) as FrozenTrial[]);
  }

  /** The trials between the visible ones and `number`: parameters known, results not visible. */
  pendingFor(number: number): PendingTrial[] {
    const pending: PendingTrial[] = [];
    for (let i = Math.max(0, number - this.pendingWindow); i < number; i++) {
      const r = this.records[i]!;
      pending.push({ number: r.number, params: r.params });
    }
    return pending;
  }

  /** Removes and returns the lowest queued retry that is visible now, if any. */
  takeRetry(): number | undefined {
    const i = this.retryQueue.findIndex((n) => this.visible(n));
    return i < 0 ? undefined : this.retryQueue.splice(i, 1)[0];
  }

  /** Queues an interrupted trial for a retry (the queue stays ascending). */
  queueRetry(number: number): void {
    this.retryQueue.push(number);
    this.retryQueue.sort((a, b) => a - b);
  }

  /** The complete trial with the best value (the lowest number among ties). */
  best(direction: Direction): FrozenTrial | undefined {
    let best: FrozenTrial | undefined;
    const sign = direction === "minimize" ? 1 : -1;
    for (const f of this.finished) {
      if (f?.state !== "complete") continue;
      if (best === undefined || sign * f.value! < sign * best.value!) best = f;
    }
    return best;
  }
}
