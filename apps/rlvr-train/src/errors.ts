import { type CliErrorCode, EXIT_CODES } from "@rlvr/orchestrator";

const BRAND = Symbol.for("rlvr-train/cli-error");

/**
 * Exit codes of `rlvr-train`: 0 ok, 1 the job failed (or `replay` found differences), 2 bad input,
 * usage or environment, 130 interrupted (SIGINT or SIGTERM; the job is recorded as cancelled and can
 * be resumed). The exit code of every error comes from the orchestrator's error table.
 */
export const ExitCode = EXIT_CODES;

export type { CliErrorCode };

/**
 * An error the CLI reports as a message (no stack trace); its exit code comes from the error table
 * (`USAGE`, `BAD_INPUT` and `ENVIRONMENT` exit 2, `FAILED` 1, `INTERRUPTED` 130).
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
}
