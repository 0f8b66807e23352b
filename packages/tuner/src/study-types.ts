import type { Executor, Objective } from "./executor.js";
import type { ParamImportance } from "./importance.js";
import type { Pruner } from "./pruner.js";
import type { ComponentDescription, Sampler } from "./sampler.js";
import type { Params, SearchSpace, SearchSpaceSpec } from "./search-space.js";
import type { StudyStorage } from "./storage.js";
import type { Direction, FrozenTrial, TellResult, Trial } from "./trial.js";

/** What to do with trials that were running when their process stopped (found on load). */
export type InterruptedPolicy = "retry" | "fail";

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
   * @defaultValue the TPE sampler with its defaults (`STUDY_DEFAULTS.sampler`)
   */
  readonly sampler?: Sampler;
  /**
   * The pruner (consulted only when an objective calls `trial.shouldPrune()`).
   * @defaultValue the median pruner with its defaults (`STUDY_DEFAULTS.pruner`)
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
