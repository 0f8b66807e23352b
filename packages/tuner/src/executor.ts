import type { Params } from "./search-space.js";
import type { Trial, TrialErrorInfo } from "./trial.js";

/**
 * An objective: evaluates one set of parameters and returns the value to minimise or maximise. It may
 * report intermediate values and ask whether to prune through `trial`. Throwing, returning a
 * non-finite value or exceeding the executor's time limit records the trial as failed.
 */
export type Objective<P extends Params = Params> = (params: P, trial: Trial<P>) => number | Promise<number>;

/** What to run: trial number, seed and parameters (all JSON-safe, so they can cross threads or machines). */
export interface TrialTask {
  /** Trial number. */
  readonly number: number;
  /** The trial's 32-bit seed. */
  readonly seed: number;
  /** The parameters. */
  readonly params: Params;
}

/**
 * The way back to the study while a trial runs. Both calls are synchronous; `report` validates its
 * arguments and throws a `TunerError` (`INVALID_REPORT`) that the executor must pass to the objective.
 */
export interface TrialChannel {
  /** Record an intermediate value. */
  report(step: number, value: number): void;
  /** The pruner's decision for the values reported so far. */
  shouldPrune(): boolean;
}

/** How a trial ended, as an executor reports it. */
export type TrialOutcome =
  | { readonly state: "complete"; readonly value: number }
  | { readonly state: "pruned" }
  | { readonly state: "failed"; readonly error: TrialErrorInfo };

/** One request to run a trial. */
export interface ExecutorRequest {
  /** The trial. */
  readonly task: TrialTask;
  /** The objective function given to `optimize`, if any (an executor may carry its own). */
  readonly objective: Objective | undefined;
  /** Reports and pruning questions. */
  readonly channel: TrialChannel;
  /**
   * Aborted when the study stops (`optimize`'s signal or a fatal error): the executor should stop the
   * trial and resolve promptly (its outcome is then ignored and the trial is treated as interrupted).
   */
  readonly signal: AbortSignal;
}

/**
 * Runs trials. The study decides which trial runs and with which parameters; an executor only runs
 * them, so a new executor (a queue-based distributed one, for instance) needs no change to samplers or
 * pruners. `run` resolves with the outcome, including failures of the objective; it rejects only on
 * errors that make every further trial fail too (e.g. an objective module that cannot be loaded), which
 * stop `optimize`.
 */
export interface Executor {
  /** How many trials it can run at once: the default `concurrency` of `optimize`. */
  readonly concurrency: number;
  /** Run one trial. */
  run(request: ExecutorRequest): Promise<TrialOutcome>;
  /** Release resources (threads, connections). Idempotent. */
  close(): Promise<void>;
}
