import { createErrorBrand, RlvrError, type RlvrErrorOptions } from "@rlvr/errors";

const TUNER_ERROR = createErrorBrand("@rlvr/tuner/error");
const SEARCH_SPACE_ERROR = createErrorBrand("@rlvr/tuner/search-space-error");

/**
 * Codes of {@link TunerError}:
 * - `INVALID_ARGUMENT`: an argument or option has an invalid value (the message names the function,
 *   the option and the value);
 * - `INVALID_SEARCH_SPACE`: a search space fails validation; thrown as {@link SearchSpaceError};
 * - `SEARCH_EXHAUSTED`: the sampler has no more points (a grid whose every point was asked);
 * - `ASK_BLOCKED`: `ask()` would need the result of a trial that has not finished yet (see
 *   `pendingWindow` in `createStudy`);
 * - `TRIAL_NOT_FOUND`: a trial number that the study does not hold;
 * - `TRIAL_FINISHED`: `tell`, `report` or `shouldPrune` on a trial that has already finished;
 * - `INVALID_REPORT`: `trial.report` with a step that is not a non-negative integer larger than the
 *   previous one, or a value that is not finite;
 * - `TRIAL_PRUNED`: thrown by `trial.prune()` to stop the objective; the trial is recorded as pruned;
 * - `TRIAL_TIMEOUT`: the objective exceeded the executor's `timeoutMs` (recorded as the trial's error);
 * - `INVALID_VALUE`: the objective returned something other than a finite number (recorded as the
 *   trial's error);
 * - `WORKER_CRASHED`: a worker thread died while running a trial (recorded as the trial's error);
 * - `TRIAL_INTERRUPTED`: the trial was running when its process stopped (crash, kill) or `optimize`
 *   was aborted, and it was not retried (recorded as the trial's error);
 * - `OBJECTIVE_LOAD_FAILED`: a worker could not import the objective module or find its export (fatal:
 *   `optimize` rejects);
 * - `EXECUTOR_CLOSED`: an executor was used after `close()`;
 * - `ABORTED`: `optimize` was aborted through its `signal` (`cause` is the signal's reason);
 * - `STUDY_EXISTS`: `createStudy` found a study in the storage and `loadIfExists` is false;
 * - `STUDY_NOT_FOUND`: `loadStudy` found no study in the storage;
 * - `STUDY_MISMATCH`: the stored study differs from the options given (space, seed, sampler, ...);
 * - `JOURNAL_CORRUPT`: a journal line other than the last one is not a valid event (the message names
 *   the file and line);
 * - `JOURNAL_IO`: reading or writing the journal file failed (`cause` is the system error).
 */
export type TunerErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_SEARCH_SPACE"
  | "SEARCH_EXHAUSTED"
  | "ASK_BLOCKED"
  | "TRIAL_NOT_FOUND"
  | "TRIAL_FINISHED"
  | "INVALID_REPORT"
  | "TRIAL_PRUNED"
  | "TRIAL_TIMEOUT"
  | "INVALID_VALUE"
  | "WORKER_CRASHED"
  | "TRIAL_INTERRUPTED"
  | "OBJECTIVE_LOAD_FAILED"
  | "EXECUTOR_CLOSED"
  | "ABORTED"
  | "STUDY_EXISTS"
  | "STUDY_NOT_FOUND"
  | "STUDY_MISMATCH"
  | "JOURNAL_CORRUPT"
  | "JOURNAL_IO";

/**
 * Error thrown by every function of `@rlvr/tuner`: an {@link RlvrError} (from `@rlvr/errors`) with a
 * {@link TunerErrorCode}. Check it with {@link TunerError.is}, which also works across two installed
 * copies of the package (it checks a `Symbol.for` brand, not `instanceof`).
 */
export class TunerError extends RlvrError<TunerErrorCode> {
  /**
   * @param code - machine-readable reason
   * @param message - what went wrong, with the bad value (and the file, line or pointer where there is one)
   * @param options - `cause`: the wrapped error or abort reason; `details`: one line per problem
   */
  constructor(code: TunerErrorCode, message: string, options: RlvrErrorOptions = {}) {
    super(code, message, options);
    this.name = "TunerError";
    TUNER_ERROR.mark(this);
  }

  /** Whether `value` is a {@link TunerError} (or a subclass), by brand rather than `instanceof`. */
  static override is(value: unknown): value is TunerError {
    return TUNER_ERROR.test(value);
  }
}

/** One problem found in a search space: where (JSON pointer) and what was expected. */
export interface SearchSpaceIssue {
  /** JSON pointer into the search-space object, e.g. `/lr/low` (`""` for the whole space). */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/**
 * Thrown by `defineSearchSpace` (and everything that accepts a search-space spec) when the spec is
 * invalid. `issues` lists every problem found, in a stable order; `details` has them as
 * `pointer: message` lines.
 */
export class SearchSpaceError extends TunerError {
  /** Every problem found, sorted by path. */
  readonly issues: readonly SearchSpaceIssue[];

  /**
   * @param issues - every problem found (at least one)
   */
  constructor(issues: readonly SearchSpaceIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(
      "INVALID_SEARCH_SPACE",
      `invalid search space at ${first?.path || "/"}: ${first?.message ?? "unknown problem"}${more}`,
      { details: issues.map((i) => `${i.path || "/"}: ${i.message}`) },
    );
    this.name = "SearchSpaceError";
    this.issues = issues;
    SEARCH_SPACE_ERROR.mark(this);
  }

  /** Whether `value` is a {@link SearchSpaceError}, by brand rather than `instanceof`. */
  static override is(value: unknown): value is SearchSpaceError {
    return SEARCH_SPACE_ERROR.test(value);
  }
}

/** @internal Builds the error that `trial.prune()` throws. */
export function prunedError(trialNumber: number): TunerError {
  return new TunerError("TRIAL_PRUNED", `trial ${trialNumber} was pruned`);
}
