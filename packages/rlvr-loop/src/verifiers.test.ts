import { describe, expect, it } from "vitest";
import {
  createCompositeVerifier,
  createExactMatchVerifier,
  createJsonSchemaVerifier,
  createNormalizedTextVerifier,
  createNumericVerifier,
  createRegexVerifier,
  jsonEqual,
  parseJsonOrUndefined,
} from "./verifiers.js";

describe("verifiers", () => {
  it("exact match compares strings exactly and JSON deeply", () => {
    const v = createExactMatchVerifier();
    expect(v.verify("abc", "abc")).toMatchObject({ score: 1, passed: true });
    expect(v.verify("abc ", "abc")).toMatchObject({ score: 0, passed: false });
    expect(v.verify({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }).score).toBe(1);
    expect(v.verify({ a: 1 }, { a: 1, b: undefined }).score).toBe(0);
    expect(jsonEqual([1, { x: null }], [1, { x: null }])).toBe(true);
    expect(jsonEqual(Number.NaN, Number.NaN)).toBe(false);
  });

  it("normalised text ignores case, Unicode form and spacing", () => {
    const v = createNormalizedTextVerifier();
    expect(v.verify("  Caf\u0065\u0301   au LAIT ", "café au lait").score).toBe(1);
    expect(v.verify("cafe au lait", "café au lait").score).toBe(0);
    expect(
      createNormalizedTextVerifier({ stripPunctuation: true }).verify("Hello, world!", "hello world").score,
    ).toBe(1);
    expect(createNormalizedTextVerifier({ caseSensitive: true }).verify("A", "a").score).toBe(0);
    expect(v.verify(3 as never, "3").reason).toMatch(/expected text/);
  });

  it("numeric accepts numbers within tolerance and rejects non-numbers", () => {
    const v = createNumericVerifier({ absoluteTolerance: 0.01 });
    expect(v.verify("3.005", 3).score).toBe(1);
    expect(v.verify(3.02, 3).score).toBe(0);
    expect(v.verify(" 1e3 ", 1000).score).toBe(1);
    expect(v.verify("12 apples", 12)).toMatchObject({
      score: 0,
      reason: expect.stringMatching(/not a number/),
    });
    expect(v.verify("Infinity", 1).score).toBe(0);
    const rel = createNumericVerifier({ absoluteTolerance: 0, relativeTolerance: 1e-3 });
    expect(rel.verify("1000.9", 1000).score).toBe(1);
    expect(rel.verify("1001.1", 1000).score).toBe(0);
    expect(() => createNumericVerifier({ absoluteTolerance: -1 })).toThrow(/tolerances/);
  });

  it("regex matches the whole outcome by default; the reference can be the pattern", () => {
    const v = createRegexVerifier({ pattern: /\d{4}-\d{2}-\d{2}/g });
    expect(v.verify("2024-01-31", undefined).score).toBe(1);
    expect(v.verify("2024-01-31", undefined).score).toBe(1); // no lastIndex state
    expect(v.verify("on 2024-01-31", undefined).score).toBe(0);
    expect(createRegexVerifier({ pattern: "\\d+", fullMatch: false }).verify("abc 12", undefined).score).toBe(
      1,
    );
    expect(createRegexVerifier({ flags: "i" }).verify("HELLO", "hello").score).toBe(1);
    expect(() => createRegexVerifier({ pattern: "(" })).toThrow(/invalid regular expression/);
  });

  it("JSON Schema validates parsed text and values, compiling a schema once", () => {
    const schema = { type: "object", required: ["n"], properties: { n: { type: "integer" } } };
    const v = createJsonSchemaVerifier({ schema });
    expect(v.verify('{"n": 3}', undefined).score).toBe(1);
    expect(v.verify({ n: 3.5 }, undefined)).toMatchObject({ score: 0, reason: expect.stringMatching(/\/n/) });
    expect(v.verify("n = 3", undefined)).toMatchObject({
      score: 0,
      reason: expect.stringMatching(/not JSON/),
    });
    const byReference = createJsonSchemaVerifier();
    expect(byReference.verify("[1, 2]", { type: "array", maxItems: 1 }).score).toBe(0);
    expect(() => createJsonSchemaVerifier({ schema: { type: "nope" } })).toThrow(/does not compile/);
    expect(parseJsonOrUndefined("null")).toBeNull();
    expect(parseJsonOrUndefined("nul")).toBeUndefined();
    expect(parseJsonOrUndefined('{"a":')).toBeUndefined();
  });

  it("composite weights the components and passes at the threshold", () => {
    const v = createCompositeVerifier<string, string>({
      components: [
        {
          name: "format",
          weight: 1,
          verifier: createRegexVerifier({ pattern: "[a-z]+" }),
          reference: () => undefined,
        },
        { name: "value", weight: 3, verifier: createExactMatchVerifier() },
      ],
      passThreshold: 0.75,
    });
    expect(v.verify("abc", "abc")).toMatchObject({
      score: 1,
      passed: true,
      components: { format: 1, value: 1 },
    });
    expect(v.verify("abd", "abc")).toMatchObject({
      score: 0.25,
      passed: false,
      components: { format: 1, value: 0 },
    });
    expect(v.verify("ABC", "ABC")).toMatchObject({ score: 0.75, passed: true });
    expect(() => createCompositeVerifier({ components: [] })).toThrow(/non-empty/);
    expect(() =>
      createCompositeVerifier({ components: [{ weight: 0, verifier: createExactMatchVerifier() }] }),
    ).toThrow(/positive/);
  });
});
