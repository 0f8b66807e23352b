import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceMurmur3 as reference } from "../__fixtures__/reference-featurizer.js";
import { _murmur3Tagged, _Utf8Buffer, murmur3, murmur3Bytes } from "./hash.js";

describe("murmur3", () => {
  it("gives the published MurmurHash3 x86-32 test vectors", () => {
    expect(murmur3("", 0)).toBe(0);
    expect(murmur3("", 1)).toBe(0x514e28b7);
    expect(murmur3("", 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3("aaaa", 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3("abc", 0)).toBe(0xb3dd93fa);
    expect(murmur3("hello", 0)).toBe(0x248bfa47);
    expect(murmur3("The quick brown fox jumps over the lazy dog", 0)).toBe(0x2e4ff723);
  });

  it("hashes the UTF-8 bytes TextEncoder produces, lone surrogates included", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (s, seed) => {
          expect(murmur3(s, seed)).toBe(reference(encoder.encode(s), seed));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it("hashes byte ranges, with and without a two-byte tag, like the bytes laid out in one buffer", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.nat({ max: 8 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (body, offset, tag, seed) => {
          const padded = new Uint8Array(offset + body.length + 3);
          padded.set(body, offset);
          const tagged = new Uint8Array([tag & 0xff, tag >>> 8, ...body]);
          expect(murmur3Bytes(body, body.length, seed)).toBe(reference(body, seed));
          expect(_murmur3Tagged(tag, padded, offset, offset + body.length, seed)).toBe(
            reference(tagged, seed),
          );
        },
      ),
      { seed: 7, numRuns: 500 },
    );
    const buffer = new _Utf8Buffer();
    buffer.text("a\u00e9\ud83d\ude00\ud800z");
    expect(buffer.bytes.subarray(0, buffer.length)).toEqual(encoder.encode("a\u00e9\ud83d\ude00\ud800z"));
  });
});
