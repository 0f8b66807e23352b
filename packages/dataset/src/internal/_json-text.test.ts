import { describe, expect, it } from "vitest";
import { describeParseError, lineColumn, locatePointers } from "./_json-text.js";

function failure(text: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    return describeParseError(text, error);
  }
  throw new Error("parsed");
}

describe("describeParseError", () => {
  it("gives the offset and a message without the input text", () => {
    const f = failure('{"a": 1,}');
    expect(f.offset).toBe(8);
    expect(f.message).not.toContain("position");
    expect(f.message.length).toBeGreaterThan(0);
    const long = failure(`{"a": tru${"x".repeat(500)}}`);
    expect(long.message.length).toBeLessThan(100);
  });

  it("names bare NaN and Infinity", () => {
    expect(failure('{"a": NaN}')).toEqual({
      message: expect.stringContaining("NaN is not a JSON number"),
      offset: 6,
    });
    expect(failure("[1, -Infinity]").message).toMatch(/-Infinity/);
    expect(failure('{"NaN": x}').message).not.toMatch(/NaN is not/);
  });
});

describe("lineColumn", () => {
  it("counts 1-based lines and columns", () => {
    expect(lineColumn("ab\ncd\nef", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd\nef", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab\ncd\nef", 6)).toEqual({ line: 3, column: 1 });
  });
});

describe("locatePointers", () => {
  const text = `{
  "id": "x",
  "examples": [
    { "id": "a", "reward": 1 },
    {
      "id": "b",
      "a/b": { "~k": [10, 20] },
      "reward": 2
    }
  ],
  "esc\\"aped": { "q": null }
}`;

  it("finds the line each value starts on", () => {
    const lines = locatePointers(text, [
      "",
      "/id",
      "/examples",
      "/examples/0",
      "/examples/0/reward",
      "/examples/1",
      "/examples/1/reward",
      "/examples/1/a~1b/~0k/1",
      '/esc"aped/q',
    ]);
    expect(Object.fromEntries(lines)).toEqual({
      "": 1,
      "/id": 2,
      "/examples": 3,
      "/examples/0": 4,
      "/examples/0/reward": 4,
      "/examples/1": 5,
      "/examples/1/reward": 8,
      "/examples/1/a~1b/~0k/1": 7,
      '/esc"aped/q': 11,
    });
  });

  it("falls back to the nearest existing ancestor", () => {
    const lines = locatePointers(text, ["/examples/1/missing", "/nope/deeper"]);
    expect(lines.get("/examples/1/missing")).toBe(5);
    expect(lines.get("/nope/deeper")).toBe(1);
  });

  it("handles empty containers and nested arrays", () => {
    const t = "[\n[],\n{},\n[[1],\n[2]]\n]";
    expect(Object.fromEntries(locatePointers(t, ["/0", "/1", "/2/1/0"]))).toEqual({
      "/0": 2,
      "/1": 3,
      "/2/1/0": 5,
    });
  });
});
