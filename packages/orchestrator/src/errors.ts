import { createErrorBrand, RlvrError } from "@rlvr/errors";

const BRAND = createErrorBrand("@rlvr/orchestrator/error");

/**
 * Codes of {@link OrchestratorError}:
 * - `INVALID_SPEC`: a job spec or job file is malformed (the message lists every problem with its JSON pointer);
 * - `INVALID_RECORD`: a value is not a valid {@link JobRecord} (see `validateJobRecord`);
 * - `INVALID_ARGUMENT`: a bad argument (the message names the value and what was expected);
 * - `DATASET_INVALID`: the dataset failed validation (`cause` is the `DatasetValidationError`);
 * - `ABORTED`: the job was cancelled through its `AbortSignal`;
 * - `STAGE_FAILED`: a stage threw (`stage` names it, `cause` is the original error);
 * - `RESUME_MISMATCH`: resume state belongs to another job or is unreadable;
 * - `IO_ERROR`: a file could not be read or written (the message names the file, `cause` is the
 *   system error, e.g. `ENOSPC`); a job whose final files cannot be written is marked `failed` in the
 *   registry before this is thrown;
 * - `OUTPUT_UNUSABLE`: the output folder cannot be used: it is a file, or on a read-only file system,
 *   or not writable (the message names the folder and the system code: `ENOTDIR`, `EROFS`, `EACCES`);
 *   checked before any work;
 * - `OUTPUT_LOCKED`: another job is writing the same output folder (the message names the folder, the
 *   lock file and its holder: job, process id, host);
 * - `REGISTRY_ERROR`: the SQLite registry failed (`cause` is the driver error);
 * - `SQLITE_UNAVAILABLE`: the SQLite binding (`libsql`) cannot be loaded on this platform (the message
 *   says what to do, `cause` is the loader's error);
 * - `PACKAGE_MISSING`: an optional package a feature needs is not installed (`@rlvr/tuner-bullmq` for
 *   the `bullmq` executor and the queue worker; the message says how to install it).
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
  | "OUTPUT_UNUSABLE"
  | "OUTPUT_LOCKED"
  | "REGISTRY_ERROR"
  | "SQLITE_UNAVAILABLE"
  | "PACKAGE_MISSING";

/** Options of the {@link OrchestratorError} constructor. */
export interface OrchestratorErrorOptions {
  /** The wrapped error. */
  readonly cause?: unknown;
  /** The pipeline step the error happened in (a stage name, or `"outputs"`). */
  readonly stage?: string;
  /** One line per problem (`pointer: message`), when there are several. */
  readonly details?: readonly string[];
}

/**
 * Every error thrown by `@rlvr/orchestrator`: an `RlvrError` (`@rlvr/errors`) with the pipeline step.
 * Check with {@link OrchestratorError.is}, which works across two installed copies of the package (a
 * `Symbol.for` brand, not `instanceof`).
 */
export class OrchestratorError extends RlvrError<OrchestratorErrorCode> {
  /** The pipeline step the error happened in, if any. */
  readonly stage: string | undefined;

  /**
   * @param code - machine-readable reason
   * @param message - what went wrong in public words, naming the file, pointer and bad value
   * @param options - `cause`, `stage`, `details`
   */
  constructor(code: OrchestratorErrorCode, message: string, options: OrchestratorErrorOptions = {}) {
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.details === undefined ? {} : { details: options.details }),
    });
    this.name = "OrchestratorError";
    this.stage = options.stage;
    BRAND.mark(this);
  }

  /** Whether `value` is an {@link OrchestratorError}, also from another installed copy of this package. */
  static override is(value: unknown): value is OrchestratorError {
    return BRAND.test(value);
  }
}
