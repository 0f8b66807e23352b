import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer, tokenize } from "./featurizer.js";
import { defaultFeaturizerSpec, resolveFeaturizerSpec } from "./featurizer-spec.js";
import { murmur3 } from "./internal/hash.js";

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
