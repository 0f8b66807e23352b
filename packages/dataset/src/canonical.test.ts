import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { example, exampleBody } from "./__fixtures__/helpers.js";
import { canonicalizeExample } from "./canonical.js";
import { DatasetError } from "./errors.js";
import { canonicalJson } from "./internal/_canonical-json.js";
import type { RlvrExample } from "./schema.js";

/** Reference RFC 8785 serializer for the tests: generic, written independently of the fast path. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("canonicalJson (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units, not by code point or locale", () => {
    // By code units: U+20AC (0x20AC) sorts before U+1F600 (surrogates 0xD83D 0xDE00); "10" before "2".
    const value = { "\u20ac": 1, "\ud83d\ude00": 2, "\u0080": 3, "1": 4, "10": 5, "2": 6, a: 7, B: 8 };
    expect(canonicalJson(value)).toBe(
      '{"1":4,"10":5,"2":6,"B":8,"a":7,"\u0080":3,"\u20ac":1,"\ud83d\ude00":2}',
    );
  });

  it("writes numbers in ECMAScript form, -0 as 0", () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 333333333.3333333, 1e300, 5e-324, 100])).toBe(
      "[1e+21,1e-7,0,0.1,333333333.3333333,1e+300,5e-324,100]",
    );
  });

  it("escapes strings as JSON.stringify does (RFC 8785 §3.2.2.2)", () => {
    expect(canonicalJson('\u0000\u001f"\\/\u2028é')).toBe('"\\u0000\\u001f\\"\\\\/\u2028é"');
  });

  it("drops undefined members, rejects non-finite numbers and non-JSON values", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(DatasetError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/not JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/deeply/);
  });
});

describe("canonicalizeExample", () => {
  it("equals the generic RFC 8785 form of the example (weight 1 dropped)", () => {
    fc.assert(
      fc.property(exampleBody, (body) => {
        const e = { id: "i", groupId: "g", ...body } as RlvrExample;
        const normalised = { ...e };
        if (normalised.weight === 1) delete normalised.weight;
        expect(canonicalizeExample(e)).toBe(reference(JSON.parse(JSON.stringify(normalised))));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("sorts members whatever the input order, also with array-index-like keys", () => {
    const e = example({
      context: { prompt: "p", features: { b: 1, a: true, "10": "x", "2": "y" } },
      rewards: { z: 0.5, y: 1 },
      metadata: { k: [{ d: 1, c: { f: null, e: -0 } }], "0": 1, "-1": 2 },
    });
    expect(canonicalizeExample(e)).toBe(
      '{"action":"a","context":{"features":{"10":"x","2":"y","a":true,"b":1},"prompt":"p"},"groupId":"g1","id":"e1",' +
        '"metadata":{"-1":2,"0":1,"k":[{"c":{"e":0,"f":null},"d":1}]},"reward":1,"rewards":{"y":1,"z":0.5},"verified":true}',
    );
    const plain = example({ metadata: { k: [{ d: 1, c: { f: null, e: 2 } }], b: 1, a: 2 } });
    expect(canonicalizeExample(plain)).toBe(reference(JSON.parse(JSON.stringify(plain))));
    // the input is never modified
    expect(Object.keys(plain.metadata!)).toEqual(["k", "b", "a"]);
  });

  it("keeps a __proto__ member of an in-memory value as data", () => {
    const withProto = example({ metadata: JSON.parse('{"b":1,"__proto__":{"x":1}}') });
    expect(canonicalizeExample(withProto)).toContain('"metadata":{"__proto__":{"x":1},"b":1}');
  });

  it("treats weight 1 as absent, other weights as data", () => {
    expect(canonicalizeExample(example({ weight: 1 }))).toBe(canonicalizeExample(example()));
    expect(canonicalizeExample(example({ weight: 2 }))).not.toBe(canonicalizeExample(example()));
    expect(canonicalizeExample(example())).toBe(
      '{"action":"a","context":{},"groupId":"g1","id":"e1","reward":1,"verified":true}',
    );
  });

  it("throws INVALID_EXAMPLE for values that have no canonical form", () => {
    const err = (() => {
      try {
        canonicalizeExample(example({ reward: Number.NaN }));
      } catch (e) {
        return e;
      }
    })();
    expect(DatasetError.is(err) && err.code).toBe("INVALID_EXAMPLE");
    expect(() => canonicalizeExample(example({ verified: "yes" as unknown as boolean }))).toThrow(/boolean/);
    expect(() => canonicalizeExample(example({ metadata: { x: Number.POSITIVE_INFINITY } }))).toThrow(
      /finite/,
    );
  });
});
