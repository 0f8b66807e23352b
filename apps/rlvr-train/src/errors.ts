const BRAND = Symbol.for("rlvr-train/cli-error");

/**
 * Exit codes of `rlvr-train`: 0 ok, 1 the job failed (or `replay` found differences), 2 bad input or
 * usage, 130 interrupted (SIGINT; the job is recorded as cancelled and can be resumed).
 */
export const ExitCode = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** Error codes of {@link CliError}. */
export type CliErrorCode = "USAGE" | "BAD_INPUT" | "FAILED" | "INTERRUPTED";

/**
 * An error the CLI reports as a message (no stack trace) with an exit code:
 * `USAGE` and `BAD_INPUT` exit 2, `FAILED` exits 1, `INTERRUPTED` exits 130.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;
  /** Extra lines printed after the message (for example one line per dataset issue). */
  readonly details: readonly string[];
  readonly [BRAND] = true;

  constructor(
    code: CliErrorCode,
    message: string,
    options?: { cause?: unknown; details?: readonly string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? [];
  }

  /** True for a {@link CliError} from any copy of this package. */
  static is(value: unknown): value is CliError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    if (this.code === "FAILED") return ExitCode.failed;
    return this.code === "INTERRUPTED" ? ExitCode.interrupted : ExitCode.badInput;
  }
}
