import { describe, expect, it } from "vitest";
import {
  type DatasetIssue,
  escapePointerToken,
  formatIssue,
  MAX_ISSUE_VALUE_LENGTH,
  shortenValue,
} from "./issues.js";

describe("formatIssue", () => {
  const base: DatasetIssue = {
    code: "OUT_OF_RANGE",
    file: "data.jsonl",
    pointer: "/reward",
    message: "out of range",
  };

  it("renders file:line: pointer: message (got, expected)", () => {
    expect(formatIssue({ ...base, line: 12, value: "1.5", expected: "number in [0, 1]" })).toBe(
      "data.jsonl:12: /reward: out of range (got 1.5, expected number in [0, 1])",
    );
  });

  it("leaves out what is unknown and names the root pointer", () => {
    expect(formatIssue(base)).toBe("data.jsonl: /reward: out of range");
    expect(formatIssue({ ...base, pointer: "", expected: "x" })).toBe(
      "data.jsonl: (root): out of range (expected x)",
    );
    expect(formatIssue({ ...base, value: "2" })).toBe("data.jsonl: /reward: out of range (got 2)");
  });
});

describe("shortenValue", () => {
  it("writes JSON, and non-finite numbers by name", () => {
    expect(shortenValue({ a: [1, "x", null, true] })).toBe('{"a":[1,"x",null,true]}');
    expect(shortenValue(Number.POSITIVE_INFINITY)).toBe("Infinity");
    expect(shortenValue(Number.NaN)).toBe("NaN");
    expect(shortenValue(undefined)).toBe("undefined");
  });

  it("cuts long values to the budget with an ellipsis", () => {
    const s = shortenValue("x".repeat(10_000));
    expect(s.length).toBe(MAX_ISSUE_VALUE_LENGTH);
    expect(s.endsWith("…")).toBe(true);
    expect(s.startsWith('"xxx')).toBe(true);
    expect(shortenValue("y".repeat(78))).toBe(`"${"y".repeat(78)}"`);
  });

  it("stops early on huge values and never splits a surrogate pair", () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    expect(shortenValue(huge).length).toBe(MAX_ISSUE_VALUE_LENGTH);
    const emoji = shortenValue("😀".repeat(100), 10);
    expect(emoji.length).toBeLessThanOrEqual(10);
    expect(/[\ud800-\udbff]…$/.test(emoji)).toBe(false);
  });
});

describe("escapePointerToken", () => {
  it("escapes ~ and / as RFC 6901 says", () => {
    expect(escapePointerToken("a/b~c")).toBe("a~1b~0c");
    expect(escapePointerToken(3)).toBe("3");
    expect(escapePointerToken("plain")).toBe("plain");
  });
});
