const ORCHESTRATOR_ERROR = Symbol.for("@rlvr/orchestrator/error");

/**
 * Codes of {@link OrchestratorError}:
 * - `INVALID_SPEC`: a job spec or job file is malformed (the message lists every problem with its JSON pointer);
 * - `INVALID_RECORD`: a value is not a valid {@link JobRecord} (see `validateJobRecord`);
 * - `INVALID_ARGUMENT`: a bad argument to a function (the message names the function and the value);
 * - `DATASET_INVALID`: the dataset failed validation (`cause` is the `DatasetValidationError`);
 * - `ABORTED`: the job was cancelled through its `AbortSignal`;
 * - `STAGE_FAILED`: a stage threw (`stage` names it, `cause` is the original error);
 * - `RESUME_MISMATCH`: resume state belongs to another job or is unreadable;
 * - `IO_ERROR`: a file could not be read or written;
 * - `REGISTRY_ERROR`: the SQLite registry failed (`cause` is the driver error);
 * - `SQLITE_UNAVAILABLE`: the SQLite binding (`libsql`) cannot be loaded on this platform (the message
 *   says what to do, `cause` is the loader's error).
 */
export type OrchestratorErrorCode =
  | "INVALID_SPEC"
  | "INVALID_RECORD"
  | "INVALID_ARGUMENT"
  | "DATASET_INVALID"
  | "ABORTED"
  | "STAGE_FAILED"
  | "RESUME_MISMATCH"
  | "IO_ERROR"
  | "REGISTRY_ERROR"
  | "SQLITE_UNAVAILABLE";

/** Options of the {@link OrchestratorError} constructor. */
export interface OrchestratorErrorOptions {
  /** The wrapped error. */
  readonly cause?: unknown;
  /** The pipeline stage the error happened in. */
  readonly stage?: string;
  /** One line per problem (`pointer: message`), when there are several. */
  readonly details?: readonly string[];
}

/**
 * Every error thrown by `@rlvr/orchestrator`. Check with {@link OrchestratorError.is}, which works
 * across two installed copies of the package (a `Symbol.for` brand, not `instanceof`).
 */
export class OrchestratorError extends Error {
  /** Machine-readable reason, see {@link OrchestratorErrorCode}. */
  readonly code: OrchestratorErrorCode;
  /** The stage the error happened in, if any. */
  readonly stage: string | undefined;
  /** One line per problem, when there are several (else empty). */
  readonly details: readonly string[];

  /**
   * @param code - machine-readable reason
   * @param message - human-readable message naming the function or file and the bad value
   * @param options - `cause`, `stage`, `details`
   */
  constructor(code: OrchestratorErrorCode, message: string, options: OrchestratorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OrchestratorError";
    this.code = code;
    this.stage = options.stage;
    this.details = options.details ?? [];
    Object.defineProperty(this, ORCHESTRATOR_ERROR, { value: true });
  }

  /** Whether `value` is an {@link OrchestratorError}, also from another installed copy of this package. */
  static is(value: unknown): value is OrchestratorError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[ORCHESTRATOR_ERROR] === true
    );
  }
}
