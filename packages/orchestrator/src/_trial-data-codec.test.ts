import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTrialData, encodeTrialData } from "./_trial-data-codec.js";

const typed = fc.oneof(
  fc.float64Array({ maxLength: 20 }),
  fc.float32Array({ maxLength: 20 }),
  fc.int32Array({ maxLength: 20 }),
  fc.uint8Array({ maxLength: 21 }),
  fc.int16Array({ maxLength: 7 }),
);
const leaf = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  typed,
);
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(
    fc.oneof(fc.string(), fc.constantFrom("$t", "$n", "$u", "$$x", "o", "n", "__proto__")),
    tie("value"),
    { maxKeys: 5, noNullPrototype: true },
  ),
})).value;

describe("the trial data codec", () => {
  it("decodes what it encoded, exactly (typed arrays, -0, NaN, infinities, undefined, $-keys)", () => {
    fc.assert(
      fc.property(data, (value) => {
        expect(decodeTrialData(encodeTrialData(value))).toStrictEqual(value);
      }),
      { seed: 1303, numRuns: 300 },
    );
  });

  it("gives the same bytes for equal data however V8 holds its numbers (v8.serialize does not)", () => {
    const asInt = { a: 1, b: [2, 3], c: new Float64Array([0.5]) };
    const fromDoubles = new Float64Array([1, 2, 3]);
    const asDouble = { a: fromDoubles[0], b: [fromDoubles[1], fromDoubles[2]], c: new Float64Array([0.5]) };
    expect(Buffer.from(serialize(asInt)).equals(Buffer.from(serialize(asDouble)))).toBe(false);
    expect(encodeTrialData(asDouble)).toEqual(encodeTrialData(asInt));
  });

  it("keeps typed arrays that are views into larger buffers, and aligns them", () => {
    const big = new Float64Array([1, 2, 3, 4, 5]);
    const value = { head: new Uint8Array([7, 8, 9]), view: big.subarray(1, 3) };
    const back = decodeTrialData(encodeTrialData(value)) as { view: Float64Array; head: Uint8Array };
    expect([...back.view]).toEqual([2, 3]);
    expect(back.view.byteOffset % 8).toBe(0);
    expect([...back.head]).toEqual([7, 8, 9]);
  });

  it("refuses what it cannot hold, and bytes that are not its own", () => {
    expect(() => encodeTrialData({ m: new Map() })).toThrow(/Map/);
    expect(() => encodeTrialData({ f: () => 1 })).toThrow(/function/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeTrialData(cycle)).toThrow(/contains itself/);
    expect(() => decodeTrialData(new Uint8Array([1, 2, 3]))).toThrow(/not a job's trial data/);
    const bytes = encodeTrialData({ x: new Float64Array(4) });
    expect(() => decodeTrialData(bytes.subarray(0, bytes.byteLength - 8))).toThrow(/truncated/);
  });
});
