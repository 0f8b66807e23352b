// Stable JSON for comparisons: object keys sorted by UTF-16 code units, no whitespace.
import { compareCodeUnits } from "./search-space.js";

/** JSON text of `value` with object keys sorted (arrays keep their order; undefined members dropped). */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort(compareCodeUnits)) {
    if (obj[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${stableStringify(obj[key])}`);
  }
  return `{${parts.join(",")}}`;
}
