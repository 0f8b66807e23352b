import { showPointer, toPointer } from "./_pointer.js";
import { CanonicalJsonError, type CanonicalJsonErrorCode, FingerprintError } from "./errors.js";

/** Default of {@link CanonicalizeOptions.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 1000;

/** Options of {@link canonicalize}. */
export interface CanonicalizeOptions {
  /**
   * Largest nesting depth of arrays and objects accepted (the root container is depth 1). Deeper
   * values throw `CANONICAL_JSON_TOO_DEEP` instead of exhausting the call stack.
   * @defaultValue 1000 ({@link DEFAULT_MAX_DEPTH})
   */
  readonly maxDepth?: number;
}

/** Matches an unpaired UTF-16 surrogate: in `u` mode a well-formed pair is one code point, not `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

interface Context {
  readonly maxDepth: number;
  /** Output fragments, joined once at the end (cheaper than growing one string). */
  readonly out: string[];
  /** Reference tokens from the root to the value being serialized (array indices as numbers). */
  readonly path: (string | number)[];
  /**
   * Containers on the current path, outermost first. The container at index i was entered when
   * the path had i tokens, so `path.slice(0, i)` is its pointer.
   */
  readonly ancestors: object[];
}

/**
 * The RFC 8785 (JSON Canonicalization Scheme, JCS) form of a value: the one JSON text that every
 * conforming implementation, in any language, produces for the same data. Hash its UTF-8 bytes
 * (see {@link sha256}) to get a content address.
 *
 * - No whitespace; object members sorted by their names' UTF-16 code units (never by locale);
 *   array order kept.
 * - Numbers in ECMAScript `Number.prototype.toString` form (`1e+21`, `1e-7`, `4.5`, `0.002`);
 *   `-0` is written `0`. `NaN` and `±Infinity` are rejected.
 * - Strings escaped as RFC 8785 §3.2.2.2 says (only `"`, `\` and U+0000–U+001F; U+2028, `/` and
 *   non-ASCII are written as is). Strings and member names with a lone surrogate are rejected.
 *   No Unicode normalisation is applied.
 *
 * JavaScript-specific choices, the same as `JSON.stringify` unless stated:
 * - `toJSON()` is honoured, with the same key argument `JSON.stringify` passes (so a `Date`
 *   becomes its ISO string, and `canonicalize(x)` equals `canonicalize(JSON.parse(JSON.stringify(x)))`
 *   whenever both succeed).
 * - Object members whose value is `undefined` (after `toJSON`) are dropped; symbol-keyed and
 *   non-enumerable properties are ignored.
 * - Stricter than `JSON.stringify`, because a content address must never lose data silently:
 *   `undefined` at the root or inside an array, sparse-array holes, functions, symbols and bigints
 *   are rejected, and so are objects that are neither arrays nor plain objects (prototype
 *   `Object.prototype`, `null`, or another realm's `Object.prototype`): a `Map`, `Set`, class
 *   instance or boxed primitive would otherwise be written as `{}` or unwrapped.
 * - Shared references are fine; a cycle is an error.
 *
 * @param value - the value to canonicalize
 * @param options - see {@link CanonicalizeOptions}
 * @returns the canonical JSON text
 * @throws {@link CanonicalJsonError} naming the JSON pointer of the offending value, with code
 *   `CANONICAL_JSON_NAN`, `CANONICAL_JSON_INFINITY`, `CANONICAL_JSON_LONE_SURROGATE`,
 *   `CANONICAL_JSON_CYCLE`, `CANONICAL_JSON_UNSUPPORTED_TYPE` or `CANONICAL_JSON_TOO_DEEP`; a
 *   {@link FingerprintError} `FINGERPRINT_INVALID_ARGUMENT` for a `maxDepth` that is not a positive integer
 *
 * @example
 * ```ts
 * canonicalize({ b: [1e21, -0, 4.50], a: "€" }); // '{"a":"€","b":[1e+21,0,4.5]}'
 * ```
 */
export function canonicalize(value: unknown, options?: CanonicalizeOptions): string {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new FingerprintError(
      "FINGERPRINT_INVALID_ARGUMENT",
      `the maxDepth option of canonical JSON must be a positive integer, got ${String(maxDepth)}`,
    );
  }
  const context: Context = { maxDepth, out: [], path: [], ancestors: [] };
  if (!serialize(context, value, "")) {
    fail(context, "CANONICAL_JSON_UNSUPPORTED_TYPE", "undefined is not a JSON value");
  }
  return context.out.join("");
}

function fail(context: Context, code: CanonicalJsonErrorCode, reason: string): never {
  const pointer = toPointer(context.path.map(String));
  const detail = `${showPointer(pointer)}: ${reason}`;
  throw new CanonicalJsonError(code, pointer, `no canonical JSON form: ${detail}`, { details: [detail] });
}

/** Appends the canonical form of `value` to `context.out`; false when it is `undefined` (nothing written). */
function serialize(context: Context, value: unknown, key: string | number): boolean {
  if ((typeof value === "object" && value !== null) || typeof value === "bigint") {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case "string":
      context.out.push(serializeString(context, value, "string"));
      return true;
    case "number":
      if (Number.isNaN(value))
        fail(context, "CANONICAL_JSON_NAN", "NaN is not a JSON number (RFC 8785 §3.2.2.3)");
      if (!Number.isFinite(value)) {
        fail(context, "CANONICAL_JSON_INFINITY", `${value} is not a JSON number (RFC 8785 §3.2.2.3)`);
      }
      // Number.prototype.toString is exactly the serialization RFC 8785 prescribes; -0 prints as "0".
      context.out.push(String(value));
      return true;
    case "boolean":
      context.out.push(value ? "true" : "false");
      return true;
    case "undefined":
      return false;
    case "object":
      if (value === null) context.out.push("null");
      else serializeContainer(context, value);
      return true;
    case "bigint":
      return fail(
        context,
        "CANONICAL_JSON_UNSUPPORTED_TYPE",
        `bigint ${value}n is not a JSON value (convert it to a number or a string)`,
      );
    default:
      return fail(context, "CANONICAL_JSON_UNSUPPORTED_TYPE", `a ${typeof value} is not a JSON value`);
  }
}

function serializeString(context: Context, text: string, what: "string" | "member name"): string {
  if (LONE_SURROGATE.test(text)) {
    const at = text.search(LONE_SURROGATE);
    const unit = text.charCodeAt(at).toString(16);
    fail(
      context,
      "CANONICAL_JSON_LONE_SURROGATE",
      `${what} has a lone surrogate \\u${unit} at index ${at} (not representable in UTF-8; RFC 8785 §3.2.2.2)`,
    );
  }
  // For well-formed strings JSON.stringify escapes exactly as RFC 8785 requires.
  return JSON.stringify(text);
}

function serializeContainer(context: Context, value: object): void {
  const { ancestors } = context;
  const seenAt = ancestors.indexOf(value);
  if (seenAt !== -1) {
    const target = showPointer(toPointer(context.path.slice(0, seenAt).map(String)));
    fail(context, "CANONICAL_JSON_CYCLE", `cycle: this value is its own ancestor at ${target}`);
  }
  if (ancestors.length >= context.maxDepth) {
    fail(context, "CANONICAL_JSON_TOO_DEEP", `nesting deeper than maxDepth ${context.maxDepth}`);
  }
  ancestors.push(value);
  if (Array.isArray(value)) serializeArray(context, value);
  else serializeObject(context, value);
  ancestors.pop();
}

function serializeArray(context: Context, array: readonly unknown[]): void {
  const { out, path } = context;
  out.push("[");
  const { length } = array;
  for (let index = 0; index < length; index++) {
    if (index > 0) out.push(",");
    path.push(index);
    if (!(index in array)) {
      fail(context, "CANONICAL_JSON_UNSUPPORTED_TYPE", "hole in a sparse array (write null explicitly)");
    }
    if (!serialize(context, array[index], index)) {
      fail(
        context,
        "CANONICAL_JSON_UNSUPPORTED_TYPE",
        "undefined in an array (JSON.stringify would silently write null; write null explicitly)",
      );
    }
    path.pop();
  }
  out.push("]");
}

function serializeObject(context: Context, object: object): void {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== null && prototype !== Object.prototype && Object.getPrototypeOf(prototype) !== null) {
    fail(
      context,
      "CANONICAL_JSON_UNSUPPORTED_TYPE",
      `${describeObject(prototype)} is not plain data (convert it to a plain object or array, or give it a toJSON() method)`,
    );
  }
  const { out, path } = context;
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
  const names = Object.keys(record).sort();
  out.push("{");
  let separator = "";
  for (const name of names) {
    path.push(name);
    const key = serializeString(context, name, "member name");
    const mark = out.length;
    out.push(separator, key, ":");
    if (serialize(context, record[name], name)) separator = ",";
    else out.length = mark; // undefined member: take back what was written for it
    path.pop();
  }
  out.push("}");
}

function describeObject(prototype: unknown): string {
  const maker = (prototype as { constructor?: unknown }).constructor;
  const name = typeof maker === "function" ? maker.name : "";
  if (
    name === "Number" ||
    name === "String" ||
    name === "Boolean" ||
    name === "BigInt" ||
    name === "Symbol"
  ) {
    return `a boxed ${name.toLowerCase()} (new ${name}(...))`;
  }
  return name === "" ? "an object with a custom prototype" : `an instance of ${name}`;
}
