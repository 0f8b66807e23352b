import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { example, examplesArb, reverseKeys } from "./__fixtures__/helpers.js";
import { canonicalizeExample } from "./canonical.js";
import { createDigest, DIGEST_PREFIX, digestExamples } from "./digest.js";
import { DatasetError } from "./errors.js";
import type { RlvrExample } from "./schema.js";

describe("digestExamples", () => {
  it("is SHA-256 of the prefix and one canonical line per example", () => {
    const examples = [example({ id: "a" }), example({ id: "b", reward: 0.5, weight: 3 })];
    const text = DIGEST_PREFIX + examples.map((e) => `${canonicalizeExample(e)}\n`).join("");
    expect(digestExamples(examples)).toBe(`sha256:${createHash("sha256").update(text).digest("hex")}`);
    expect(digestExamples([])).toBe(`sha256:${createHash("sha256").update(DIGEST_PREFIX).digest("hex")}`);
  });

  it("does not depend on key order or on a JSON round trip", () => {
    fc.assert(
      fc.property(examplesArb, (examples) => {
        const reordered = examples.map((e) => reverseKeys(JSON.parse(JSON.stringify(e))) as RlvrExample);
        expect(digestExamples(reordered)).toBe(digestExamples(examples));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it("changes when any reward changes", () => {
    fc.assert(
      fc.property(
        examplesArb,
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (examples, k, reward) => {
          const i = k % examples.length;
          const before = examples[i]!.reward;
          fc.pre(!Object.is(reward === 0 ? 0 : reward, before === 0 ? 0 : before));
          const changed = examples.map((e, j) => (j === i ? { ...e, reward } : e));
          expect(digestExamples(changed)).not.toBe(digestExamples(examples));
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("changes with order, ids and any other value", () => {
    const a = example({ id: "a" });
    const b = example({ id: "b" });
    const base = digestExamples([a, b]);
    expect(digestExamples([b, a])).not.toBe(base);
    expect(digestExamples([a, { ...b, id: "c" }])).not.toBe(base);
    expect(digestExamples([a, { ...b, verified: false }])).not.toBe(base);
    expect(digestExamples([a, { ...b, context: { prompt: "" } }])).not.toBe(base);
    expect(digestExamples([a, { ...b, metadata: {} }])).not.toBe(base);
    expect(digestExamples([a])).not.toBe(base);
  });
});

describe("createDigest", () => {
  it("streams: many examples give the same digest as one pass, across flushes", () => {
    const examples = Array.from({ length: 5000 }, (_, i) =>
      example({ id: `id-${i}`, context: { prompt: "p".repeat(i % 97) } }),
    );
    const d = createDigest();
    for (const e of examples) d.add(e);
    expect(d.count).toBe(5000);
    const text = DIGEST_PREFIX + examples.map((e) => `${canonicalizeExample(e)}\n`).join("");
    expect(d.bytes).toBe(Buffer.byteLength(text));
    expect(d.digest()).toBe(`sha256:${createHash("sha256").update(text).digest("hex")}`);
  });

  it("refuses use after digest()", () => {
    const d = createDigest();
    d.digest();
    expect(() => d.add(example())).toThrow(DatasetError);
    expect(() => d.digest()).toThrow(/used after it was finished/);
  });
});
