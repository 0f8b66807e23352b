// Shape checks shared by createTrainingEnvironment, fingerprintInputs, buildManifest and
// verifyManifest. Every check reports `<pointer>: <message>` lines into a Sink and returns the
// normalised value (or undefined when it is unusable). An `undefined` value is returned as
// undefined without a report: absent fields are reported once, by checkMembers, whose `required`
// list must therefore name every field a caller cannot default. Internal: not exported.
import { types } from "node:util";
import { child, showPointer, showValue } from "./_pointer.js";
import { canonicalize } from "./canonical-json.js";
import { CanonicalJsonError, FingerprintError, type FingerprintErrorCode } from "./errors.js";
import type { GitState } from "./git.js";
import type { JsonObject, JsonValue } from "./json.js";
import type { RuntimeInfo } from "./runtime.js";

/** Collects problems; `cause` keeps the first underlying error (a CanonicalJsonError). */
export interface Sink {
  readonly problems: string[];
  cause?: unknown;
}

export function createSink(): Sink {
  return { problems: [] };
}

export function report(sink: Sink, pointer: string, message: string): void {
  sink.problems.push(`${showPointer(pointer)}: ${message}`);
}

/**
 * The {@link FingerprintError} with `code` for the problems of the sink: the message is `what`, the
 * count and one problem a line; `details` lists them, `cause` is the sink's first underlying error.
 */
export function problemsError(sink: Sink, code: FingerprintErrorCode, what: string): FingerprintError {
  const count = sink.problems.length;
  return new FingerprintError(
    code,
    `${what} (${count} problem${count === 1 ? "" : "s"}):\n  ${sink.problems.join("\n  ")}`,
    { details: sink.problems, cause: sink.cause },
  );
}

const LONE_SURROGATE = /\p{Cs}/u;

/** A JSON object with a plain prototype (also one from another realm). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return isPlainObject(value) ? "an object" : "a non-plain object";
  return `${typeof value} ${showValue(value)}`;
}

/** Deep-freezes plain data in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Checks that `value` is an object whose members are all known, and that the required ones are
 * present (a member whose value is `undefined` counts as absent). Returns false when it is not an
 * object at all.
 */
export function checkMembers(
  sink: Sink,
  value: unknown,
  pointer: string,
  known: readonly string[],
  required: readonly string[],
  what: string,
): value is Record<string, unknown> {
  if (!isPlainObject(value)) {
    report(sink, pointer, `expected ${what} (a plain object), got ${describe(value)}`);
    return false;
  }
  for (const name of Object.keys(value).sort()) {
    if (!known.includes(name)) {
      report(sink, child(pointer, name), `unknown field (expected one of: ${known.join(", ")})`);
    }
  }
  for (const name of required) {
    if (value[name] === undefined) report(sink, child(pointer, name), "missing required field");
  }
  return true;
}

export interface StringRule {
  readonly pattern?: RegExp;
  readonly expected?: string;
  readonly maxLength?: number;
}

/** A non-empty, well-formed string matching the rule, else a reported problem. */
export function checkString(
  sink: Sink,
  value: unknown,
  pointer: string,
  rule: StringRule = {},
): string | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  const expected = rule.expected ?? "a non-empty string";
  const maxLength = rule.maxLength ?? 4096;
  if (typeof value !== "string" || value.length === 0) {
    report(sink, pointer, `expected ${expected}, got ${describe(value)}`);
    return undefined;
  }
  if (LONE_SURROGATE.test(value)) {
    report(sink, pointer, "string has a lone surrogate (not representable in UTF-8)");
    return undefined;
  }
  if (value.length > maxLength) {
    report(sink, pointer, `expected at most ${maxLength} characters, got ${value.length}`);
    return undefined;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    report(sink, pointer, `expected ${expected}, got ${showValue(value)}`);
    return undefined;
  }
  return value;
}

/** `null`, or a string per {@link checkString}. */
export function checkNullableString(
  sink: Sink,
  value: unknown,
  pointer: string,
  rule: StringRule = {},
): string | null | undefined {
  if (value === null) return null;
  if (value === undefined) return undefined; // absent: reported by checkMembers
  return checkString(sink, value, pointer, {
    ...rule,
    expected: `${rule.expected ?? "a non-empty string"} or null`,
  });
}

export function checkStringArray(sink: Sink, value: unknown, pointer: string): string[] | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (!Array.isArray(value)) {
    report(sink, pointer, `expected an array of non-empty strings, got ${describe(value)}`);
    return undefined;
  }
  const result: string[] = [];
  let ok = true;
  for (let index = 0; index < value.length; index++) {
    const item = checkString(sink, value[index], child(pointer, index));
    if (item === undefined) ok = false;
    else result.push(item);
  }
  return ok ? result : undefined;
}

/**
 * A plain JSON object, returned as its canonical copy (members sorted, `undefined` members
 * dropped, `-0` as 0, `toJSON` applied), deep-frozen.
 */
export function checkJsonObject(sink: Sink, value: unknown, pointer: string): JsonObject | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (!isPlainObject(value)) {
    report(sink, pointer, `expected a JSON object, got ${describe(value)}`);
    return undefined;
  }
  const copy = toCanonicalJson(sink, value, pointer);
  return copy === undefined ? undefined : (copy as JsonObject);
}

/** The message of a canonical-JSON error without its function name and pointer. */
export function reasonOf(error: CanonicalJsonError): string {
  const prefix = `${showPointer(error.pointer)}: `;
  const line = error.details[0] ?? error.message;
  return line.startsWith(prefix) ? line.slice(prefix.length) : line;
}

/** The canonical, deep-frozen copy of any JSON-able value, else a reported problem. */
export function toCanonicalJson(sink: Sink, value: unknown, pointer: string): JsonValue | undefined {
  let text: string;
  try {
    text = canonicalize(value);
  } catch (error) {
    if (!CanonicalJsonError.is(error)) throw error;
    report(sink, pointer + error.pointer, reasonOf(error));
    sink.cause ??= error;
    return undefined;
  }
  return deepFreeze(JSON.parse(text) as JsonValue);
}

// ---- field rules ----------------------------------------------------------------------------

export const DIGEST_RULE: StringRule = {
  pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*:[0-9a-f]{32,128}$/,
  expected: 'a content digest "<algorithm>:<lowercase hex>" such as "sha256:<64 hex digits>"',
  maxLength: 200,
};

export const FINGERPRINT_RULE: StringRule = {
  pattern: /^sha256:[0-9a-f]{64}$/,
  expected: 'a fingerprint "sha256:<64 lowercase hex digits>"',
};

const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-zA-Z0-9~-][a-zA-Z0-9._~-]*$/;
const VERSION = /^[^\s]+$/;
export const GIT_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** True when every field of an ISO_TIMESTAMP match is in range (no February 30th, no hour 24). */
function isRealDateTime(match: RegExpExecArray): boolean {
  const field = (index: number) => Number(match[index] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    field(4) <= 23 &&
    field(5) <= 59 &&
    field(6) <= 59 &&
    field(7) <= 23 &&
    field(8) <= 59
  );
}

export function checkSeed(sink: Sink, value: unknown, pointer: string): number | string | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value === 0 ? 0 : value; // -0 becomes 0
    report(sink, pointer, `expected a safe integer or a non-empty string, got ${describe(value)}`);
    return undefined;
  }
  if (typeof value === "string") {
    return checkString(sink, value, pointer, {
      expected: "a safe integer or a non-empty string",
      maxLength: 1024,
    });
  }
  report(sink, pointer, `expected a safe integer or a non-empty string, got ${describe(value)}`);
  return undefined;
}

export function checkDigest(sink: Sink, value: unknown, pointer: string): string | undefined {
  return checkString(sink, value, pointer, DIGEST_RULE);
}

export function checkPackages(
  sink: Sink,
  value: unknown,
  pointer: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (!isPlainObject(value)) {
    report(sink, pointer, `expected an object of package name → version, got ${describe(value)}`);
    return undefined;
  }
  const result: Record<string, string> = {};
  let ok = true;
  for (const name of Object.keys(value).sort()) {
    const at = child(pointer, name);
    if (name.length > 214 || !PACKAGE_NAME.test(name)) {
      report(sink, at, `expected an npm package name, got ${showValue(name)}`);
      ok = false;
      continue;
    }
    const version = checkString(sink, value[name], at, {
      pattern: VERSION,
      expected: "a version string without spaces",
      maxLength: 256,
    });
    if (version === undefined) ok = false;
    else result[name] = version;
  }
  return ok ? Object.freeze(result) : undefined;
}

const RUNTIME_FIELDS = ["node", "platform", "arch"] as const;

export function checkRuntime(sink: Sink, value: unknown, pointer: string): RuntimeInfo | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (
    !checkMembers(sink, value, pointer, RUNTIME_FIELDS, RUNTIME_FIELDS, "a runtime { node, platform, arch }")
  ) {
    return undefined;
  }
  const node = checkString(sink, value["node"], child(pointer, "node"), { maxLength: 256 });
  const platform = checkString(sink, value["platform"], child(pointer, "platform"), { maxLength: 256 });
  const arch = checkString(sink, value["arch"], child(pointer, "arch"), { maxLength: 256 });
  if (node === undefined || platform === undefined || arch === undefined) return undefined;
  return Object.freeze({ node, platform, arch });
}

export function checkGit(sink: Sink, value: unknown, pointer: string): GitState | null | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (value === null) return null;
  const fields = ["commit", "dirty"] as const;
  if (!checkMembers(sink, value, pointer, fields, fields, "null or a git state { commit, dirty }"))
    return undefined;
  const commit = checkString(sink, value["commit"], child(pointer, "commit"), {
    pattern: GIT_COMMIT,
    expected: "a full commit id (40 or 64 lowercase hex digits)",
  });
  const dirty = value["dirty"];
  if (typeof dirty !== "boolean" && dirty !== undefined) {
    report(sink, child(pointer, "dirty"), `expected a boolean, got ${describe(dirty)}`);
  }
  if (commit === undefined || typeof dirty !== "boolean") return undefined;
  return Object.freeze({ commit, dirty });
}

export function checkTimestamp(sink: Sink, value: unknown, pointer: string): string | null | undefined {
  if (value === undefined) return undefined; // absent: reported by checkMembers
  if (value === null) return null;
  if (types.isDate(value)) {
    if (Number.isNaN(value.getTime())) {
      report(sink, pointer, "expected a valid Date, got an invalid one");
      return undefined;
    }
    return value.toISOString();
  }
  const text = checkString(sink, value, pointer, {
    pattern: ISO_TIMESTAMP,
    expected: 'an ISO 8601 date-time with a time zone, such as "2025-01-31T12:00:00.000Z"',
    maxLength: 64,
  });
  const match = text === undefined ? null : ISO_TIMESTAMP.exec(text);
  if (text !== undefined && (match === null || !isRealDateTime(match))) {
    report(sink, pointer, `expected a real date-time, got ${showValue(text)}`);
    return undefined;
  }
  return text;
}
