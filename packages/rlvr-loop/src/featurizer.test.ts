import type { RlvrContext } from "@rlvr/dataset";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceFeaturize, referenceKeys, referenceTokenize } from "./__fixtures__/reference-featurizer.js";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer, tokenize } from "./featurizer.js";
import { defaultFeaturizerSpec, resolveFeaturizerSpec } from "./featurizer-spec.js";
import { murmur3 } from "./internal/hash.js";
import { _WordScanner } from "./internal/words.js";

describe("createFeaturizer", () => {
  it("hashes the documented keys into buckets and appends the bias", () => {
    const f = createFeaturizer({ dimension: 1024, seed: 3 });
    const context = { prompt: "Convert  the date", features: { kind: "date", urgent: true, size: 2.5 } };
    expect(f.keys(context)).toEqual([
      { key: "s:kind=date", value: 1 },
      { key: "n:size", value: 2.5 },
      { key: "b:urgent=true", value: 1 },
      { key: "u:convert", value: 1 },
      { key: "u:the", value: 1 },
      { key: "u:date", value: 1 },
      { key: "g:convert the", value: 1 },
      { key: "g:the date", value: 1 },
    ]);
    const expected = new Map<number, number>();
    for (const { key, value } of f.keys(context)) {
      const b = murmur3(key, 3) % 1024;
      expected.set(b, (expected.get(b) ?? 0) + value);
    }
    expected.set(1024, 1);
    const { indices, values } = f.featurize(context);
    const sorted = [...expected.entries()].sort((a, b) => a[0] - b[0]);
    expect(Array.from(indices)).toEqual(sorted.map(([b]) => b));
    expect(Array.from(values)).toEqual(sorted.map(([, v]) => v));
    expect(f.rows).toBe(1025);
    expect(f.biasIndex).toBe(1024);
  });

  it("does not depend on the order of feature keys and gives sorted unique indices", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 6 }),
          fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: -9, max: 9 }), fc.boolean()),
          {
            maxKeys: 8,
          },
        ),
        fc.string({ maxLength: 40 }),
        (features, prompt) => {
          const f = createFeaturizer({ dimension: 64 });
          const reversed = Object.fromEntries(Object.entries(features).reverse());
          const a = f.featurize({ prompt, features });
          const b = f.featurize({ prompt, features: reversed });
          expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
          expect(Array.from(a.values)).toEqual(Array.from(b.values));
          for (let k = 1; k < a.indices.length; k++) expect(a.indices[k]!).toBeGreaterThan(a.indices[k - 1]!);
          expect(a.indices[a.indices.length - 1]).toBe(64);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("adds colliding keys and counts repeated words", () => {
    const f = createFeaturizer({ dimension: 1, bigrams: false });
    const { indices, values } = f.featurize({ prompt: "a a b", features: { x: "y" } });
    expect(Array.from(indices)).toEqual([0, 1]);
    expect(Array.from(values)).toEqual([4, 1]);
  });

  it("builds crosses and transforms numeric values", () => {
    const f = createFeaturizer({
      crosses: [
        ["kind", "level"],
        ["size", "kind"],
        ["size", "n"],
      ],
      numeric: "signed_log1p",
    });
    const keys = f
      .keys({ features: { kind: "a", level: "hard", size: -3, n: 1 } })
      .map((k) => [k.key, k.value]);
    expect(keys).toContainEqual(["x:kind=a&level=hard", 1]);
    expect(keys).toContainEqual(["x:size&kind=a", -Math.log1p(3)]);
    expect(keys).toContainEqual(["x:size&n", -Math.log1p(3) * Math.log1p(1)]);
    expect(keys).toContainEqual(["n:size", -Math.log1p(3)]);
  });

  it("rejects non-finite or non-scalar features and bad specs", () => {
    const f = createFeaturizer();
    expect(() => f.featurize({ features: { x: Number.NaN } })).toThrow(
      /context feature "x" is NaN; expected a finite number/,
    );
    expect(() => f.featurize({ features: { x: null as never } })).toThrow(RlvrLoopError);
    expect(() => resolveFeaturizerSpec({ dimension: 0 })).toThrow(/dimension/);
    expect(() => resolveFeaturizerSpec({ crosses: [["a"]] as never })).toThrow(/cross/);
    expect(resolveFeaturizerSpec({})).toEqual(defaultFeaturizerSpec);
  });

  it("tokenizes on Unicode letters, marks and digits after NFC, lower-cased", () => {
    expect(tokenize("Ünïcode-words, 42x  e\u0301t\u00e9!", true)).toEqual([
      "ünïcode",
      "words",
      "42x",
      "\u00e9t\u00e9",
    ]);
    expect(tokenize("ABC def", false)).toEqual(["ABC", "def"]);
  });
});

/** Pieces of text that exercise the tokenizer: case, digits, punctuation, marks, pairs, lone surrogates. */
const PIECES = [
  "A",
  "z",
  "Q7",
  "42",
  " ",
  "  ",
  "\t",
  "\n",
  "-",
  ",",
  ".",
  "!",
  "'",
  "_",
  "/",
  "[x]",
  "a-b",
  "\u00c9",
  "\u00e9",
  "e\u0301",
  "\u0301",
  "\u0308",
  "A\u030a",
  "\u212b",
  "\u00df",
  "\u0130",
  "\u03a3",
  "\u0391\u03a3",
  "\u1100\u1161",
  "\uac00",
  "\uff21\uff11",
  "\u0660",
  "\u00b2",
  "\u00bd",
  "\u00d7",
  "\u00b5",
  "\u4e2d\u6587",
  "\u0928\u093f",
  "\ud835\udc00",
  "\ud801\udc00",
  "\ud83d\ude00",
  "\ud83d\udc4d\ud83c\udffd",
  "\ud800",
  "\udc00x",
  "\u200d",
  "\u00a0",
  "\ufffd",
  "",
];

const textArb = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ maxLength: 40 }),
);

const scalarArb = fc.oneof(
  textArb,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
);

const specArb = fc.record({
  dimension: fc.oneof(fc.constantFrom(1, 7, 64, 1024, 262144), fc.integer({ min: 1, max: 2 ** 24 })),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  features: fc.boolean(),
  unigrams: fc.boolean(),
  bigrams: fc.boolean(),
  lowercase: fc.boolean(),
  numeric: fc.constantFrom("identity" as const, "signed_log1p" as const),
  crosses: fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "\u00e9"), fc.constantFrom("a", "b", "x")), {
    maxLength: 3,
  }),
});

const contextArb = fc.record(
  {
    prompt: textArb,
    features: fc.dictionary(fc.oneof(fc.constantFrom("a", "b", "c", "\u00e9", "x"), textArb), scalarArb, {
      maxKeys: 20,
    }),
  },
  { requiredKeys: [] },
);

describe("the single-pass featurizer", () => {
  it("gives bit for bit the features of the reference (regex, key strings, TextEncoder)", () => {
    fc.assert(
      fc.property(specArb, contextArb, (partial, context) => {
        const f = createFeaturizer(partial);
        const got = f.featurize(context);
        const want = referenceFeaturize(f.spec, context);
        expect(Array.from(got.indices)).toEqual(want.indices);
        expect(new Uint8Array(Float64Array.from(got.values).buffer)).toEqual(
          new Uint8Array(Float64Array.from(want.values).buffer),
        );
        expect(f.keys(context)).toEqual(referenceKeys(f.spec, context));
      }),
      { seed: 20261203, numRuns: 3000 },
    );
  });

  it("sorts long lists by bucket with the reference's order and sums (many words, colliding rows)", () => {
    const wordArb = fc.constantFrom("a", "Bb", "ccc", "dddd", "e5", "Ff", "g", "hhhhhhh", "x1", "yz");
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 7, 64, 1000, 4096, 262144, 2 ** 26),
        fc.array(wordArb, { minLength: 10, maxLength: 400 }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.double({ noNaN: true, noDefaultInfinity: true }), {
          maxKeys: 30,
        }),
        (dimension, words, features) => {
          const f = createFeaturizer({ dimension, seed: 11 });
          const context = { prompt: words.join(" "), features };
          const got = f.featurize(context);
          const want = referenceFeaturize(f.spec, context);
          expect(Array.from(got.indices)).toEqual(want.indices);
          expect(new Uint8Array(Float64Array.from(got.values).buffer)).toEqual(
            new Uint8Array(Float64Array.from(want.values).buffer),
          );
        },
      ),
      { seed: 20261204, numRuns: 400 },
    );
  });

  it("reuses its buffers, and every vector it returned keeps its values", () => {
    const f = createFeaturizer({ dimension: 4096, seed: 5 });
    const long = { prompt: `${"Wort\u00e9 ".repeat(500)}\ud83d\ude00 end`, features: { k: "v".repeat(300) } };
    const contexts: RlvrContext[] = [long, { prompt: "a b" }, long, { prompt: "" }, {}];
    for (let i = 0; i < 400; i++) contexts.push({ prompt: `w${i} x${i % 7} y z${i % 3}`, features: { i } });
    const got = contexts.map((context) => f.featurize(context)); // the pool wraps several times
    contexts.forEach((context, i) => {
      const want = referenceFeaturize(f.spec, context);
      expect(Array.from(got[i]!.indices)).toEqual(want.indices);
      expect(Array.from(got[i]!.values)).toEqual(want.values);
    });
  });

  it("scans the words the regex tokenizer finds, one space apart", () => {
    const scanner = new _WordScanner();
    const decoder = new TextDecoder();
    fc.assert(
      fc.property(textArb, fc.boolean(), (prompt, lowercase) => {
        scanner.scan(prompt, lowercase);
        const words: string[] = [];
        for (let i = 0; i < scanner.count; i++) {
          words.push(decoder.decode(scanner.utf8.bytes.subarray(scanner.starts[i]!, scanner.ends[i]!)));
          if (i > 0) expect(scanner.starts[i]).toBe(scanner.ends[i - 1]! + 1);
        }
        expect(words).toEqual(referenceTokenize(prompt, lowercase));
        expect(tokenize(prompt, lowercase)).toEqual(words);
      }),
      { seed: 99, numRuns: 2000 },
    );
  });

  it("throws what the reference throws for bad feature values", () => {
    const f = createFeaturizer({ crosses: [["a", "b"]] });
    for (const features of [{ a: Number.NaN }, { b: Number.POSITIVE_INFINITY }, { a: null }, { z: [1] }]) {
      const context = { prompt: "x", features } as never;
      expect(() => referenceKeys(f.spec, context)).toThrow();
      let message = "";
      try {
        referenceKeys(f.spec, context);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(() => f.featurize(context)).toThrow(message);
    }
  });
});
