import { diffJson } from "./_diff-json.js";
import { requireEnvironment } from "./_environment.js";
import { inputsOf } from "./_inputs.js";
import { isPlainObject } from "./_validate.js";
import { canonicalize } from "./canonical-json.js";
import type { TrainingEnvironment } from "./environment.js";
import { CanonicalJsonError, FingerprintError } from "./errors.js";
import type { JsonValue } from "./json.js";
import type { Manifest } from "./manifest.js";

/**
 * One difference between the fingerprint inputs of two environments or manifests.
 *
 * - `changed`: present in both with different values (`a` and `b` both set);
 * - `added`: present only in the second (`b` set);
 * - `removed`: present only in the first (`a` set).
 */
export interface FingerprintDiff {
  /** RFC 6901 JSON pointer into the fingerprint inputs, e.g. `"/rlvrConfig/learningRate"`. */
  readonly pointer: string;
  /** What happened at `pointer`. */
  readonly kind: "changed" | "added" | "removed";
  /** Value in the first argument (absent for `added`). */
  readonly a?: JsonValue;
  /** Value in the second argument (absent for `removed`). */
  readonly b?: JsonValue;
}

/**
 * Which fingerprint inputs differ between two environments or manifests: the answer to "why do
 * these two jobs have different fingerprints?". Objects are compared member by member and arrays
 * element by element, down to the leaves; a value that changes kind (an object replaced by an
 * array, a number by a string) is one `changed` entry. Recorded-only fields (paths, host, git,
 * label...) are never reported: they are not inputs.
 *
 * The result is deterministic, in document order of the canonical form: member names sorted by
 * UTF-16 code units, array elements by index (so `/a/2` comes before `/a/10`). It is empty exactly
 * when the two fingerprints are equal.
 *
 * For a manifest, its stored `inputs` are compared (run {@link verifyManifest} first to know they
 * are trustworthy); for an environment, {@link fingerprintInputs} of it.
 *
 * @param a - first environment or manifest
 * @param b - second environment or manifest
 * @returns the differences (a new array; empty when the fingerprints are equal)
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ENVIRONMENT` for a malformed environment,
 *   `FINGERPRINT_INVALID_ARGUMENT` for a manifest whose `inputs` are not a JSON object
 *
 * @example
 * ```ts
 * diffFingerprintInputs(envA, envB);
 * // [{ pointer: "/rlvrConfig/learningRate", kind: "changed", a: 0.05, b: 0.1 }]
 * ```
 */
export function diffFingerprintInputs(
  a: TrainingEnvironment | Manifest,
  b: TrainingEnvironment | Manifest,
): FingerprintDiff[] {
  const left = comparable(a, "first");
  const right = comparable(b, "second");
  return diffJson(left, right);
}

function comparable(value: unknown, which: string): JsonValue {
  if (isPlainObject(value) && Object.hasOwn(value, "manifestVersion")) {
    const inputs = value["inputs"];
    if (!isPlainObject(inputs)) {
      throw new FingerprintError(
        "FINGERPRINT_INVALID_ARGUMENT",
        `the ${which} value to compare is a manifest without an inputs object`,
        { details: ["/inputs: expected a JSON object"] },
      );
    }
    try {
      return JSON.parse(canonicalize(inputs)) as JsonValue;
    } catch (error) {
      if (!CanonicalJsonError.is(error)) throw error;
      throw new FingerprintError(
        "FINGERPRINT_INVALID_ARGUMENT",
        `the inputs of the ${which} manifest to compare are not JSON: ${error.message}`,
        { cause: error, details: [`/inputs${error.pointer}: ${error.code}`] },
      );
    }
  }
  const environment = requireEnvironment(value, `the ${which} value to compare`);
  return JSON.parse(canonicalize(inputsOf(environment))) as JsonValue;
}
