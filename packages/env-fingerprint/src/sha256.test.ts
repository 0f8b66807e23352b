import { describe, expect, it } from "vitest";
import { fingerprintErrorOf } from "./__fixtures__/environments.js";
import { FingerprintError } from "./errors.js";
import { sha256 } from "./sha256.js";

describe("sha256", () => {
  it("matches the FIPS 180-2 test vectors", () => {
    expect(sha256("")).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("hashes a string as its UTF-8 bytes", () => {
    expect(sha256("\u20ac\ud83d\ude00")).toBe(
      sha256(new Uint8Array([0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])),
    );
    expect(sha256(Buffer.from("abc"))).toBe(sha256("abc"));
  });

  it("rejects strings with a lone surrogate, which would collide with U+FFFD", () => {
    expect(() => sha256("a\ud800")).toThrow(/lone surrogate \\ud800 at index 1/);
    expect(() => sha256("\udfff")).toThrow(FingerprintError);
  });

  it("rejects anything but strings and bytes", () => {
    for (const bad of [null, 1, {}, [1, 2], new Uint16Array(1)]) {
      expect(fingerprintErrorOf(() => sha256(bad as never)).code).toBe("FINGERPRINT_INVALID_ARGUMENT");
    }
  });
});
