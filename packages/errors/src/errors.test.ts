import { describe, expect, it } from "vitest";
import { createErrorBrand, RlvrError } from "./index.js";

const BRAND = createErrorBrand("@rlvr/errors/test-error");

class TestError extends RlvrError<"BAD" | "WORSE"> {
  constructor(code: "BAD" | "WORSE", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "TestError";
    BRAND.mark(this);
  }
  static override is(value: unknown): value is TestError {
    return BRAND.test(value);
  }
}

describe("RlvrError", () => {
  it("carries code, cause and details, and is recognised by brand", () => {
    const cause = new Error("disk full");
    const e = new RlvrError("IO", "could not write out/job.json", { cause, details: ["a", "b"] });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("IO");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual(["a", "b"]);
    expect(RlvrError.is(e)).toBe(true);
    expect(RlvrError.is(new Error("x"))).toBe(false);
    expect(RlvrError.is(null)).toBe(false);
    expect(RlvrError.is("RlvrError")).toBe(false);
    expect("cause" in new RlvrError("X", "no cause")).toBe(false);
  });

  it("subclasses keep their own brand and the base brand", () => {
    const e = new TestError("BAD", "bad");
    expect(TestError.is(e)).toBe(true);
    expect(RlvrError.is(e)).toBe(true);
    expect(TestError.is(new RlvrError("BAD", "bad"))).toBe(false);
    expect(e.name).toBe("TestError");
  });

  it("brands survive a second copy of the class (Symbol.for)", () => {
    const other = createErrorBrand("@rlvr/errors/test-error");
    expect(other.test(new TestError("WORSE", "w"))).toBe(true);
    expect(other.test({})).toBe(false);
  });
});
