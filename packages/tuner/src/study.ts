import { domainsOf, isInDomain } from "./_domain.js";
import { toErrorInfo } from "./_error-info.js";
import { stableStringify } from "./_json.js";
import { withDefaults } from "./_options.js";
import { createStream, deriveSeed, isValidSeed } from "./_rng.js";
import { makeTrialHandle } from "./_trial-handle.js";
import { TunerError } from "./errors.js";
import type { Executor, Objective, TrialChannel, TrialOutcome, TrialTask } from "./executor.js";
import { type ParamImportance, parameterImportance } from "./importance.js";
import { createInlineExecutor } from "./inline-executor.js";
import type { Pruner } from "./pruner.js";
import type { ComponentDescription, Sampler } from "./sampler.js";
import {
  type Choice,
  defineSearchSpace,
  type Params,
  type ParamsOf,
  type SearchSpace,
  type SearchSpaceSpec,
} from "./search-space.js";
import {
  createMemoryStorage,
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  type StudyEvent,
  type StudyHeaderEvent,
  type StudyStorage,
} from "./storage.js";
import {
  createPruner,
  createSampler,
  PRUNERS,
  type PrunerName,
  SAMPLERS,
  type SamplerName,
} from "./tables.js";
import type {
  Direction,
  FrozenTrial,
  IntermediateValue,
  PendingTrial,
  TellResult,
  Trial,
  TrialErrorInfo,
  TrialState,
} from "./trial.js";

/** What to do with trials that were running when their process stopped (found on load). */
export type InterruptedPolicy = "retry" | "fail";

/**
 * Defaults of {@link createStudy} and {@link loadStudy}, filled in there (`sampler` and `pruner` are
 * names in `SAMPLERS` and `PRUNERS`, built with their own defaults).
 */
export const STUDY_DEFAULTS = Object.freeze({
  direction: "minimize" as Direction,
  seed: 0,
  name: "study",
  pendingWindow: 7,
  sampler: "tpe" as SamplerName,
  pruner: "median" as PrunerName,
  onInterrupted: "retry" as InterruptedPolicy,
  maxRetries: 2,
  loadIfExists: false as boolean,
});

/** Default of {@link StudyOptions.pendingWindow} (`STUDY_DEFAULTS.pendingWindow`). */
export const DEFAULT_PENDING_WINDOW = STUDY_DEFAULTS.pendingWindow;

/** Options shared by {@link createStudy} and {@link loadStudy} for resuming. */
export interface ResumeOptions {
  /**
   * Trials found running in the storage (their process died, or `optimize` was aborted): `"retry"`
   * runs each again with the same number, parameters and seed, so a resumed study ends as an
   * uninterrupted one would; `"fail"` records them as failed (`TRIAL_INTERRUPTED`).
   * @defaultValue "retry"
   */
  readonly onInterrupted?: InterruptedPolicy;
  /**
   * How many times one trial may be restarted after interruptions; past that it is recorded as failed
   * (`TRIAL_INTERRUPTED`), so a trial that kills its process cannot loop forever.
   * @defaultValue 2
   */
  readonly maxRetries?: number;
}

/** Options of {@link createStudy}. */
export interface StudyOptions<P extends Params = Params> extends ResumeOptions {
  /** The search space (a {@link SearchSpace} or a spec, validated here). */
  readonly space: SearchSpace<P> | SearchSpaceSpec;
  /**
   * Whether smaller or larger objective values are better.
   * @defaultValue "minimize"
   */
  readonly direction?: Direction;
  /**
   * Study seed (a safe integer >= 0): every trial's seed and every sampler draw derive from it.
   * @defaultValue 0
   */
  readonly seed?: number;
  /**
   * The sampler.
   * @defaultValue `createTpeSampler()`
   */
  readonly sampler?: Sampler;
  /**
   * The pruner (consulted only when an objective calls `trial.shouldPrune()`).
   * @defaultValue `createMedianPruner()`
   */
  readonly pruner?: Pruner;
  /**
   * Where events are kept (`createJournalStorage(path)` to survive a crash).
   * @defaultValue `createMemoryStorage()`
   */
  readonly storage?: StudyStorage;
  /**
   * A label stored in the journal (and compared on load).
   * @defaultValue "study"
   */
  readonly name?: string;
  /**
   * How many immediately preceding trials a trial does not wait for. Trial k is sampled (and pruned)
   * from the results of trials 0 … k − 1 − pendingWindow only, with trials k − pendingWindow … k − 1
   * known by their parameters alone (TPE counts them as bad: constant liar). This is what makes runs
   * reproducible at any concurrency; up to `pendingWindow + 1` trials run at once, so raise it to use
   * more workers, or set 0 for strictly sequential TPE.
   * @defaultValue 7
   */
  readonly pendingWindow?: number;
  /**
   * When the storage already holds a study: load it (it must have the same configuration) instead of
   * throwing `STUDY_EXISTS`.
   * @defaultValue false
   */
  readonly loadIfExists?: boolean;
}

/** Options of {@link loadStudy}. */
export interface LoadStudyOptions extends ResumeOptions {
  /** The storage holding the study. */
  readonly storage: StudyStorage;
  /**
   * The sampler; must describe itself as the stored one. Built-in samplers are rebuilt from the
   * journal when omitted.
   * @defaultValue rebuilt from the stored description
   */
  readonly sampler?: Sampler;
  /**
   * The pruner; same rule as `sampler`.
   * @defaultValue rebuilt from the stored description
   */
  readonly pruner?: Pruner;
}

/** Options of {@link Study.optimize}. */
export interface OptimizeOptions<P extends Params = Params> {
  /**
   * Stop once the study holds this many trials in total (all states, counting trials from earlier
   * calls and from a loaded journal), so a resumed study given the same number ends where an
   * uninterrupted one would.
   * @defaultValue unbounded (then `timeoutMs`, `signal` or a finite grid must stop the run)
   */
  readonly trials?: number;
  /**
   * Start no new trial after this many milliseconds; running trials finish.
   * @defaultValue no limit
   */
  readonly timeoutMs?: number;
  /**
   * Trials run at once (at most `pendingWindow + 1` can make progress).
   * @defaultValue the executor's `concurrency`
   */
  readonly concurrency?: number;
  /**
   * Abort: running trials are stopped and left as interrupted (retried or failed on resume, per
   * `onInterrupted`), and `optimize` rejects with `ABORTED`.
   */
  readonly signal?: AbortSignal;
  /**
   * How trials run.
   * @defaultValue `createInlineExecutor()`, closed at the end
   */
  readonly executor?: Executor;
  /** Called after each trial finishes (in completion order; for progress display). */
  readonly onTrialFinished?: (trial: FrozenTrial<P>) => void;
}

/** Counts of trials by state. */
export interface TrialCounts {
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  readonly running: number;
}

/**
 * Everything a study produced. JSON-safe; apart from each trial's `durationMs` it is a function of
 * the configuration and the objective's values, whatever the concurrency.
 */
export interface TuningResult<P extends Params = Params> {
  /** Study name. */
  readonly name: string;
  /** Optimisation direction. */
  readonly direction: Direction;
  /** Study seed. */
  readonly seed: number;
  /** See {@link StudyOptions.pendingWindow}. */
  readonly pendingWindow: number;
  /** The search space. */
  readonly space: SearchSpaceSpec;
  /** The sampler's description. */
  readonly sampler: ComponentDescription;
  /** The pruner's description. */
  readonly pruner: ComponentDescription;
  /** Every trial, by number. */
  readonly trials: readonly FrozenTrial<P>[];
  /** The complete trial with the best value (the lowest number among ties), if any. */
  readonly bestTrial: FrozenTrial<P> | undefined;
  /** Per-parameter importance, see `parameterImportance`. */
  readonly importance: readonly ParamImportance[];
  /** Counts by state. */
  readonly counts: TrialCounts;
}

/**
 * A hyperparameter study: ask/tell underneath, `optimize` on top. Trial k's seed and parameters are a
 * function of the study seed, k and the trials visible to it (see {@link StudyOptions.pendingWindow}).
 */
export interface Study<P extends Params = Params> {
  /** Study name. */
  readonly name: string;
  /** Optimisation direction. */
  readonly direction: Direction;
  /** Study seed. */
  readonly seed: number;
  /** The search space. */
  readonly space: SearchSpace<P>;
  /** See {@link StudyOptions.pendingWindow}. */
  readonly pendingWindow: number;
  /** The sampler. */
  readonly sampler: Sampler;
  /** The pruner. */
  readonly pruner: Pruner;
  /** Snapshot of every trial, by number. */
  readonly trials: readonly FrozenTrial<P>[];
  /** The best complete trial, if any. */
  readonly bestTrial: FrozenTrial<P> | undefined;
  /**
   * Start the next trial: an interrupted trial awaiting its retry if any, else a new one whose
   * parameters the sampler chooses now.
   * @throws {@link TunerError} `ASK_BLOCKED` when a trial it must see (numbered below
   *   `number - pendingWindow`) is still running; `SEARCH_EXHAUSTED` when the sampler has no more points
   */
  ask(): Trial<P>;
  /** Whether {@link Study.ask} would succeed now. */
  canAsk(): boolean;
  /**
   * Finish a running trial.
   * @param trial - the trial (or its number)
   * @param result - a value, or `{ state: "pruned" }`, or `{ state: "failed", error }`; a non-finite
   *   value records the trial as failed (`INVALID_VALUE`)
   * @returns the finished trial
   * @throws {@link TunerError} `TRIAL_NOT_FOUND`, `TRIAL_FINISHED`
   */
  tell(trial: Trial<P> | number, result: TellResult): FrozenTrial<P>;
  /**
   * Run trials until `trials`, `timeoutMs`, `signal` or the sampler's end: ask, run with the executor,
   * tell, keeping up to `concurrency` trials in flight.
   * @param objective - the function to optimise (optional when the executor carries its own objective,
   *   like the worker pool)
   * @param options - see {@link OptimizeOptions}
   * @returns the study's {@link TuningResult}
   * @throws {@link TunerError} `ABORTED` (signal), `OBJECTIVE_LOAD_FAILED`, `INVALID_ARGUMENT`
   */
  optimize(objective: Objective<P> | undefined, options?: OptimizeOptions<P>): Promise<TuningResult<P>>;
  /** Same as `optimize(undefined, options)`, for executors that carry their objective. */
  optimize(options: OptimizeOptions<P>): Promise<TuningResult<P>>;
  /** The study's {@link TuningResult} now. */
  result(): TuningResult<P>;
  /** Close the storage. The study can still be read but not changed. */
  close(): void;
}

interface TrialRecord {
  readonly number: number;
  readonly seed: number;
  readonly params: Params;
  state: TrialState;
  value: number | undefined;
  intermediate: IntermediateValue[];
  error: TrialErrorInfo | undefined;
  durationMs: number | undefined;
  attempts: number;
  frozen: FrozenTrial | undefined;
  /** Visible finished trials (fixed at ask/retry time). */
  history: readonly FrozenTrial[] | undefined;
  startedAt: number;
  /** The current attempt: reports and pruning questions from another (stale) attempt are refused. */
  attempt: Attempt | undefined;
}

interface Attempt {
  /** Who runs it: `ask()` (the caller tells) or `optimize` (interrupted if still running at its end). */
  readonly owner: "ask" | "optimize";
  readonly controller: AbortController;
}

interface Config {
  readonly name: string;
  readonly seed: number;
  readonly direction: Direction;
  readonly pendingWindow: number;
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly onInterrupted: InterruptedPolicy;
  readonly maxRetries: number;
}

function bad(fn: string, message: string): never {
  throw new TunerError("INVALID_ARGUMENT", `${fn}: ${message}`);
}

function isSampler(value: unknown): value is Sampler {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Sampler).sample === "function" &&
    typeof (value as Sampler).description?.kind === "string"
  );
}

function isPruner(value: unknown): value is Pruner {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Pruner).prune === "function" &&
    typeof (value as Pruner).description?.kind === "string"
  );
}

function resumeOptions(
  fn: string,
  options: ResumeOptions,
): { onInterrupted: InterruptedPolicy; maxRetries: number } {
  const { onInterrupted, maxRetries } = withDefaults(STUDY_DEFAULTS, options);
  if (onInterrupted !== "retry" && onInterrupted !== "fail") {
    bad(fn, `onInterrupted must be "retry" or "fail", got ${String(onInterrupted)}`);
  }
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    bad(fn, `maxRetries must be an integer >= 0, got ${String(maxRetries)}`);
  }
  return { onInterrupted, maxRetries };
}

/**
 * Create a study, or load the one in `options.storage` when `loadIfExists` is set.
 * @example
 * ```ts
 * const study = createStudy({ space, direction: "minimize", seed: 42, sampler: createTpeSampler() });
 * const result = await study.optimize(async (p, trial) => train(p, trial), { trials: 50 });
 * ```
 * @param options - see {@link StudyOptions}
 * @returns the study
 * @throws {@link TunerError} `INVALID_ARGUMENT`, `INVALID_SEARCH_SPACE`, `STUDY_EXISTS`,
 *   `STUDY_MISMATCH`, `JOURNAL_CORRUPT`, `JOURNAL_IO`
 */
export function createStudy<const S extends SearchSpaceSpec>(
  options: Omit<StudyOptions, "space"> & { readonly space: S },
): Study<ParamsOf<S>>;
export function createStudy<P extends Params>(options: StudyOptions<P>): Study<P>;
export function createStudy<P extends Params>(options: StudyOptions<P>): Study<P> {
  const fn = "createStudy";
  if (typeof options !== "object" || options === null) bad(fn, "options must be an object");
  const space = defineSearchSpace(options.space as SearchSpace) as SearchSpace<P>;
  const o = withDefaults(STUDY_DEFAULTS, options);
  const { direction, seed, name, pendingWindow } = o;
  if (direction !== "minimize" && direction !== "maximize") {
    bad(fn, `direction must be "minimize" or "maximize", got ${String(direction)}`);
  }
  if (!isValidSeed(seed)) bad(fn, `seed must be a safe integer >= 0, got ${String(seed)}`);
  const sampler = options.sampler ?? createSampler(STUDY_DEFAULTS.sampler);
  if (!isSampler(sampler)) bad(fn, "sampler must be a Sampler (sample() and description)");
  const pruner = options.pruner ?? createPruner(STUDY_DEFAULTS.pruner);
  if (!isPruner(pruner)) bad(fn, "pruner must be a Pruner (prune() and description)");
  if (typeof name !== "string") bad(fn, `name must be a string, got ${String(name)}`);
  if (!Number.isSafeInteger(pendingWindow) || pendingWindow < 0) {
    bad(fn, `pendingWindow must be an integer >= 0, got ${String(pendingWindow)}`);
  }
  const storage = options.storage ?? createMemoryStorage();
  const resume = resumeOptions(fn, options);
  // Validate the sampler against the space now (a grid without values for a float fails here).
  sampler.size?.(space);
  const config: Config = { name, seed, direction, pendingWindow, space, sampler, pruner, ...resume };
  const events = storage.read();
  if (events.length > 0) {
    if (o.loadIfExists !== true) {
      throw new TunerError(
        "STUDY_EXISTS",
        `${fn}: the storage already holds a study; pass loadIfExists: true to resume it, or use loadStudy`,
      );
    }
    checkHeader(fn, readHeader(fn, events), config);
    return new StudyImpl<P>(config, storage, events);
  }
  return new StudyImpl<P>(config, storage, undefined);
}

function readHeader(fn: string, events: readonly StudyEvent[]): StudyHeaderEvent {
  const header = events[0];
  if (header?.type !== "study" || header.format !== JOURNAL_FORMAT || header.version !== JOURNAL_VERSION) {
    throw new TunerError(
      "JOURNAL_CORRUPT",
      `${fn}: the first event is not a version ${JOURNAL_VERSION} study header`,
    );
  }
  return header;
}

function checkHeader(fn: string, header: StudyHeaderEvent, config: Config): void {
  const pairs: [string, unknown, unknown][] = [
    ["name", header.name, config.name],
    ["seed", header.seed, config.seed],
    ["direction", header.direction, config.direction],
    ["pendingWindow", header.pendingWindow, config.pendingWindow],
    ["space", header.space, config.space.spec],
    ["sampler", header.sampler, config.sampler.description],
    ["pruner", header.pruner, config.pruner.description],
  ];
  for (const [field, stored, given] of pairs) {
    const a = stableStringify(stored);
    const b = stableStringify(given);
    if (a !== b) {
      throw new TunerError(
        "STUDY_MISMATCH",
        `${fn}: the stored study has ${field} ${a}, the options give ${b}`,
      );
    }
  }
}

/**
 * Options that journals written before an option existed imply: the value the component used then
 * (TPE's `bandwidthFactor` was Optuna's 0.2 before it became an option).
 */
const STORED_OPTION_DEFAULTS: { readonly [kind: string]: object } = Object.freeze({
  tpe: Object.freeze({ bandwidthFactor: 0.2 }),
});

/** Rebuild a built-in sampler or pruner from its description, or undefined for kinds not in `table`. */
function fromDescription<T>(
  table: { readonly [kind: string]: (options: never) => T },
  d: ComponentDescription,
): T | undefined {
  if (!Object.hasOwn(table, d.kind)) return undefined;
  const factory = table[d.kind] as (options: object) => T;
  return factory({ ...STORED_OPTION_DEFAULTS[d.kind], ...d.options });
}

/**
 * Load the study held by a storage (typically `createJournalStorage(path)` after a crash) and continue
 * it: finished trials are kept, trials that were running are retried or failed per `onInterrupted`,
 * and `optimize` continues with the next trial number.
 * @param options - see {@link LoadStudyOptions}
 * @returns the study
 * @throws {@link TunerError} `STUDY_NOT_FOUND`, `STUDY_MISMATCH` (a sampler or pruner that differs
 *   from the stored one, or an unknown kind not given), `JOURNAL_CORRUPT`, `JOURNAL_IO`
 */
export function loadStudy<P extends Params = Params>(options: LoadStudyOptions): Study<P> {
  const fn = "loadStudy";
  if (typeof options !== "object" || options === null) bad(fn, "options must be an object");
  const { storage } = options;
  if (typeof storage !== "object" || storage === null || typeof storage.read !== "function") {
    bad(fn, "storage must be a StudyStorage");
  }
  const events = storage.read();
  if (events.length === 0) throw new TunerError("STUDY_NOT_FOUND", `${fn}: the storage holds no study`);
  const header = readHeader(fn, events);

  const space = defineSearchSpace(header.space) as SearchSpace<P>;
  const sampler = options.sampler ?? fromDescription<Sampler>(SAMPLERS, header.sampler);
  if (sampler === undefined) {
    throw new TunerError(
      "STUDY_MISMATCH",
      `${fn}: the study uses sampler kind "${header.sampler.kind}"; pass it as options.sampler`,
    );
  }
  const pruner = options.pruner ?? fromDescription<Pruner>(PRUNERS, header.pruner);
  if (pruner === undefined) {
    throw new TunerError(
      "STUDY_MISMATCH",
      `${fn}: the study uses pruner kind "${header.pruner.kind}"; pass it as options.pruner`,
    );
  }
  const resume = resumeOptions(fn, options);
  const config: Config = {
    name: header.name,
    seed: header.seed,
    direction: header.direction,
    pendingWindow: header.pendingWindow,
    space,
    sampler,
    pruner,
    ...resume,
  };
  checkHeader(fn, header, config);
  return new StudyImpl<P>(config, storage, events);
}

function freeze(rec: TrialRecord): FrozenTrial {
  const out: {
    number: number;
    state: TrialState;
    params: Params;
    seed: number;
    value?: number;
    intermediateValues: readonly IntermediateValue[];
    error?: TrialErrorInfo;
    durationMs?: number;
    attempts: number;
  } = {
    number: rec.number,
    state: rec.state,
    params: rec.params,
    seed: rec.seed,
    intermediateValues: Object.freeze(rec.intermediate.slice()),
    attempts: rec.attempts,
  };
  if (rec.value !== undefined) out.value = rec.value;
  if (rec.error !== undefined) out.error = rec.error;
  if (rec.durationMs !== undefined) out.durationMs = rec.durationMs;
  return Object.freeze(out);
}

function interruptedError(rec: TrialRecord): TrialErrorInfo {
  return Object.freeze({
    name: "TunerError",
    code: "TRIAL_INTERRUPTED",
    message: `trial ${rec.number} was running when its process stopped (attempt ${rec.attempts})`,
  });
}

class StudyImpl<P extends Params> implements Study<P> {
  readonly name: string;
  readonly direction: Direction;
  readonly seed: number;
  readonly space: SearchSpace<P>;
  readonly pendingWindow: number;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  private readonly config: Config;
  private readonly storage: StudyStorage;
  private readonly records: TrialRecord[] = [];
  /** Frozen finished trials by number (undefined while running). */
  private readonly finished: (FrozenTrial | undefined)[] = [];
  /** Lowest trial number that is not finished. */
  private firstUnfinished = 0;
  /** Interrupted trials awaiting a retry, ascending. */
  private readonly retryQueue: number[] = [];
  private readonly capacity: number;
  private optimizing = false;
  private closed = false;

  constructor(config: Config, storage: StudyStorage, events: readonly StudyEvent[] | undefined) {
    this.config = config;
    this.name = config.name;
    this.direction = config.direction;
    this.seed = config.seed;
    this.space = config.space as SearchSpace<P>;
    this.pendingWindow = config.pendingWindow;
    this.sampler = config.sampler;
    this.pruner = config.pruner;
    this.storage = storage;
    this.capacity = config.sampler.size?.(config.space) ?? Number.POSITIVE_INFINITY;
    if (events === undefined) {
      const header: StudyHeaderEvent = {
        type: "study",
        format: JOURNAL_FORMAT,
        version: JOURNAL_VERSION,
        name: config.name,
        seed: config.seed,
        direction: config.direction,
        pendingWindow: config.pendingWindow,
        space: config.space.spec,
        sampler: config.sampler.description,
        pruner: config.pruner.description,
        createdAt: new Date().toISOString(),
      };
      storage.append(header, true);
    } else {
      this.replay(events);
    }
  }

  // ---- replay -------------------------------------------------------------------------------

  private replay(events: readonly StudyEvent[]): void {
    const corrupt = (i: number, message: string): never => {
      throw new TunerError("JOURNAL_CORRUPT", `loadStudy: event ${i + 1}: ${message}`);
    };
    const domains = domainsOf(this.config.space);
    for (let i = 1; i < events.length; i++) {
      const ev = events[i]!;
      switch (ev.type) {
        case "study":
          corrupt(i, "a second study header");
          break;
        case "ask": {
          if (ev.number !== this.records.length)
            corrupt(i, `ask for trial ${ev.number}, expected ${this.records.length}`);
          const params: Record<string, Choice> = {};
          for (const d of domains) {
            const v = ev.params[d.name];
            if (!isInDomain(d, v))
              corrupt(
                i,
                `trial ${ev.number}: parameter "${d.name}" = ${JSON.stringify(v)} is outside the space`,
              );
            params[d.name] = v as Choice;
          }
          this.records.push(this.newRecord(ev.number, ev.seed, Object.freeze(params)));
          this.finished.push(undefined);
          break;
        }
        case "report": {
          const rec = this.records[ev.number];
          if (rec === undefined || rec.state !== "running")
            corrupt(i, `report for trial ${ev.number}, which is not running`);
          const last = rec!.intermediate[rec!.intermediate.length - 1];
          if (last !== undefined && ev.step <= last.step)
            corrupt(i, `trial ${ev.number}: step ${ev.step} after ${last.step}`);
          rec!.intermediate.push(Object.freeze({ step: ev.step, value: ev.value }));
          break;
        }
        case "tell": {
          const rec = this.records[ev.number];
          if (rec === undefined || rec.state !== "running")
            corrupt(i, `tell for trial ${ev.number}, which is not running`);
          if (ev.state === "complete" && ev.value === undefined)
            corrupt(i, `trial ${ev.number}: complete without value`);
          const outcome: TrialOutcome =
            ev.state === "complete"
              ? { state: "complete", value: ev.value! }
              : ev.state === "pruned"
                ? { state: "pruned" }
                : { state: "failed", error: ev.error ?? { name: "Error", message: "unknown error" } };
          this.finish(rec!, outcome, ev.durationMs, false);
          break;
        }
        case "retry": {
          const rec = this.records[ev.number];
          if (rec === undefined || rec.state !== "running")
            corrupt(i, `retry of trial ${ev.number}, which is not running`);
          rec!.attempts = ev.attempt;
          rec!.intermediate = [];
          break;
        }
      }
    }
    // Whatever is still running belongs to a process that is gone.
    for (const rec of this.records) {
      if (rec.state !== "running") continue;
      if (this.config.onInterrupted === "retry" && rec.attempts <= this.config.maxRetries) {
        this.retryQueue.push(rec.number);
      } else {
        this.finish(rec, { state: "failed", error: interruptedError(rec) }, undefined, true);
      }
    }
  }

  private newRecord(number: number, seed: number, params: Params): TrialRecord {
    return {
      number,
      seed,
      params,
      state: "running",
      value: undefined,
      intermediate: [],
      error: undefined,
      durationMs: undefined,
      attempts: 1,
      frozen: undefined,
      history: undefined,
      startedAt: performance.now(),
      attempt: undefined,
    };
  }

  // ---- state ----------------------------------------------------------------------------------

  private assertOpen(fn: string): void {
    if (this.closed) throw new TunerError("INVALID_ARGUMENT", `study.${fn}: the study is closed`);
  }

  /** Whether every trial numbered below `number - pendingWindow` is finished. */
  private visible(number: number): boolean {
    return this.firstUnfinished >= number - this.pendingWindow;
  }

  private historyFor(number: number): readonly FrozenTrial[] {
    const end = Math.max(0, number - this.pendingWindow);
    return Object.freeze(this.finished.slice(0, end) as FrozenTrial[]);
  }

  private record(trial: Trial<P> | number, fn: string): TrialRecord {
    const number = typeof trial === "number" ? trial : trial?.number;
    const rec = typeof number === "number" ? this.records[number] : undefined;
    if (rec === undefined) throw new TunerError("TRIAL_NOT_FOUND", `study.${fn}: no trial ${String(number)}`);
    return rec;
  }

  private snapshot(rec: TrialRecord): FrozenTrial<P> {
    return (rec.frozen ?? freeze(rec)) as FrozenTrial<P>;
  }

  get trials(): readonly FrozenTrial<P>[] {
    return this.records.map((r) => this.snapshot(r));
  }

  get bestTrial(): FrozenTrial<P> | undefined {
    let best: FrozenTrial | undefined;
    const sign = this.direction === "minimize" ? 1 : -1;
    for (const f of this.finished) {
      if (f?.state !== "complete") continue;
      if (best === undefined || sign * f.value! < sign * best.value!) best = f;
    }
    return best as FrozenTrial<P> | undefined;
  }

  // ---- ask ------------------------------------------------------------------------------------

  canAsk(): boolean {
    if (this.closed) return false;
    if (this.retryQueue.length > 0) return this.retryQueue.some((n) => this.visible(n));
    const k = this.records.length;
    return k < this.capacity && this.visible(k);
  }

  private nextRetry(): TrialRecord | undefined {
    for (let i = 0; i < this.retryQueue.length; i++) {
      const number = this.retryQueue[i]!;
      if (!this.visible(number)) continue;
      this.retryQueue.splice(i, 1);
      const rec = this.records[number]!;
      rec.attempts++;
      rec.intermediate = [];
      rec.history = this.historyFor(number);
      rec.startedAt = performance.now();
      this.storage.append({ type: "retry", number, attempt: rec.attempts }, false);
      return rec;
    }
    return undefined;
  }

  private askNew(fn: string): TrialRecord {
    const k = this.records.length;
    if (k >= this.capacity) {
      throw new TunerError(
        "SEARCH_EXHAUSTED",
        `study.${fn}: the sampler has no more points (${this.capacity} trials)`,
      );
    }
    if (!this.visible(k)) {
      throw new TunerError(
        "ASK_BLOCKED",
        `study.${fn}: trial ${k} must see the result of trial ${this.firstUnfinished}, which is still running (pendingWindow ${this.pendingWindow})`,
      );
    }
    const history = this.historyFor(k);
    const pending: PendingTrial[] = [];
    for (let i = Math.max(0, k - this.pendingWindow); i < k; i++) {
      const r = this.records[i]!;
      pending.push({ number: r.number, params: r.params });
    }
    const seed = deriveSeed(this.seed, "trial", k);
    const sampled = this.sampler.sample({
      space: this.config.space,
      direction: this.direction,
      studySeed: this.seed,
      number: k,
      rng: createStream(this.seed, "sampler", k),
      history,
      pending,
    });
    const params: Record<string, Choice> = {};
    for (const d of domainsOf(this.config.space)) {
      const v = sampled?.[d.name];
      if (!isInDomain(d, v)) {
        throw new TunerError(
          "INVALID_ARGUMENT",
          `study.${fn}: sampler "${this.sampler.description.kind}" returned ${JSON.stringify(v)} for parameter "${d.name}", outside its domain`,
        );
      }
      params[d.name] = v as Choice;
    }
    const rec = this.newRecord(k, seed, Object.freeze(params));
    rec.history = history;
    this.records.push(rec);
    this.finished.push(undefined);
    this.storage.append({ type: "ask", number: k, seed, params }, false);
    return rec;
  }

  private channel(rec: TrialRecord, attempt: Attempt): TrialChannel {
    const current = (fn: string) => {
      if (rec.attempt !== attempt && rec.state === "running") {
        throw new TunerError(
          "TRIAL_FINISHED",
          `trial.${fn}: this attempt of trial ${rec.number} was interrupted`,
        );
      }
    };
    return {
      report: (step, value) => {
        current("report");
        this.report(rec, step, value);
      },
      shouldPrune: () => {
        current("shouldPrune");
        return this.shouldPrune(rec);
      },
    };
  }

  private startAttempt(rec: TrialRecord, owner: Attempt["owner"]): Attempt {
    const attempt: Attempt = { owner, controller: new AbortController() };
    rec.attempt = attempt;
    rec.startedAt = performance.now();
    return attempt;
  }

  ask(): Trial<P> {
    this.assertOpen("ask");
    const rec = this.nextRetry() ?? this.askNew("ask");
    const attempt = this.startAttempt(rec, "ask");
    return makeTrialHandle<P>(this.task(rec), this.channel(rec, attempt), attempt.controller.signal);
  }

  private task(rec: TrialRecord): TrialTask {
    return { number: rec.number, seed: rec.seed, params: rec.params };
  }

  // ---- report / prune -------------------------------------------------------------------------

  private report(rec: TrialRecord, step: number, value: number): void {
    if (rec.state !== "running") {
      throw new TunerError(
        "TRIAL_FINISHED",
        `trial.report: trial ${rec.number} has already finished (${rec.state})`,
      );
    }
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new TunerError(
        "INVALID_REPORT",
        `trial.report: step must be a non-negative integer, got ${String(step)}`,
      );
    }
    const last = rec.intermediate[rec.intermediate.length - 1];
    if (last !== undefined && step <= last.step) {
      throw new TunerError(
        "INVALID_REPORT",
        `trial.report: step ${step} is not after the last reported step ${last.step} (steps must increase)`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TunerError(
        "INVALID_REPORT",
        `trial.report: value must be a finite number, got ${String(value)}`,
      );
    }
    rec.intermediate.push(Object.freeze({ step, value }));
    if (!this.closed) this.storage.append({ type: "report", number: rec.number, step, value }, false);
  }

  private shouldPrune(rec: TrialRecord): boolean {
    if (rec.state !== "running") {
      throw new TunerError(
        "TRIAL_FINISHED",
        `trial.shouldPrune: trial ${rec.number} has already finished (${rec.state})`,
      );
    }
    if (rec.intermediate.length === 0) return false;
    return this.pruner.prune({
      number: rec.number,
      direction: this.direction,
      intermediateValues: rec.intermediate.slice(),
      history: rec.history ?? this.historyFor(rec.number),
    });
  }

  // ---- tell -----------------------------------------------------------------------------------

  private finish(
    rec: TrialRecord,
    outcome: TrialOutcome,
    durationMs: number | undefined,
    write: boolean,
  ): void {
    rec.state = outcome.state;
    rec.value = outcome.state === "complete" ? outcome.value : undefined;
    rec.error = outcome.state === "failed" ? Object.freeze({ ...outcome.error }) : undefined;
    rec.durationMs = durationMs;
    rec.history = undefined;
    rec.attempt = undefined;
    rec.frozen = freeze(rec);
    this.finished[rec.number] = rec.frozen;
    while (this.firstUnfinished < this.records.length && this.finished[this.firstUnfinished] !== undefined) {
      this.firstUnfinished++;
    }
    if (write) {
      const ev: {
        type: "tell";
        number: number;
        state: "complete" | "pruned" | "failed";
        value?: number;
        error?: TrialErrorInfo;
        durationMs?: number;
      } = { type: "tell", number: rec.number, state: outcome.state };
      if (rec.value !== undefined) ev.value = rec.value;
      if (rec.error !== undefined) ev.error = rec.error;
      if (durationMs !== undefined) ev.durationMs = durationMs;
      this.storage.append(ev, true);
    }
  }

  private elapsed(rec: TrialRecord): number {
    return Math.max(0, Math.round((performance.now() - rec.startedAt) * 1000) / 1000);
  }

  tell(trial: Trial<P> | number, result: TellResult): FrozenTrial<P> {
    this.assertOpen("tell");
    const rec = this.record(trial, "tell");
    if (rec.state !== "running" || this.retryQueue.includes(rec.number)) {
      throw new TunerError("TRIAL_FINISHED", `study.tell: trial ${rec.number} is not running (${rec.state})`);
    }
    let outcome: TrialOutcome;
    if (typeof result === "number") {
      outcome = Number.isFinite(result)
        ? { state: "complete", value: result }
        : {
            state: "failed",
            error: {
              name: "TunerError",
              code: "INVALID_VALUE",
              message: `study.tell: value ${result} is not finite`,
            },
          };
    } else if (typeof result === "object" && result !== null && result.state === "complete") {
      outcome = Number.isFinite(result.value)
        ? { state: "complete", value: result.value }
        : {
            state: "failed",
            error: {
              name: "TunerError",
              code: "INVALID_VALUE",
              message: `study.tell: value ${result.value} is not finite`,
            },
          };
    } else if (typeof result === "object" && result !== null && result.state === "pruned") {
      outcome = { state: "pruned" };
    } else if (typeof result === "object" && result !== null && result.state === "failed") {
      outcome = {
        state: "failed",
        error: result.error === undefined ? { name: "Error", message: "failed" } : toErrorInfo(result.error),
      };
    } else {
      return bad(
        "study.tell",
        `result must be a number or { state: "complete" | "pruned" | "failed" }, got ${String(result)}`,
      );
    }
    this.finish(rec, outcome, this.elapsed(rec), true);
    return rec.frozen as FrozenTrial<P>;
  }

  // ---- optimize -------------------------------------------------------------------------------

  optimize(
    objectiveOrOptions: Objective<P> | OptimizeOptions<P> | undefined,
    maybeOptions?: OptimizeOptions<P>,
  ): Promise<TuningResult<P>> {
    const objective = typeof objectiveOrOptions === "function" ? objectiveOrOptions : undefined;
    const options =
      typeof objectiveOrOptions === "function" || objectiveOrOptions === undefined
        ? (maybeOptions ?? {})
        : objectiveOrOptions;
    return this.run(objective as Objective | undefined, options as OptimizeOptions);
  }

  private async run(objective: Objective | undefined, options: OptimizeOptions): Promise<TuningResult<P>> {
    const fn = "study.optimize";
    this.assertOpen("optimize");
    if (typeof options !== "object" || options === null) bad(fn, "options must be an object");
    if (this.optimizing) bad(fn, "optimize is already running on this study");
    const { trials, timeoutMs, signal, onTrialFinished } = options;
    if (trials !== undefined && !(Number.isSafeInteger(trials) && trials >= 0)) {
      bad(fn, `trials must be an integer >= 0, got ${String(trials)}`);
    }
    if (
      timeoutMs !== undefined &&
      !(typeof timeoutMs === "number" && timeoutMs >= 0 && !Number.isNaN(timeoutMs))
    ) {
      bad(fn, `timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
    }
    if (onTrialFinished !== undefined && typeof onTrialFinished !== "function")
      bad(fn, "onTrialFinished must be a function");
    const executor = options.executor ?? createInlineExecutor();
    const ownExecutor = options.executor === undefined;
    if (typeof executor?.run !== "function") bad(fn, "executor must be an Executor");
    if (ownExecutor && objective === undefined)
      bad(fn, "an objective function is required with the inline executor");
    const concurrency = options.concurrency ?? executor.concurrency;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      bad(fn, `concurrency must be an integer >= 1, got ${String(concurrency)}`);
    }
    const target = trials ?? Number.POSITIVE_INFINITY;
    if (
      target === Number.POSITIVE_INFINITY &&
      timeoutMs === undefined &&
      signal === undefined &&
      this.capacity === Number.POSITIVE_INFINITY
    ) {
      bad(fn, "give trials, timeoutMs or signal, or the study never ends");
    }
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs;

    this.optimizing = true;
    const stop = new AbortController();
    let fatal: { error: unknown } | undefined;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      stop.abort(signal?.reason);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    let wake: () => void = () => {};
    stop.signal.addEventListener("abort", () => wake(), { once: true });
    const running = new Map<number, Promise<void>>();

    const launch = (rec: TrialRecord) => {
      const attempt = this.startAttempt(rec, "optimize");
      const p = executor
        .run({ task: this.task(rec), objective, channel: this.channel(rec, attempt), signal: stop.signal })
        .then(
          (outcome) => {
            if (rec.state !== "running" || rec.attempt !== attempt) return;
            if (stop.signal.aborted && outcome.state === "failed" && outcome.error.code === "ABORTED") return;
            this.finish(rec, outcome, this.elapsed(rec), true);
            onTrialFinished?.(rec.frozen!);
          },
          (error: unknown) => {
            fatal ??= { error };
            stop.abort(error);
          },
        )
        .catch((error: unknown) => {
          fatal ??= { error };
          stop.abort(error);
        })
        .finally(() => {
          running.delete(rec.number);
          wake();
        });
      running.set(rec.number, p);
    };

    const next = (): TrialRecord | "blocked" | "done" => {
      if (this.retryQueue.length > 0) return this.nextRetry() ?? "blocked";
      const k = this.records.length;
      if (k >= target || k >= this.capacity) return "done";
      if (performance.now() >= deadline) return "done";
      if (!this.visible(k)) return "blocked";
      return this.askNew("optimize");
    };

    try {
      for (;;) {
        if (fatal !== undefined || stop.signal.aborted) break;
        let state: TrialRecord | "blocked" | "done" = "blocked";
        while (running.size < concurrency) {
          try {
            state = next();
          } catch (error) {
            fatal = { error };
            stop.abort(error);
            break;
          }
          if (typeof state === "string") break;
          launch(state);
        }
        if (running.size === 0) {
          if (state === "blocked" && fatal === undefined && !stop.signal.aborted) {
            throw new TunerError(
              "ASK_BLOCKED",
              `${fn}: trial ${this.firstUnfinished} is running outside optimize (asked with study.ask()); tell it first`,
            );
          }
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (stop.signal.aborted) resolve();
        });
      }
      // Let aborted runs settle (executors resolve promptly on abort).
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Trials still running were interrupted: they wait for a retry (or fail on load).
      for (const rec of this.records) {
        if (rec.state === "running" && rec.attempt?.owner === "optimize") {
          rec.attempt.controller.abort();
          rec.attempt = undefined;
          if (this.config.onInterrupted === "retry" && rec.attempts <= this.config.maxRetries) {
            this.retryQueue.push(rec.number);
          } else {
            this.finish(rec, { state: "failed", error: interruptedError(rec) }, undefined, true);
          }
        }
      }
      this.retryQueue.sort((a, b) => a - b);
      this.optimizing = false;
      if (ownExecutor) await executor.close();
    }
    if (fatal !== undefined) throw (fatal as { error: unknown }).error;
    if (aborted) {
      throw new TunerError("ABORTED", `${fn}: aborted`, { cause: signal?.reason });
    }
    return this.result();
  }

  // ---- result ---------------------------------------------------------------------------------

  result(): TuningResult<P> {
    const trials = this.trials;
    const counts = { complete: 0, pruned: 0, failed: 0, running: 0 };
    for (const t of trials) counts[t.state]++;
    return Object.freeze({
      name: this.name,
      direction: this.direction,
      seed: this.seed,
      pendingWindow: this.pendingWindow,
      space: this.config.space.spec,
      sampler: this.sampler.description,
      pruner: this.pruner.description,
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
