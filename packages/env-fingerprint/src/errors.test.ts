import { describe, expect, it } from "vitest";
import { CanonicalJsonError, FingerprintError } from "./errors.js";

describe("FingerprintError and CanonicalJsonError", () => {
  it("carry code, details and cause", () => {
    const cause = new Error("inner");
    const error = new FingerprintError("FINGERPRINT_INVALID_OPTIONS", "bad", { cause, details: ["/a: b"] });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("FingerprintError");
    expect(error.code).toBe("FINGERPRINT_INVALID_OPTIONS");
    expect(error.details).toEqual(["/a: b"]);
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(new FingerprintError("FINGERPRINT_INVALID_ARGUMENT", "x").details).toEqual([]);
    expect("cause" in new FingerprintError("FINGERPRINT_INVALID_ARGUMENT", "x")).toBe(false);
  });

  it("recognise their own kind with is(), without instanceof", () => {
    const plain = new FingerprintError("FINGERPRINT_INVALID_ARGUMENT", "x");
    const canonical = new CanonicalJsonError("CANONICAL_JSON_NAN", "/a", "y");
    expect(FingerprintError.is(plain)).toBe(true);
    expect(FingerprintError.is(canonical)).toBe(true);
    expect(CanonicalJsonError.is(canonical)).toBe(true);
    expect(CanonicalJsonError.is(plain)).toBe(false);
    expect(canonical.pointer).toBe("/a");
    expect(canonical.name).toBe("CanonicalJsonError");
    for (const other of [
      new Error("x"),
      null,
      undefined,
      "FingerprintError",
      { code: "FINGERPRINT_INVALID_ARGUMENT" },
    ]) {
      expect(FingerprintError.is(other)).toBe(false);
      expect(CanonicalJsonError.is(other)).toBe(false);
    }
  });

  it("recognise errors from another installed copy through the global symbol brand", () => {
    const fromOtherCopy = Object.assign(new Error("x"), { code: "CANONICAL_JSON_CYCLE" });
    Object.defineProperty(fromOtherCopy, Symbol.for("@rlvr/env-fingerprint/error"), { value: true });
    expect(FingerprintError.is(fromOtherCopy)).toBe(true);
    expect(CanonicalJsonError.is(fromOtherCopy)).toBe(false);
    Object.defineProperty(fromOtherCopy, Symbol.for("@rlvr/env-fingerprint/canonical-json-error"), {
      value: true,
    });
    expect(CanonicalJsonError.is(fromOtherCopy)).toBe(true);
  });
});
