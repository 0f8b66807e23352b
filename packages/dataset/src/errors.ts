import type { DatasetIssue } from "./issues.js";
import type { ValidationReport } from "./read.js";

const DATASET_ERROR = Symbol.for("@rlvr/dataset/error");
const DATASET_VALIDATION_ERROR = Symbol.for("@rlvr/dataset/validation-error");

/**
 * Codes of {@link DatasetError}:
 * - `FILE_NOT_FOUND`: the file does not exist;
 * - `FILE_READ_ERROR`: any other I/O failure (a folder, no permission, ...);
 * - `BAD_OPTIONS`: an option has an invalid value (the message names the function and the value);
 * - `INVALID_EXAMPLE`: an in-memory example given to a pure function (digest, stats, split) cannot be
 *   used, e.g. a non-finite number;
 * - `ABORTED`: the read was aborted through `ReadOptions.signal`;
 * - `INVALID_STATE`: a streaming object was used after it was finished;
 * - `DATASET_INVALID`: thrown as {@link DatasetValidationError} when data fails validation.
 */
export type DatasetErrorCode =
  | "FILE_NOT_FOUND"
  | "FILE_READ_ERROR"
  | "BAD_OPTIONS"
  | "INVALID_EXAMPLE"
  | "ABORTED"
  | "INVALID_STATE"
  | "DATASET_INVALID";

/**
 * Error thrown by `@rlvr/dataset` for problems that are not findings about the data: I/O failures,
 * invalid options, unusable in-memory values. Bad data in a file is reported as {@link DatasetIssue}s,
 * or thrown as {@link DatasetValidationError} by `loadDataset`.
 */
export class DatasetError extends Error {
  /** Machine-readable reason, see {@link DatasetErrorCode}. */
  readonly code: DatasetErrorCode;
  /** File concerned, when there is one. */
  readonly file: string | undefined;

  /**
   * @param code - machine-readable reason
   * @param message - human-readable message naming the function or file and the bad value
   * @param options - `cause`: the wrapped error; `file`: the file concerned
   */
  constructor(code: DatasetErrorCode, message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DatasetError";
    this.code = code;
    this.file = options?.file;
    Object.defineProperty(this, DATASET_ERROR, { value: true });
  }

  /**
   * Whether `value` is a {@link DatasetError} (or subclass), also across two installed copies of this
   * package: checks a `Symbol.for` brand, not `instanceof`.
   */
  static is(value: unknown): value is DatasetError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[DATASET_ERROR] === true
    );
  }
}

/**
 * Thrown by `loadDataset` when at least one file is invalid. `issues` holds every issue found (each
 * file's up to its `maxErrors`), `reports` the per-file validation reports.
 */
export class DatasetValidationError extends DatasetError {
  /** All issues of all files, in file order. */
  readonly issues: readonly DatasetIssue[];
  /** One report per file, in the order the files were given. */
  readonly reports: readonly ValidationReport[];

  /**
   * @param message - summary naming the number of issues and the first one
   * @param issues - every issue found
   * @param reports - the per-file reports
   */
  constructor(message: string, issues: readonly DatasetIssue[], reports: readonly ValidationReport[]) {
    super("DATASET_INVALID", message);
    this.name = "DatasetValidationError";
    this.issues = issues;
    this.reports = reports;
    Object.defineProperty(this, DATASET_VALIDATION_ERROR, { value: true });
  }

  /** Whether `value` is a {@link DatasetValidationError}; brand-based like {@link DatasetError.is}. */
  static override is(value: unknown): value is DatasetValidationError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[DATASET_VALIDATION_ERROR] === true
    );
  }
}
