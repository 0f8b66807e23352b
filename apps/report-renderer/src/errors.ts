const REPORT_ERROR = Symbol.for("@rlvr/report-renderer/error");

/**
 * Codes of {@link ReportError}:
 * - `INVALID_ARGUMENT`: an argument or option has an invalid value (the message names the function,
 *   the option and the value);
 * - `INVALID_RECORD`: the value is not a valid job record: not JSON, not an object, a record of
 *   another kind ("foreign"), or one that fails the JobRecord schema (`details` lists every problem
 *   with its JSON pointer);
 * - `RENDER_FAILED`: a chart could not be rendered (`cause` is the error of the chart library).
 */
export type ReportErrorCode = "INVALID_ARGUMENT" | "INVALID_RECORD" | "RENDER_FAILED";

/** Options of the {@link ReportError} constructor. */
export interface ReportErrorOptions {
  /** The wrapped error. */
  readonly cause?: unknown;
  /**
   * Every problem found, one line each, starting with a JSON pointer where there is one.
   * @defaultValue `[]`
   */
  readonly details?: readonly string[];
  /**
   * The file the problem was found in, as the caller named it.
   * @defaultValue undefined
   */
  readonly file?: string;
}

/**
 * Error thrown by every function of `@rlvr/report-renderer`. Check it with {@link ReportError.is},
 * which also works across two installed copies of the package (it checks a `Symbol.for` brand, not
 * `instanceof`).
 */
export class ReportError extends Error {
  /** Machine-readable reason, see {@link ReportErrorCode}. */
  readonly code: ReportErrorCode;
  /** Every problem found (JSON pointer first where there is one). */
  readonly details: readonly string[];
  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;

  /**
   * @param code - machine-readable reason
   * @param message - human-readable message naming the function and the bad value
   * @param options - `cause`, `details`, `file`
   */
  constructor(code: ReportErrorCode, message: string, options: ReportErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = "ReportError";
    this.code = code;
    this.details = Object.freeze([...(options.details ?? [])]);
    this.file = options.file;
    Object.defineProperty(this, REPORT_ERROR, { value: true });
  }

  /** Whether `value` is a {@link ReportError} (or a subclass), by brand rather than `instanceof`. */
  static is(value: unknown): value is ReportError {
    return (
      typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[REPORT_ERROR] === true
    );
  }
}
