// Test helpers (not part of the package build).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { RlvrExample } from "../schema.js";

/** Absolute path of a fixture file. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** A temporary folder with a `write(name, content)` helper and a `cleanup()`. */
export function tempDir(prefix = "rlvr-dataset-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    write(name: string, content: string | Uint8Array): string {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    unique(ext: string): string {
      return join(dir, `f${n++}${ext}`);
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes each content to a new file `case-<n><ext>` of `dir`; returns its path. */
export function caseWriter(dir: ReturnType<typeof tempDir>) {
  let n = 0;
  return (content: string | Uint8Array, ext = ".jsonl"): string => dir.write(`case-${n++}${ext}`, content);
}

/** A minimal valid example. */
export function example(overrides: Partial<RlvrExample> & Record<string, unknown> = {}): RlvrExample {
  return { id: "e1", groupId: "g1", context: {}, action: "a", reward: 1, verified: true, ...overrides } as RlvrExample;
}

/** JSON lines of examples (or any values), each followed by a newline. */
export function jsonl(values: readonly unknown[]): string {
  return values.map((v) => `${JSON.stringify(v)}\n`).join("");
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const key = fc.string({ minLength: 1, maxLength: 8, unit: "grapheme" }).filter((k) => !FORBIDDEN.has(k));
const text = fc.string({ maxLength: 12, unit: "grapheme" });
const label = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" });
const unitNumber = fc.double({ min: 0, max: 1, noNaN: true });
const scalar = fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    scalar,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(key, tie("v"), { maxKeys: 3 }),
  ),
})).v;

/** Arbitrary valid examples (without id/groupId, which the caller sets). */
export const exampleBody = fc
  .record(
    {
      context: fc.record(
        { prompt: text, features: fc.dictionary(key, scalar, { maxKeys: 4 }) },
        { requiredKeys: [] },
      ),
      action: label,
      reward: unitNumber,
      rewards: fc.dictionary(key, unitNumber, { minKeys: 1, maxKeys: 3 }),
      verified: fc.boolean(),
      behaviorProb: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
      extraActions: fc.uniqueArray(label, { maxLength: 3 }),
      weight: fc.double({ min: 0.001, max: 100, noNaN: true }),
      source: text,
      metadata: fc.dictionary(key, json, { maxKeys: 3 }),
    },
    { requiredKeys: ["context", "action", "reward", "verified"] },
  )
  .map(({ extraActions, ...rest }) => {
    const e = rest as Omit<RlvrExample, "id" | "groupId">;
    if (extraActions !== undefined) {
      (e as RlvrExample).allowedActions = [...new Set([e.action, ...extraActions])];
    }
    return e;
  });

/** Arbitrary lists of valid examples with unique ids and a few groups. */
export const examplesArb = fc
  .array(fc.tuple(exampleBody, fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 8 })
  .map((items) =>
    items.map(([body, g], i) => ({ id: `ex-${i}`, groupId: `group-${g}`, ...body }) as RlvrExample),
  );

/** Reverse the key order of every object, recursively (JSON-equivalent value, other key order). */
export function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).reverse()) out[k] = reverseKeys((value as Record<string, unknown>)[k]);
  return out;
}
