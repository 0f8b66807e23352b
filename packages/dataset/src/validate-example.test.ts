import { describe, expect, it } from "vitest";
import { example } from "./__fixtures__/helpers.js";
import { isRlvrExample, validateExample } from "./validate-example.js";

describe("validateExample", () => {
  it("accepts a valid example and rejects an invalid one with labelled issues", () => {
    expect(validateExample(example())).toEqual([]);
    expect(isRlvrExample(example({ weight: 0.5, behaviorProb: 1 }))).toBe(true);
    const issues = validateExample(example({ reward: 2, allowedActions: ["b"] }), {
      file: "memory",
      pointer: "/examples/4",
    });
    expect(issues.map((i) => [i.file, i.pointer, i.code])).toEqual([
      ["memory", "/examples/4/reward", "OUT_OF_RANGE"],
      ["memory", "/examples/4/allowedActions", "ACTION_NOT_ALLOWED"],
    ]);
    expect(isRlvrExample(null)).toBe(false);
    expect(validateExample([])[0]).toMatchObject({ code: "WRONG_TYPE", pointer: "" });
  });

  it("rejects values no file could hold: NaN, lone surrogates", () => {
    expect(validateExample(example({ reward: Number.NaN }))[0]).toMatchObject({
      code: "NOT_FINITE",
      pointer: "/reward",
    });
    expect(validateExample(example({ action: "\ud800" }))[0]).toMatchObject({
      code: "LONE_SURROGATE",
      pointer: "/action",
    });
    expect(validateExample(example({ metadata: { x: Number.NEGATIVE_INFINITY } }))[0]).toMatchObject({
      code: "NOT_FINITE",
      pointer: "/metadata/x",
    });
  });

  it("counts string lengths in code points, as JSON Schema does", () => {
    expect(validateExample(example({ id: "😀".repeat(256) }))).toEqual([]);
    expect(validateExample(example({ id: "😀".repeat(257) }))[0]).toMatchObject({
      code: "INVALID_VALUE",
      message: "string too long (257 characters)",
    });
  });

  it("respects maxErrors", () => {
    expect(validateExample({ a: 1, b: 2, c: 3 }, { maxErrors: 2 }).length).toBe(2);
  });
});
