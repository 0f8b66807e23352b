import type { Params } from "./search-space.js";

/** Whether the objective is minimised or maximised. */
export type Direction = "minimize" | "maximize";

/**
 * State of a trial: `running` (asked, no result yet), `complete` (finite value), `pruned` (stopped by
 * the pruner; keeps its intermediate values), `failed` (threw, returned a non-finite value, timed out,
 * its worker crashed, or it was interrupted and not retried).
 */
export type TrialState = "running" | "complete" | "pruned" | "failed";

/** A value reported with `trial.report(step, value)`. */
export interface IntermediateValue {
  /** Step (a non-negative integer, strictly increasing within a trial). */
  readonly step: number;
  /** Finite value at that step. */
  readonly value: number;
}

/** Why a trial failed (or was pruned, for a `TRIAL_PRUNED` error), in a JSON-safe form. */
export interface TrialErrorInfo {
  /** Error name, e.g. `TypeError` or `TunerError`. */
  readonly name: string;
  /** Error message. */
  readonly message: string;
  /** `code` of the error when it had a string one (e.g. `TRIAL_TIMEOUT`, `INVALID_VALUE`). */
  readonly code?: string;
}

/**
 * A trial as recorded by the study: immutable once finished. JSON-safe; `durationMs` is the only
 * volatile member (it depends on the machine, the rest is a function of the study seed and design).
 */
export interface FrozenTrial<P extends Params = Params> {
  /** 0-based number, in the order trials were asked. */
  readonly number: number;
  /** Current state. */
  readonly state: TrialState;
  /** The parameters, keys in the space's `names` order. */
  readonly params: P;
  /** 32-bit seed derived from the study seed and `number`, for the objective's own randomness. */
  readonly seed: number;
  /** Objective value of a `complete` trial. */
  readonly value?: number;
  /** Reported values, ascending step; kept for pruned and failed trials too. */
  readonly intermediateValues: readonly IntermediateValue[];
  /** The error of a `failed` trial. */
  readonly error?: TrialErrorInfo;
  /** Wall time of the last attempt in milliseconds (volatile: machine-dependent). */
  readonly durationMs?: number;
  /** Number of times the trial was started (more than 1 after an interrupted run was retried). */
  readonly attempts: number;
}

/** A trial that has been asked but whose result is not visible to the trial being sampled. */
export interface PendingTrial<P extends Params = Params> {
  /** Trial number. */
  readonly number: number;
  /** Its parameters. */
  readonly params: P;
}

/**
 * The handle an objective receives (and `study.ask()` returns): its parameters and seed, and the
 * pruning protocol. Works the same in the calling thread and inside a worker thread.
 */
export interface Trial<P extends Params = Params> {
  /** 0-based trial number. */
  readonly number: number;
  /** 32-bit seed for the objective's own random draws (derived from the study seed and `number`). */
  readonly seed: number;
  /** The parameters to evaluate. */
  readonly params: P;
  /**
   * Aborted when the trial should stop early: the inline executor's time limit passed or `optimize`
   * was aborted. Objectives that run long asynchronous work should pass it on. (Worker-pool trials are
   * stopped by terminating their worker instead; there it never aborts.)
   */
  readonly signal: AbortSignal;
  /**
   * Record an intermediate value (e.g. validation loss after an epoch).
   * @param step - a non-negative integer larger than every step reported before
   * @param value - a finite number
   * @throws {@link TunerError} `INVALID_REPORT` for a bad step or value, `TRIAL_FINISHED` after the end
   */
  report(step: number, value: number): void;
  /**
   * Ask the study's pruner whether to stop this trial now, given its reported values and the trials
   * visible to it. Synchronous in every executor.
   */
  shouldPrune(): boolean;
  /**
   * Stop the objective and record the trial as pruned: throws a {@link TunerError} with code
   * `TRIAL_PRUNED`, which the study recognises. Use `if (trial.shouldPrune()) trial.prune();`.
   */
  prune(): never;
}

/**
 * Result given to `study.tell`: a number (complete when finite, failed with `INVALID_VALUE` when not),
 * or an explicit state.
 */
export type TellResult =
  | number
  | { readonly state: "complete"; readonly value: number }
  | { readonly state: "pruned" }
  | { readonly state: "failed"; readonly error?: unknown };
