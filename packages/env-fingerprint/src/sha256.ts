import { createHash } from "node:crypto";
import { types } from "node:util";
import { FingerprintError } from "./errors.js";

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * SHA-256 of a text (hashed as its UTF-8 bytes) or of raw bytes, as `"sha256:<64 lowercase hex>"`.
 *
 * @param text - a string (must be well-formed UTF-16: a lone surrogate would be replaced by U+FFFD
 *   when encoding to UTF-8, so two different strings would share a hash; that is rejected) or bytes
 * @returns `"sha256:"` followed by the 64-digit lowercase hex digest
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ARGUMENT` for anything else
 *
 * @example
 * ```ts
 * sha256(canonicalize({ a: 1 })); // "sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
 * ```
 */
export function sha256(text: string | Uint8Array): string {
  const hash = createHash("sha256");
  if (typeof text === "string") {
    if (LONE_SURROGATE.test(text)) {
      const at = text.search(LONE_SURROGATE);
      throw new FingerprintError(
        "FINGERPRINT_INVALID_ARGUMENT",
        `the text to hash has a lone surrogate \\u${text.charCodeAt(at).toString(16)} at index ${at}; it has no UTF-8 form`,
      );
    }
    hash.update(text, "utf8");
  } else if (types.isUint8Array(text)) {
    hash.update(text);
  } else {
    throw new FingerprintError(
      "FINGERPRINT_INVALID_ARGUMENT",
      `the value to hash must be a string or a Uint8Array, got ${text === null ? "null" : typeof text}`,
    );
  }
  return `sha256:${hash.digest("hex")}`;
}
