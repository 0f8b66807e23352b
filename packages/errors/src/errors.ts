/** Options of the {@link RlvrError} constructor, shared by every package's error class. */
export interface RlvrErrorOptions {
  /** The wrapped error (an I/O error, a driver error, an abort reason). */
  readonly cause?: unknown;
  /**
   * One line per problem when there are several (`pointer: message`).
   * @defaultValue `[]`
   */
  readonly details?: readonly string[];
}

/**
 * A brand: a `Symbol.for` key set on an error instance, so that `is` checks work across two installed
 * copies of a package (where `instanceof` fails).
 */
export interface ErrorBrand {
  /** Marks `error` with this brand. */
  mark(error: object): void;
  /** Whether `value` carries this brand. */
  test(value: unknown): boolean;
}

/**
 * Creates the brand named `key` (a global `Symbol.for(key)`, e.g. `"@rlvr/dataset/error"`).
 *
 * @param key - the brand's global name: the package name and the class, `"@scope/pkg/kind"`
 */
export function createErrorBrand(key: string): ErrorBrand {
  const symbol = Symbol.for(key);
  return {
    mark(error) {
      Object.defineProperty(error, symbol, { value: true });
    },
    test(value) {
      return (
        typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[symbol] === true
      );
    },
  };
}

const BASE = createErrorBrand("@rlvr/errors/error");

/**
 * Base of the error classes of every rlvr package (`DatasetError`, `TunerError`, ...): a `name`, a
 * machine-readable `code` from the package's own list, an optional `cause` and detail lines. The
 * command line maps `name` and `code` to a message and an exit code through one table; packages never
 * choose exit codes.
 *
 * @typeParam Code - the package's code union
 */
export class RlvrError<Code extends string = string> extends Error {
  /** Machine-readable reason, from the package's code list. */
  readonly code: Code;
  /** One line per problem, when there are several (else empty). */
  readonly details: readonly string[];

  /**
   * @param code - machine-readable reason
   * @param message - what went wrong, naming the file, pointer and bad value where there are some
   * @param options - `cause`, `details`
   */
  constructor(code: Code, message: string, options: RlvrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RlvrError";
    this.code = code;
    this.details = options.details ?? [];
    BASE.mark(this);
  }

  /** Whether `value` is an error of any rlvr package, also from another installed copy. */
  static is(value: unknown): value is RlvrError {
    return BASE.test(value);
  }
}
