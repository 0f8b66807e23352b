import { RlvrError } from "@rlvr/errors";
import { describe, expect, it } from "vitest";
import { SearchSpaceError, TunerError } from "./errors.js";

describe("TunerError", () => {
  it("carries a code and a cause and is recognised by brand, not instanceof", () => {
    const cause = new Error("disk full");
    const e = new TunerError("JOURNAL_IO", "cannot append", { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("TunerError");
    expect(e.code).toBe("JOURNAL_IO");
    expect(e.cause).toBe(cause);
    expect(TunerError.is(e)).toBe(true);
    expect(RlvrError.is(e)).toBe(true);
    expect(e).toBeInstanceOf(RlvrError);
    expect(e.details).toEqual([]);
    expect(TunerError.is(new Error("x"))).toBe(false);
    expect(TunerError.is(null)).toBe(false);
    expect(TunerError.is({ code: "JOURNAL_IO" })).toBe(false);
    // A copy from another installed version of the package carries the same Symbol.for brand.
    const foreign = Object.defineProperty(new Error("x"), Symbol.for("@rlvr/tuner/error"), { value: true });
    expect(TunerError.is(foreign)).toBe(true);
    expect("cause" in new TunerError("ABORTED", "no cause")).toBe(false);
  });

  it("SearchSpaceError lists issues and is also a TunerError", () => {
    const e = new SearchSpaceError([{ path: "/a/low", message: "must be a finite number" }]);
    expect(SearchSpaceError.is(e)).toBe(true);
    expect(TunerError.is(e)).toBe(true);
    expect(SearchSpaceError.is(new TunerError("INVALID_ARGUMENT", "x"))).toBe(false);
    expect(e.code).toBe("INVALID_SEARCH_SPACE");
    expect(e.message).toBe("invalid search space at /a/low: must be a finite number");
    expect(e.details).toEqual(["/a/low: must be a finite number"]);
    expect(RlvrError.is(e)).toBe(true);
  });
});
