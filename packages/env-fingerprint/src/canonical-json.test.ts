import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorOf } from "./__fixtures__/environments.js";
import {
  APPENDIX_B,
  NUMBER_EXAMPLES,
  REFERENCE_TESTDATA,
  SECTION_3_2_2_INPUT,
  SECTION_3_2_2_OUTPUT,
  SECTION_3_2_3_INPUT,
  SECTION_3_2_3_NAME_UNITS,
  SECTION_3_2_3_ORDER,
  SECTION_3_2_4_HEX,
} from "./__fixtures__/rfc8785.js";
import { canonicalize, DEFAULT_MAX_DEPTH } from "./canonical-json.js";
import { CanonicalJsonError, type CanonicalJsonErrorCode, FingerprintError } from "./errors.js";

function fromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

const thrown = (action: () => unknown): CanonicalJsonError => errorOf(action, CanonicalJsonError.is);

function expectFailure(value: unknown, code: CanonicalJsonErrorCode, pointer: string): CanonicalJsonError {
  const error = thrown(() => canonicalize(value));
  expect(error.code).toBe(code);
  expect(error.pointer).toBe(pointer);
  return error;
}

/** -0 → 0 everywhere, as canonical JSON (and JSON.parse of it) has no negative zero. */
function withoutNegativeZero(value: unknown): unknown {
  if (typeof value === "number") return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: withoutNegativeZero(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** The same value with every object's members inserted in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).reverse()) {
      const v = reversedKeys((value as Record<string, unknown>)[k]);
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

describe("canonicalize: RFC 8785 test vectors", () => {
  it.each(APPENDIX_B)("Appendix B: binary64 %s", (hex, expected) => {
    const value = fromHex(hex);
    if (expected === null) {
      const error = thrown(() => canonicalize(value));
      expect(error.code).toBe(Number.isNaN(value) ? "CANONICAL_JSON_NAN" : "CANONICAL_JSON_INFINITY");
    } else {
      expect(canonicalize(value)).toBe(expected);
      expect(canonicalize([value])).toBe(`[${expected}]`);
    }
  });

  it.each(NUMBER_EXAMPLES)("serializes %d as %s", (value, expected) => {
    expect(canonicalize(value)).toBe(expected);
  });

  it("§3.2.2: transforms the example document as the RFC shows", () => {
    expect(canonicalize(JSON.parse(SECTION_3_2_2_INPUT))).toBe(SECTION_3_2_2_OUTPUT);
  });

  it("§3.2.4: produces the RFC's UTF-8 bytes for that example", () => {
    const bytes = Buffer.from(canonicalize(JSON.parse(SECTION_3_2_2_INPUT)), "utf8").toString("hex");
    expect(bytes).toBe(SECTION_3_2_4_HEX.replace(/\s+/g, ""));
  });

  it("§3.2.3: sorts member names by UTF-16 code units (the emoji before U+FB33)", () => {
    const canonical = canonicalize(JSON.parse(SECTION_3_2_3_INPUT));
    const parsed = JSON.parse(canonical) as Record<string, string>;
    // JSON.parse keeps string-keyed insertion order; "1" is an array index and would be moved first
    // by any object, so the order is checked on the text itself.
    const positions = SECTION_3_2_3_ORDER.map((v) => canonical.indexOf(`"${v}"`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    const names = SECTION_3_2_3_ORDER.map((v) => Object.keys(parsed).find((k) => parsed[k] === v) ?? "");
    expect(names.map((n) => Array.from({ length: n.length }, (_, i) => n.charCodeAt(i)))).toEqual(
      SECTION_3_2_3_NAME_UNITS,
    );
    expect(canonical).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each(REFERENCE_TESTDATA)("reference implementation testdata: $name", ({ input, output }) => {
    expect(canonicalize(JSON.parse(input))).toBe(output);
  });
});

describe("canonicalize: strings", () => {
  it("escapes only quote, backslash and U+0000..U+001F, with the short forms where JSON has them", () => {
    let controls = "";
    for (let c = 0; c < 0x20; c++) controls += String.fromCharCode(c);
    expect(canonicalize(controls)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"',
    );
    expect(canonicalize('"\\/<>&\u007f\u2028\u2029')).toBe('"\\"\\\\/<>&\u007f\u2028\u2029"');
  });

  it("keeps non-ASCII as is and does not normalise Unicode", () => {
    expect(canonicalize("\u00e9")).toBe('"\u00e9"');
    expect(canonicalize("e\u0301")).toBe('"e\u0301"');
    expect(canonicalize("\u00e9")).not.toBe(canonicalize("e\u0301"));
    expect(canonicalize("\ud83d\ude00")).toBe('"\ud83d\ude00"');
  });

  it("sorts by code units, not by locale or code point", () => {
    expect(canonicalize({ b: 1, B: 2, a: 3, "\u00e4": 4, z: 5 })).toBe(
      '{"B":2,"a":3,"b":1,"z":5,"\u00e4":4}',
    );
    expect(canonicalize({ "\ufb33": 1, "\ud83d\ude00": 2 })).toBe('{"\ud83d\ude00":2,"\ufb33":1}');
    expect(canonicalize({ 10: "a", 9: "b", "": "c" })).toBe('{"":"c","10":"a","9":"b"}');
  });
});

describe("canonicalize: JavaScript values", () => {
  it("writes literals and nested containers without whitespace, keeping array order", () => {
    expect(canonicalize(null)).toBe("null");
    expect(canonicalize(true)).toBe("true");
    expect(canonicalize(false)).toBe("false");
    expect(canonicalize([])).toBe("[]");
    expect(canonicalize({})).toBe("{}");
    expect(canonicalize([3, [2, { y: [], x: {} }], 1])).toBe('[3,[2,{"x":{},"y":[]}],1]');
  });

  it("drops undefined members and ignores symbol keys and non-enumerable properties", () => {
    const value: Record<string | symbol, unknown> = { a: 1, b: undefined, [Symbol("s")]: 2 };
    Object.defineProperty(value, "hidden", { value: 3, enumerable: false });
    expect(canonicalize(value)).toBe('{"a":1}');
  });

  it("honours toJSON with the key JSON.stringify passes, so Dates become ISO strings", () => {
    const keyed = { toJSON: (key: string) => `key:${key}` };
    const value = {
      date: new Date(Date.UTC(2025, 0, 31, 12)),
      keyed,
      list: [keyed],
      gone: { toJSON: () => undefined },
    };
    expect(canonicalize(value)).toBe(
      '{"date":"2025-01-31T12:00:00.000Z","keyed":"key:keyed","list":["key:0"]}',
    );
    expect(canonicalize(keyed)).toBe('"key:"');
    expect(canonicalize(value)).toBe(canonicalize(JSON.parse(JSON.stringify(value))));
  });

  it("accepts null-prototype objects, objects from another realm and shared references", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare["b"] = 2;
    bare["a"] = 1;
    expect(canonicalize(bare)).toBe('{"a":1,"b":2}');
    expect(canonicalize(runInNewContext('({ b: [1, 2], a: { c: "d" } })'))).toBe('{"a":{"c":"d"},"b":[1,2]}');
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  it("writes -0 as 0 everywhere", () => {
    expect(canonicalize({ a: -0, b: [-0] })).toBe('{"a":0,"b":[0]}');
  });
});

/** `[1, <hole>, 3]`, built without a literal hole. */
function sparse(): unknown[] {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
}

describe("canonicalize: rejected values", () => {
  it("rejects NaN and ±Infinity with their pointer", () => {
    expectFailure({ a: [1, Number.NaN] }, "CANONICAL_JSON_NAN", "/a/1");
    expectFailure({ a: { b: Number.POSITIVE_INFINITY } }, "CANONICAL_JSON_INFINITY", "/a/b");
    const error = expectFailure([Number.NEGATIVE_INFINITY], "CANONICAL_JSON_INFINITY", "/0");
    expect(error.message).toBe(
      "no canonical JSON form: /0: -Infinity is not a JSON number (RFC 8785 §3.2.2.3)",
    );
    expect(error.details).toEqual(["/0: -Infinity is not a JSON number (RFC 8785 §3.2.2.3)"]);
  });

  it("rejects lone surrogates in values and member names, escaping the pointer per RFC 6901", () => {
    const high = expectFailure({ "a/b~c": "x\ud800" }, "CANONICAL_JSON_LONE_SURROGATE", "/a~1b~0c");
    expect(high.message).toContain("\\ud800 at index 1");
    expectFailure(["\udc00\ud83d\ude00"], "CANONICAL_JSON_LONE_SURROGATE", "/0");
    expectFailure("\ude00\ud83d", "CANONICAL_JSON_LONE_SURROGATE", "");
    const name = expectFailure({ ok: 1, "k\udbff": 1 }, "CANONICAL_JSON_LONE_SURROGATE", "/k\udbff");
    expect(name.message).toContain("member name");
  });

  it("rejects cycles, naming where the cycle closes and what it points back to", () => {
    const root: Record<string, unknown> = { a: { b: [] as unknown[] } };
    ((root["a"] as Record<string, unknown>)["b"] as unknown[]).push(root["a"]);
    const error = expectFailure(root, "CANONICAL_JSON_CYCLE", "/a/b/0");
    expect(error.message).toContain("ancestor at /a");
    const self: unknown[] = [];
    self.push(self);
    expect(expectFailure(self, "CANONICAL_JSON_CYCLE", "/0").message).toContain("ancestor at (root)");
  });

  it.each([
    ["undefined at the root", undefined, ""],
    ["undefined in an array", [1, undefined], "/1"],
    ["a hole in a sparse array", sparse(), "/1"],
    ["a function member", { f: () => 1 }, "/f"],
    ["a symbol", { s: Symbol("x") }, "/s"],
    ["a bigint", { n: 10n }, "/n"],
    ["a Map", { m: new Map([["a", 1]]) }, "/m"],
    ["a Set", [new Set([1])], "/0"],
    [
      "a class instance",
      {
        c: new (class Point {
          x = 1;
        })(),
      },
      "/c",
    ],
    ["a boxed number", { b: new Number(1) }, "/b"],
    ["a typed array", { t: new Uint8Array(2) }, "/t"],
    ["a RegExp", /x/, ""],
  ])("rejects %s", (_what, value, pointer) => {
    const error = expectFailure(value, "CANONICAL_JSON_UNSUPPORTED_TYPE", pointer);
    expect(error.message.startsWith(`no canonical JSON form: ${pointer === "" ? "(root)" : pointer}: `)).toBe(
      true,
    );
  });

  it("names the class of a rejected instance", () => {
    expect(thrown(() => canonicalize(new Map())).message).toContain("an instance of Map");
    expect(thrown(() => canonicalize(new Boolean(true))).message).toContain("a boxed boolean");
  });

  it("limits nesting depth instead of overflowing the stack", () => {
    let deep: unknown = 0;
    for (let i = 0; i < DEFAULT_MAX_DEPTH; i++) deep = [deep];
    expect(canonicalize(deep)).toHaveLength(2 * DEFAULT_MAX_DEPTH + 1);
    expect(thrown(() => canonicalize([deep])).code).toBe("CANONICAL_JSON_TOO_DEEP");
    expect(canonicalize({ a: { b: {} } }, { maxDepth: 3 })).toBe('{"a":{"b":{}}}');
    const tooDeep = thrown(() => canonicalize({ a: { b: { c: {} } } }, { maxDepth: 3 }));
    expect([tooDeep.code, tooDeep.pointer]).toEqual(["CANONICAL_JSON_TOO_DEEP", "/a/b/c"]);
    expect(tooDeep.message).toContain("maxDepth 3");
    expect(() => canonicalize(1, { maxDepth: 0 })).toThrow(
      /maxDepth option of canonical JSON must be a positive integer/,
    );
    expect(() => canonicalize(1, { maxDepth: 1.5 })).toThrow(FingerprintError);
  });

  it("throws errors that are both CanonicalJsonError and FingerprintError", () => {
    const error = thrown(() => canonicalize(Number.NaN));
    expect(FingerprintError.is(error)).toBe(true);
    expect(CanonicalJsonError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CanonicalJsonError");
  });
});

describe("canonicalize: properties", () => {
  const json = fc.jsonValue({ stringUnit: "binary", maxDepth: 4 });

  it("is idempotent: canonicalize(JSON.parse(canonicalize(x))) === canonicalize(x)", () => {
    fc.assert(
      fc.property(json, (x) => {
        const once = canonicalize(x);
        expect(canonicalize(JSON.parse(once))).toBe(once);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("does not depend on member insertion order", () => {
    fc.assert(
      fc.property(json, (x) => {
        expect(canonicalize(reversedKeys(x))).toBe(canonicalize(x));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("parses back to an equal value", () => {
    fc.assert(
      fc.property(json, (x) => {
        expect(JSON.parse(canonicalize(x))).toStrictEqual(withoutNegativeZero(x));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("agrees with JSON.stringify of the member-sorted value (names that are not array indices)", () => {
    const sortedCopy = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortedCopy);
      if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        const names = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const k of names) out[k] = sortedCopy((value as Record<string, unknown>)[k]);
        return out;
      }
      return value;
    };
    const nonIndexKey = fc.string({ unit: "binary", maxLength: 6 }).map((k) => `k${k}`);
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: "binary" }),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(nonIndexKey, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (x) => {
        expect(canonicalize(x)).toBe(JSON.stringify(sortedCopy(x)));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("writes every finite double so that it parses back to the same double, in ECMAScript form", () => {
    const esNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-][1-9]\d*)?$/;
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = canonicalize(d);
        expect(text).toMatch(esNumber);
        expect(Number(text)).toBe(d === 0 ? 0 : d);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("rejects any string that contains a lone surrogate", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 8 }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string({ unit: "binary-ascii", maxLength: 8 }),
        (before, unit, after) => {
          const text = `${before}${String.fromCharCode(unit)}${after}`;
          expect(thrown(() => canonicalize({ v: text })).code).toBe("CANONICAL_JSON_LONE_SURROGATE");
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
