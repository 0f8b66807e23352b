import { createErrorBrand, RlvrError } from "@rlvr/errors";

const FINGERPRINT_ERROR = createErrorBrand("@rlvr/env-fingerprint/error");
const CANONICAL_JSON_ERROR = createErrorBrand("@rlvr/env-fingerprint/canonical-json-error");

/**
 * Codes of {@link FingerprintError}s that are not canonical-JSON errors.
 *
 * - `FINGERPRINT_INVALID_OPTIONS`: options given to {@link createTrainingEnvironment} or
 *   {@link buildManifest} are malformed (every problem is listed in `details`).
 * - `FINGERPRINT_INVALID_ENVIRONMENT`: a value passed where a {@link TrainingEnvironment} is expected
 *   does not have its exact shape (for example options passed to `fingerprint` directly).
 * - `FINGERPRINT_INVALID_ARGUMENT`: any other bad argument (a manifest without `inputs` given to
 *   {@link diffFingerprintInputs}, a string with a lone surrogate given to {@link sha256}, a bad
 *   `maxDepth` given to {@link canonicalize}, ...).
 */
export type FingerprintErrorCode =
  | "FINGERPRINT_INVALID_OPTIONS"
  | "FINGERPRINT_INVALID_ENVIRONMENT"
  | "FINGERPRINT_INVALID_ARGUMENT";

/**
 * Codes of {@link CanonicalJsonError}: why a value has no RFC 8785 canonical form.
 *
 * - `CANONICAL_JSON_NAN`: a `NaN` number.
 * - `CANONICAL_JSON_INFINITY`: `Infinity` or `-Infinity`.
 * - `CANONICAL_JSON_LONE_SURROGATE`: a string or member name with an unpaired UTF-16 surrogate
 *   (not representable in UTF-8, so RFC 8785 / I-JSON reject it).
 * - `CANONICAL_JSON_CYCLE`: an object or array that contains itself.
 * - `CANONICAL_JSON_UNSUPPORTED_TYPE`: `undefined` at the root or in an array, a hole in a sparse
 *   array, a bigint, symbol or function, or an object that is neither an array nor plain data
 *   (a `Map`, a class instance, a boxed primitive) and has no `toJSON()` method.
 * - `CANONICAL_JSON_TOO_DEEP`: arrays/objects nested deeper than the `maxDepth` option.
 */
export type CanonicalJsonErrorCode =
  | "CANONICAL_JSON_NAN"
  | "CANONICAL_JSON_INFINITY"
  | "CANONICAL_JSON_LONE_SURROGATE"
  | "CANONICAL_JSON_CYCLE"
  | "CANONICAL_JSON_UNSUPPORTED_TYPE"
  | "CANONICAL_JSON_TOO_DEEP";

/** Options of the {@link FingerprintError} constructor. */
export interface FingerprintErrorOptions {
  /**
   * The error that caused this one.
   * @defaultValue undefined
   */
  readonly cause?: unknown;
  /**
   * One line per problem, each `<JSON pointer>: <what is wrong>` (`(root)` for the value itself).
   * @defaultValue `[]`
   */
  readonly details?: readonly string[];
}

/**
 * The error every function of `@rlvr/env-fingerprint` throws. `code` says what went wrong,
 * `details` lists every problem found (one `pointer: message` line each), `cause` holds the
 * underlying error where there is one.
 *
 * Use {@link FingerprintError.is} rather than `instanceof`: it also recognises errors thrown by
 * another installed copy of this package. Extends `RlvrError` of `@rlvr/errors`.
 */
export class FingerprintError extends RlvrError<FingerprintErrorCode | CanonicalJsonErrorCode> {
  /**
   * @param code - machine-readable reason
   * @param message - what went wrong, naming the JSON pointer and the bad value
   * @param options - `cause` and `details`
   */
  constructor(
    code: FingerprintErrorCode | CanonicalJsonErrorCode,
    message: string,
    options?: FingerprintErrorOptions,
  ) {
    super(code, message, {
      cause: options?.cause,
      details: Object.freeze([...(options?.details ?? [])]),
    });
    this.name = "FingerprintError";
    FINGERPRINT_ERROR.mark(this);
  }

  /**
   * True for any error thrown by `@rlvr/env-fingerprint` (including {@link CanonicalJsonError}),
   * from this or any other installed copy of the package.
   * @param value - anything
   */
  static override is(value: unknown): value is FingerprintError {
    return FINGERPRINT_ERROR.test(value);
  }
}

/**
 * Thrown by {@link canonicalize} when a value has no RFC 8785 canonical form. `pointer` is the
 * RFC 6901 JSON pointer of the offending value (`""` for the value itself), relative to the value
 * that was being canonicalized. Every `CanonicalJsonError` is also a {@link FingerprintError}.
 */
export class CanonicalJsonError extends FingerprintError {
  declare readonly code: CanonicalJsonErrorCode;
  /** RFC 6901 JSON pointer of the offending value (`""` is the root). */
  readonly pointer: string;

  /**
   * @param code - machine-readable reason
   * @param pointer - RFC 6901 JSON pointer of the offending value
   * @param message - what went wrong, naming the pointer and the value
   * @param options - `cause` and `details`
   */
  constructor(
    code: CanonicalJsonErrorCode,
    pointer: string,
    message: string,
    options?: FingerprintErrorOptions,
  ) {
    super(code, message, options);
    this.name = "CanonicalJsonError";
    this.pointer = pointer;
    CANONICAL_JSON_ERROR.mark(this);
  }

  /**
   * True for a {@link CanonicalJsonError} from this or any other installed copy of the package.
   * @param value - anything
   */
  static override is(value: unknown): value is CanonicalJsonError {
    return CANONICAL_JSON_ERROR.test(value);
  }
}
