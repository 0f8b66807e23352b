import { DatasetError } from "../errors.js";

export const MAX_CANONICAL_DEPTH = 1000;

export function fail(what: string, value: unknown): never {
  throw new DatasetError(
    "INVALID_EXAMPLE",
    `the example cannot be canonicalised: ${what} (got ${typeof value === "number" ? String(value) : typeof value})`,
  );
}

export function num(n: number, where: string): string {
  if (typeof n !== "number" || !Number.isFinite(n)) fail(`${where} must be a finite number`, n);
  // ECMAScript Number::toString, as RFC 8785 requires; `"" + -0` is "0".
  return `${n}`;
}

export function str(s: string, where: string): string {
  if (typeof s !== "string") fail(`${where} must be a string`, s);
  return JSON.stringify(s);
}

/**
 * The dataset package's private RFC 8785 serializer of free-form values (example `metadata` and
 * `features` with array-index-like keys, which the fast path of `canonicalizeExample` cannot order,
 * and the prompts whose hash names a completions group). The public implementation is
 * `canonicalize` of `@rlvr/env-fingerprint`; this one exists because `@rlvr/dataset` imports nothing
 * of ours, and `@rlvr/orchestrator`'s tests check that both give the same text.
 *
 * RFC 8785 canonical JSON of any JSON value: object members sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript form, `undefined` members dropped. Throws a {@link DatasetError}
 * (`INVALID_EXAMPLE`) for non-finite numbers, non-JSON values and nesting deeper than 1000 (cycles).
 * Lone surrogates are written as `\udxxx` escapes (validation rejects them in files).
 *
 * @param value - a JSON value
 * @returns its canonical JSON text
 */
export function canonicalJson(value: unknown): string {
  return canon(value, 0);
}

export function canon(value: unknown, depth: number): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return num(value, "a number");
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (depth >= MAX_CANONICAL_DEPTH) fail("value nested too deeply (or cyclic)", value);
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item: unknown = value[i];
          out += item === undefined ? "null" : canon(item, depth + 1);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = "{";
      let first = true;
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined) continue;
        out += `${first ? "" : ","}${JSON.stringify(key)}:${canon(v, depth + 1)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return fail("value is not JSON", value);
  }
}
