import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapePointerToken } from "../issues.js";
import { findDuplicateKeys, mayHaveDuplicateKeys } from "./_duplicate-keys.js";

/** A JSON value as written: objects keep every member in order, repeated names included. */
type Node =
  | { kind: "scalar"; value: string | number | boolean | null }
  | { kind: "array"; items: Node[] }
  | { kind: "object"; members: { name: string; escape: boolean[]; value: Node }[] };

const NAMES = ["a", "b", "ab", "é", "a/b", "m~n", "\u0061x", "😀", 'q"', "s\\"];
const name = fc.constantFrom(...NAMES);
const scalar: fc.Arbitrary<Node> = fc
  .oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom('say "x": now', "12:30", 'a\\":b'),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  )
  .map((value) => ({ kind: "scalar", value }));
const node: fc.Arbitrary<Node> = fc.letrec<{ v: Node }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 3 }).map((items): Node => ({ kind: "array", items })),
    fc
      .array(
        fc.record({ name, escape: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), value: tie("v") }),
        { maxLength: 4 },
      )
      .map((members): Node => ({ kind: "object", members })),
  ),
})).v;
const space = fc.constantFrom("", " ", "\n", " \n\t");

/** JSON text of a name, some characters written as `\uXXXX` escapes ("a" and "\u0061" are one name). */
function nameText(n: string, escapes: readonly boolean[]): string {
  let out = '"';
  let k = 0;
  for (const ch of n) {
    const plain = JSON.stringify(ch).slice(1, -1);
    const useEscape = escapes[k++ % escapes.length] === true && ch.length === 1;
    out += useEscape ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}` : plain;
  }
  return `${out}"`;
}

function write(n: Node, ws: string): string {
  if (n.kind === "scalar") return JSON.stringify(n.value);
  if (n.kind === "array") return `[${ws}${n.items.map((i) => write(i, ws)).join(`,${ws}`)}${ws}]`;
  const members = n.members.map((m) => `${nameText(m.name, m.escape)}${ws}:${ws}${write(m.value, ws)}`);
  return `{${ws}${members.join(`,${ws}`)}${ws}}`;
}

/** Pointers of every repeated name, in text order, from the model. */
function expected(n: Node, pointer = ""): string[] {
  if (n.kind === "scalar") return [];
  if (n.kind === "array") return n.items.flatMap((item, i) => expected(item, `${pointer}/${i}`));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of n.members) {
    const p = `${pointer}/${escapePointerToken(m.name)}`;
    if (seen.has(m.name)) out.push(p);
    seen.add(m.name);
    out.push(...expected(m.value, p));
  }
  return out;
}

describe("duplicate member names", () => {
  it("finds exactly the repeated names of random documents, escapes decoded, at the second occurrence", () => {
    fc.assert(
      fc.property(node, space, (tree, ws) => {
        const text = write(tree, ws);
        const value: unknown = JSON.parse(text);
        const want = expected(tree);
        expect(findDuplicateKeys(text).map((d) => d.pointer)).toEqual(want);
        // The cheap bound is sound: never "no" when there is a duplicate.
        if (want.length > 0) expect(mayHaveDuplicateKeys(text, value)).toBe(true);
      }),
      { seed: 20251203, numRuns: 600 },
    );
  });

  it("says no without a scan when no string holds a quote or a colon", () => {
    // Names and strings without quotes or colons: every colon after a quote ends a member name.
    const word = fc.string({ unit: fc.constantFrom("a", "b", " ", "/", "~", "é"), maxLength: 4 });
    const plain = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        word,
        fc.integer(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(word, tie("v"), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(plain, fc.constantFrom(undefined, 2), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expect(mayHaveDuplicateKeys(text, JSON.parse(text))).toBe(false);
        expect(findDuplicateKeys(text)).toEqual([]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("treats an escaped name as the same name, and gives the lines of both occurrences", () => {
    const text = '{\n  "a": 1,\n  "b": {"x": [1, {"y": 2, "y": 3}]},\n  "\\u0061": 4\n}';
    expect(mayHaveDuplicateKeys(text, JSON.parse(text))).toBe(true);
    expect(findDuplicateKeys(text)).toEqual([
      { key: "y", pointer: "/b/x/1/y", line: 3, firstLine: 3 },
      { key: "a", pointer: "/a", line: 4, firstLine: 2 },
    ]);
  });

  it("escapes the pointer token of the name and stops at max", () => {
    const text = '{"a/b~": 1, "a/b~": 2, "c": 1, "c": 2}';
    expect(findDuplicateKeys(text, 1)).toEqual([{ key: "a/b~", pointer: "/a~1b~0", line: 1, firstLine: 1 }]);
  });

  it("counts through deep nesting without overflowing the stack", () => {
    const depth = 20_000;
    const text = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const value: unknown = JSON.parse(text);
    expect(mayHaveDuplicateKeys(text, value)).toBe(true); // too deep to count: the scan decides
    expect(findDuplicateKeys(text)).toEqual([]);
  });
});

describe("large objects", () => {
  it("finds a duplicate among thousands of names", () => {
    const names = Array.from({ length: 5000 }, (_, i) => `"k${i}": ${i}`);
    const text = `{${names.join(",")}, "k4321": 0}`;
    expect(findDuplicateKeys(text)).toEqual([{ key: "k4321", pointer: "/k4321", line: 1, firstLine: 1 }]);
  });
});
