import { createErrorBrand, RlvrError } from "@rlvr/errors";
import type { DatasetIssue } from "./issues.js";
import type { ValidationReport } from "./read.js";

const DATASET_ERROR = createErrorBrand("@rlvr/dataset/error");
const DATASET_VALIDATION_ERROR = createErrorBrand("@rlvr/dataset/validation-error");

/**
 * Codes of {@link DatasetError}:
 * - `FILE_NOT_FOUND`: the file does not exist;
 * - `FILE_READ_ERROR`: any other I/O failure (a folder, no permission, ...);
 * - `BAD_OPTIONS`: an option has an invalid value (the message names the option and the value);
 * - `INVALID_EXAMPLE`: an in-memory example given to a pure function (digest, stats, split) cannot be
 *   used, e.g. a non-finite number;
 * - `ABORTED`: the read was aborted through `ReadOptions.signal`;
 * - `INVALID_STATE`: a streaming object was used after it was finished;
 * - `JSON_INVALID`: a small JSON file given to {@link parseJsonText} is not strict JSON (syntax, a
 *   duplicate key, a forbidden key, a non-finite number, ...); `issues` says where;
 * - `DATASET_INVALID`: thrown as {@link DatasetValidationError} when data fails validation.
 */
export type DatasetErrorCode =
  | "FILE_NOT_FOUND"
  | "FILE_READ_ERROR"
  | "BAD_OPTIONS"
  | "INVALID_EXAMPLE"
  | "ABORTED"
  | "INVALID_STATE"
  | "JSON_INVALID"
  | "DATASET_INVALID";

/** Options of the {@link DatasetError} constructor. */
export interface DatasetErrorOptions {
  /** The wrapped error (an I/O error, an abort reason). */
  readonly cause?: unknown;
  /** The file concerned, when there is one. */
  readonly file?: string;
  /**
   * Findings about the data behind the error, each with file, line and JSON pointer.
   * @defaultValue `[]`
   */
  readonly issues?: readonly DatasetIssue[];
  /**
   * One line per problem when there are several.
   * @defaultValue `[]`
   */
  readonly details?: readonly string[];
}

/**
 * Error thrown by `@rlvr/dataset` for problems that are not findings about a dataset file's data: I/O
 * failures, invalid options, unusable in-memory values, a small JSON file that is not strict JSON
 * (`JSON_INVALID`, with its `issues`). Bad data in a dataset file is reported as {@link DatasetIssue}s,
 * or thrown as {@link DatasetValidationError} by `loadDataset`. Extends `RlvrError` of `@rlvr/errors`.
 */
export class DatasetError extends RlvrError<DatasetErrorCode> {
  /** File concerned, when there is one. */
  readonly file: string | undefined;
  /** Findings behind the error (for `JSON_INVALID` and `DATASET_INVALID`), else empty. */
  readonly issues: readonly DatasetIssue[];

  /**
   * @param code - machine-readable reason
   * @param message - what went wrong, naming the file, the option or the bad value
   * @param options - `cause`, `file`, `issues`, `details`
   */
  constructor(code: DatasetErrorCode, message: string, options: DatasetErrorOptions = {}) {
    super(code, message, {
      cause: options.cause,
      ...(options.details === undefined ? {} : { details: options.details }),
    });
    this.name = "DatasetError";
    this.file = options.file;
    this.issues = options.issues ?? [];
    DATASET_ERROR.mark(this);
  }

  /**
   * Whether `value` is a {@link DatasetError} (or subclass), also across two installed copies of this
   * package: checks a `Symbol.for` brand, not `instanceof`.
   */
  static override is(value: unknown): value is DatasetError {
    return DATASET_ERROR.test(value);
  }
}

/**
 * Thrown by `loadDataset` when at least one file is invalid. `issues` holds every issue found (each
 * file's up to its `maxErrors`), `reports` the per-file validation reports.
 */
export class DatasetValidationError extends DatasetError {
  /** One report per file, in the order the files were given. */
  readonly reports: readonly ValidationReport[];

  /**
   * @param message - summary naming the number of issues and the first one
   * @param issues - every issue found, in file order
   * @param reports - the per-file reports
   */
  constructor(message: string, issues: readonly DatasetIssue[], reports: readonly ValidationReport[]) {
    super("DATASET_INVALID", message, { issues });
    this.name = "DatasetValidationError";
    this.reports = reports;
    DATASET_VALIDATION_ERROR.mark(this);
  }

  /** Whether `value` is a {@link DatasetValidationError}; brand-based like {@link DatasetError.is}. */
  static override is(value: unknown): value is DatasetValidationError {
    return DATASET_VALIDATION_ERROR.test(value);
  }
}
