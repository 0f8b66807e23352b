// Structural difference of two JSON values, by JSON pointer. Internal.
import { child } from "./_pointer.js";
import type { FingerprintDiff } from "./diff.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Differences between two JSON values (as `JSON.parse` returns them), in document order: object
 * members by name (UTF-16 code units), array elements by index. Objects are compared member by
 * member, arrays element by element; anything else (including a change of kind, such as an
 * object against an array) is one `changed` entry at that pointer.
 */
export function diffJson(a: unknown, b: unknown): FingerprintDiff[] {
  const out: FingerprintDiff[] = [];
  walk(a, b, "", out);
  return out;
}

function walk(a: unknown, b: unknown, pointer: string, out: FingerprintDiff[]): void {
  if (isObject(a) && isObject(b)) {
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const name of names) {
      const at = child(pointer, name);
      const inA = Object.hasOwn(a, name);
      const inB = Object.hasOwn(b, name);
      if (inA && inB) walk(a[name], b[name], at, out);
      else if (inA) out.push({ pointer: at, kind: "removed", a: a[name] as FingerprintDiff["a"] });
      else out.push({ pointer: at, kind: "added", b: b[name] as FingerprintDiff["b"] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.max(a.length, b.length);
    for (let index = 0; index < length; index++) {
      const at = child(pointer, index);
      if (index >= b.length) out.push({ pointer: at, kind: "removed", a: a[index] });
      else if (index >= a.length) out.push({ pointer: at, kind: "added", b: b[index] });
      else walk(a[index], b[index], at, out);
    }
    return;
  }
  if (!sameLeaf(a, b))
    out.push({ pointer, kind: "changed", a: a as FingerprintDiff["a"], b: b as FingerprintDiff["b"] });
}

function sameLeaf(a: unknown, b: unknown): boolean {
  // Leaves of parsed canonical JSON: null, booleans, finite numbers (no -0), strings. An empty
  // object and an empty array differ; two empty objects were handled above.
  return a === b;
}
