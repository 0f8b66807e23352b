import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur3 } from "./hash.js";

/** Reference MurmurHash3 x86-32 over bytes from TextEncoder (the textbook algorithm). */
function reference(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const nblocks = n >> 2;
  for (let i = 0; i < nblocks; i++) {
    let k = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = nblocks * 4;
  if ((n & 3) >= 3) k ^= bytes[tail + 2]! << 16;
  if ((n & 3) >= 2) k ^= bytes[tail + 1]! << 8;
  if ((n & 3) >= 1) {
    k ^= bytes[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

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
});
