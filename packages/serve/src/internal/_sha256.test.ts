import { hash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { _sha256Prefix128 } from "./_sha256.js";

const reference = (text: string): number[] => {
  const d = hash("sha256", text, "buffer");
  return [0, 4, 8, 12].map((i) => d.readInt32LE(i));
};
const ours = (text: string): number[] => {
  const out = new Int32Array(4);
  _sha256Prefix128(text, out);
  return [...out];
};

describe("the first 128 bits of SHA-256", () => {
  it("match FIPS 180-4's examples", () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 …; SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 …
    const hex = (text: string) =>
      ours(text)
        .map((x) => (x >>> 0).toString(16).padStart(8, "0"))
        .map((h) => h.match(/../g)!.reverse().join(""))
        .join("");
    expect(hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223");
    expect(hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb924");
    expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039",
    );
  });

  it("equal node:crypto's for every length around the block and fallback boundaries", () => {
    for (let n = 0; n <= 260; n++) {
      expect(ours("x".repeat(n))).toEqual(reference("x".repeat(n)));
      expect(ours("é".repeat(n))).toEqual(reference("é".repeat(n))); // two bytes each
    }
  });

  it("equal node:crypto's on any text (property, seeded), lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(ours(text)).toEqual(reference(text));
      }),
      { seed: 20261203, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 120 }), (text) => {
        expect(ours(text)).toEqual(reference(text));
      }),
      { seed: 7, numRuns: 1000 },
    );
  });
});
