import { domainsOf, isInDomain } from "./_domain.js";
import { toErrorInfo } from "./_error-info.js";
import { optimize } from "./_optimize.js";
import { TrialBook } from "./_pending-window.js";
import { createStream, deriveSeed } from "./_rng.js";
import { bad, type Config, headerOf } from "./_study-config.js";
import { channelFor } from "./_study-pruning.js";
import { replay } from "./_study-replay.js";
import { makeTrialHandle } from "./_trial-handle.js";
import {
  type Attempt,
  freezeRecord,
  interruptedError,
  newRecord,
  type TrialRecord,
} from "./_trial-record.js";
import { TunerError } from "./errors.js";
import type { Objective, TrialOutcome, TrialTask } from "./executor.js";
import { parameterImportance } from "./importance.js";
import type { Choice, Params } from "./search-space.js";
import type { StudyEvent, StudyStorage } from "./storage.js";
import type { OptimizeOptions, Study, TuningResult } from "./study-types.js";
import type { FrozenTrial, TellResult, Trial } from "./trial.js";

/**
 * The study: ask/tell over a {@link TrialBook}, every change appended to the storage. `optimize` (in
 * `_optimize.ts`), replay (`_study-replay.ts`) and reports/pruning (`_study-pruning.ts`) work on it;
 * users see it through the {@link Study} facade that `studyHandle` (study.ts) builds.
 */
export class StudyCore<P extends Params = Params> {
  readonly config: Config;
  readonly storage: StudyStorage;
  readonly book: TrialBook;
  /** How many trials the sampler can produce (a grid's size), else infinity. */
  readonly capacity: number;
  optimizing = false;
  closed = false;

  /**
   * @param events - the stored events to continue from, or `undefined` for a new study (whose header
   *   is written now)
   */
  constructor(config: Config, storage: StudyStorage, events: readonly StudyEvent[] | undefined) {
    this.config = config;
    this.storage = storage;
    this.book = new TrialBook(config.pendingWindow);
    this.capacity = config.sampler.size?.(config.space) ?? Number.POSITIVE_INFINITY;
    if (events === undefined) storage.append(headerOf(config), true);
    else replay(this, events);
  }

  // ---- state ----------------------------------------------------------------------------------

  assertOpen(fn: string): void {
    if (this.closed) throw new TunerError("INVALID_ARGUMENT", `study.${fn}: the study is closed`);
  }

  get trials(): readonly FrozenTrial<P>[] {
    return this.book.records.map((r) => (r.frozen ?? freezeRecord(r)) as FrozenTrial<P>);
  }

  get bestTrial(): FrozenTrial<P> | undefined {
    return this.book.best(this.config.direction) as FrozenTrial<P> | undefined;
  }

  /** An interrupted trial: queued for a retry, or failed once it has used up `maxRetries`. */
  park(rec: TrialRecord): void {
    if (this.config.onInterrupted === "retry" && rec.attempts <= this.config.maxRetries) {
      this.book.queueRetry(rec.number);
    } else {
      this.finish(rec, { state: "failed", error: interruptedError(rec) }, undefined, true);
    }
  }

  // ---- ask ------------------------------------------------------------------------------------

  canAsk(): boolean {
    if (this.closed) return false;
    const { book } = this;
    if (book.retryQueue.length > 0) return book.retryQueue.some((n) => book.visible(n));
    return book.size < this.capacity && book.visible(book.size);
  }

  ask(): Trial<P> {
    this.assertOpen("ask");
    const rec = this.nextRetry() ?? this.askNew("ask");
    const attempt = this.startAttempt(rec, "ask");
    return makeTrialHandle<P>(this.task(rec), channelFor(this, rec, attempt), attempt.controller.signal);
  }

  /** The lowest queued retry that is visible now, restarted; `undefined` if none. */
  nextRetry(): TrialRecord | undefined {
    const number = this.book.takeRetry();
    if (number === undefined) return undefined;
    const rec = this.book.records[number]!;
    rec.attempts++;
    rec.intermediate = [];
    rec.history = this.book.historyFor(number);
    rec.startedAt = performance.now();
    this.storage.append({ type: "retry", number, attempt: rec.attempts }, false);
    return rec;
  }

  /** A new trial, its parameters chosen by the sampler from what the pending window lets it see. */
  askNew(fn: string): TrialRecord {
    const { book } = this;
    const k = book.size;
    if (k >= this.capacity) {
      throw new TunerError(
        "SEARCH_EXHAUSTED",
        `study.${fn}: the sampler has no more points (${this.capacity} trials)`,
      );
    }
    if (!book.visible(k)) {
      throw new TunerError(
        "ASK_BLOCKED",
        `study.${fn}: trial ${k} must see the result of trial ${book.firstUnfinished}, which is still running (pendingWindow ${book.pendingWindow})`,
      );
    }
    const { space, direction, seed: studySeed, sampler } = this.config;
    const history = book.historyFor(k);
    const seed = deriveSeed(studySeed, "trial", k);
    const sampled = sampler.sample({
      space,
      direction,
      studySeed,
      number: k,
      rng: createStream(studySeed, "sampler", k),
      history,
      pending: book.pendingFor(k),
    });
    const params: Record<string, Choice> = {};
    for (const d of domainsOf(space)) {
      const v = sampled?.[d.name];
      if (!isInDomain(d, v)) {
        throw new TunerError(
          "INVALID_ARGUMENT",
          `sampler "${sampler.description.kind}" returned ${JSON.stringify(v)} for parameter "${d.name}", outside its domain`,
        );
      }
      params[d.name] = v as Choice;
    }
    const rec = newRecord(k, seed, Object.freeze(params));
    rec.history = history;
    book.add(rec);
    this.storage.append({ type: "ask", number: k, seed, params }, false);
    return rec;
  }

  startAttempt(rec: TrialRecord, owner: Attempt["owner"]): Attempt {
    const attempt: Attempt = { owner, controller: new AbortController() };
    rec.attempt = attempt;
    rec.startedAt = performance.now();
    return attempt;
  }

  task(rec: TrialRecord): TrialTask {
    return { number: rec.number, seed: rec.seed, params: rec.params };
  }

  // ---- tell -----------------------------------------------------------------------------------

  /** Records the outcome; `write` appends the `tell` event (not when replaying one). */
  finish(rec: TrialRecord, outcome: TrialOutcome, durationMs: number | undefined, write: boolean): void {
    rec.state = outcome.state;
    rec.value = outcome.state === "complete" ? outcome.value : undefined;
    rec.error = outcome.state === "failed" ? Object.freeze({ ...outcome.error }) : undefined;
    rec.durationMs = durationMs;
    rec.history = undefined;
    rec.attempt = undefined;
    rec.frozen = freezeRecord(rec);
    this.book.markFinished(rec.number, rec.frozen);
    if (write) {
      const { value, error } = rec;
      this.storage.append(
        {
          type: "tell",
          number: rec.number,
          state: outcome.state,
          ...(value === undefined ? {} : { value }),
          ...(error === undefined ? {} : { error }),
          ...(durationMs === undefined ? {} : { durationMs }),
        },
        true,
      );
    }
  }

  /** Milliseconds since the attempt started (rounded to the microsecond). */
  elapsed(rec: TrialRecord): number {
    return Math.max(0, Math.round((performance.now() - rec.startedAt) * 1000) / 1000);
  }

  tell(trial: Trial<P> | number, result: TellResult): FrozenTrial<P> {
    this.assertOpen("tell");
    const number = typeof trial === "number" ? trial : trial?.number;
    const rec = typeof number === "number" ? this.book.records[number] : undefined;
    if (rec === undefined) throw new TunerError("TRIAL_NOT_FOUND", `study.tell: no trial ${String(number)}`);
    if (rec.state !== "running" || this.book.retryQueue.includes(rec.number)) {
      throw new TunerError("TRIAL_FINISHED", `study.tell: trial ${rec.number} is not running (${rec.state})`);
    }
    this.finish(rec, tellOutcome(result), this.elapsed(rec), true);
    return rec.frozen as FrozenTrial<P>;
  }

  // ---- optimize and result --------------------------------------------------------------------

  optimize(
    objectiveOrOptions: Objective<P> | OptimizeOptions<P> | undefined,
    maybeOptions?: OptimizeOptions<P>,
  ): Promise<TuningResult<P>> {
    const objective = typeof objectiveOrOptions === "function" ? objectiveOrOptions : undefined;
    const options =
      typeof objectiveOrOptions === "function" || objectiveOrOptions === undefined
        ? (maybeOptions ?? {})
        : objectiveOrOptions;
    return optimize(this, objective as Objective | undefined, options as OptimizeOptions).then(() =>
      this.result(),
    );
  }

  result(): TuningResult<P> {
    const { name, direction, seed, pendingWindow, space, sampler, pruner } = this.config;
    const trials = this.trials;
    const counts = { complete: 0, pruned: 0, failed: 0, running: 0 };
    for (const t of trials) counts[t.state]++;
    return Object.freeze({
      name,
      direction,
      seed,
      pendingWindow,
      space: space.spec,
      sampler: sampler.description,
      pruner: pruner.description,
      trials,
      bestTrial: this.bestTrial,
      importance: parameterImportance(trials),
      counts: Object.freeze(counts),
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.storage.close();
  }
}

/** `tell`'s result as an outcome: a non-finite value is a failure (`INVALID_VALUE`). */
function tellOutcome(result: TellResult): TrialOutcome {
  const r = result as { state?: unknown; value?: unknown; error?: unknown } | number | null;
  const value = typeof r === "number" ? r : r?.state === "complete" ? r.value : undefined;
  if (typeof r === "number" || r?.state === "complete") {
    if (typeof value === "number" && Number.isFinite(value)) return { state: "complete", value };
    return {
      state: "failed",
      error: {
        name: "TunerError",
        code: "INVALID_VALUE",
        message: `study.tell: value ${value} is not finite`,
      },
    };
  }
  if (r?.state === "pruned") return { state: "pruned" };
  if (r?.state === "failed") {
    return {
      state: "failed",
      error: r.error === undefined ? { name: "Error", message: "failed" } : toErrorInfo(r.error),
    };
  }
  return bad(
    "study.tell",
    `result must be a number or { state: "complete" | "pruned" | "failed" }, got ${String(result)}`,
  );
}
