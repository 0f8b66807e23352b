import { Ajv } from "ajv";
import type Type from "typebox";
import { describe, expect, expectTypeOf, it } from "vitest";
import { SearchSpaceError, TunerError } from "./errors.js";
import {
  defineSearchSpace,
  isSearchSpace,
  type ParamsOf,
  SearchSpaceSchema,
  type SearchSpaceSpec,
  validateSearchSpace,
} from "./search-space.js";

describe("defineSearchSpace", () => {
  it("returns a frozen copy with parameters sorted by UTF-16 code units", () => {
    const spec = {
      lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
      Batch: { type: "fixed", value: 32 },
      layers: { type: "int", low: 1, high: 8 },
      opt: { type: "categorical", choices: ["adam", "sgd"] },
    } as const;
    const space = defineSearchSpace(spec);
    expect(space.names).toEqual(["Batch", "layers", "lr", "opt"]);
    expect(Object.keys(space.spec)).toEqual(["Batch", "layers", "lr", "opt"]);
    expect(Object.isFrozen(space)).toBe(true);
    expect(Object.isFrozen(space.spec["opt"])).toBe(true);
    expect(space.spec["lr"]).toEqual(spec.lr);
    expect(space.spec["lr"]).not.toBe(spec.lr);
    expect(defineSearchSpace(space)).toBe(space);
  });

  it("infers the parameters type with literal choices", () => {
    const space = defineSearchSpace({
      lr: { type: "float", low: 0.1, high: 1 },
      opt: { type: "categorical", choices: ["adam", "sgd"] },
      flag: { type: "fixed", value: true },
    });
    type P = NonNullable<(typeof space)["__params"]>;
    expectTypeOf<P["lr"]>().toEqualTypeOf<number>();
    expectTypeOf<P["opt"]>().toEqualTypeOf<"adam" | "sgd">();
    expectTypeOf<P["flag"]>().toEqualTypeOf<true>();
    expectTypeOf<ParamsOf<{ n: { type: "int"; low: 1; high: 2 } }>>().toEqualTypeOf<{ n: number }>();
  });

  it("re-validates a space that went through JSON", () => {
    const space = defineSearchSpace({ x: { type: "float", low: 0, high: 1 } });
    const copy = JSON.parse(JSON.stringify(space));
    expect(isSearchSpace(copy)).toBe(true);
    expect(defineSearchSpace(copy).names).toEqual(["x"]);
    const forged = { kind: "search-space", names: ["x"], spec: { x: { type: "float", low: 1, high: 0 } } };
    expect(() => defineSearchSpace(forged as never)).toThrow(SearchSpaceError);
  });

  it("throws a SearchSpaceError listing every issue", () => {
    let caught: unknown;
    try {
      defineSearchSpace({
        a: { type: "float", low: 1, high: 1 },
        b: { type: "categorical", choices: [] },
      } as SearchSpaceSpec);
    } catch (error) {
      caught = error;
    }
    expect(SearchSpaceError.is(caught)).toBe(true);
    expect(TunerError.is(caught)).toBe(true);
    const e = caught as SearchSpaceError;
    expect(e.code).toBe("INVALID_SEARCH_SPACE");
    expect(e.issues.map((i) => i.path)).toEqual(["/a/high", "/b/choices"]);
    expect(e.message).toContain("/a/high");
    expect(e.message).toContain("(and 1 more)");
  });
});

describe("validateSearchSpace", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["not an object", [1], "", /must be an object/],
    ["empty", {}, "", /at least one parameter/],
    ["unknown type", { a: { type: "double", low: 0, high: 1 } }, "/a/type", /must be one of/],
    ["not a spec", { a: 3 }, "/a", /must be a parameter spec object/],
    ["low = high", { a: { type: "float", low: 1, high: 1 } }, "/a/high", /greater than low/],
    ["low > high", { a: { type: "int", low: 5, high: 1 } }, "/a/high", /greater than low/],
    ["log with low 0", { a: { type: "float", low: 0, high: 1, log: true } }, "/a/low", /low > 0/],
    ["log with negative low", { a: { type: "float", low: -1, high: 1, log: true } }, "/a/low", /low > 0/],
    ["int log low 0", { a: { type: "int", low: 0, high: 9, log: true } }, "/a/low", /low >= 1/],
    ["int log step 2", { a: { type: "int", low: 1, high: 9, log: true, step: 2 } }, "/a/step", /step 1/],
    [
      "float log with step",
      { a: { type: "float", low: 1, high: 2, log: true, step: 0.5 } },
      "/a/step",
      /log/,
    ],
    ["step not dividing", { a: { type: "float", low: 0, high: 1, step: 0.3 } }, "/a/step", /does not divide/],
    [
      "int step not dividing",
      { a: { type: "int", low: 0, high: 10, step: 3 } },
      "/a/step",
      /does not divide/,
    ],
    [
      "step larger than range",
      { a: { type: "float", low: 0, high: 1, step: 2 } },
      "/a/step",
      /does not divide/,
    ],
    ["zero step", { a: { type: "float", low: 0, high: 1, step: 0 } }, "/a/step", /must be > 0/],
    ["non-integer int", { a: { type: "int", low: 0.5, high: 3 } }, "/a/low", /integer/],
    ["NaN low", { a: { type: "float", low: Number.NaN, high: 1 } }, "/a/low", /finite/],
    ["infinite high", { a: { type: "float", low: 0, high: Number.POSITIVE_INFINITY } }, "/a/high", /finite/],
    ["empty choices", { a: { type: "categorical", choices: [] } }, "/a/choices", /fewer than 1/],
    [
      "duplicate choices",
      { a: { type: "categorical", choices: ["x", "y", "x"] } },
      "/a/choices/2",
      /duplicate/,
    ],
    ["duplicate zero", { a: { type: "categorical", choices: [0, -0] } }, "/a/choices/1", /duplicate/],
    ["NaN choice", { a: { type: "categorical", choices: [1, Number.NaN] } }, "/a/choices/1", /finite/],
    [
      "object choice",
      { a: { type: "categorical", choices: [{}] } },
      "/a/choices/0",
      /string, a number or a boolean/,
    ],
    ["NaN fixed", { a: { type: "fixed", value: Number.NaN } }, "/a/value", /finite/],
    ["unknown member", { a: { type: "float", low: 0, high: 1, logg: true } }, "/a", /unknown member "logg"/],
    ["missing member", { a: { type: "float", low: 0 } }, "/a", /missing required member "high"/],
    ["reserved name", JSON.parse('{"__proto__": {"type": "fixed", "value": 1}}'), "/__proto__", /reserved/],
    ["long name", { ["x".repeat(129)]: { type: "fixed", value: 1 } }, `/${"x".repeat(129)}`, /1 to 128/],
  ];
  for (const [label, spec, path, message] of cases) {
    it(`rejects ${label}`, () => {
      const issues = validateSearchSpace(spec);
      expect(issues.length).toBeGreaterThan(0);
      expect(
        issues.find((i) => i.path === path && message.test(i.message)),
        JSON.stringify(issues),
      ).toBeDefined();
    });
  }

  it("escapes JSON pointers", () => {
    expect(validateSearchSpace({ "a/b~c": { type: "float", low: 1, high: 0 } })[0]?.path).toBe(
      "/a~1b~0c/high",
    );
  });

  it("accepts valid spaces, including decimal steps", () => {
    expect(
      validateSearchSpace({
        a: { type: "float", low: 0.1, high: 0.9, step: 0.1 },
        b: { type: "int", low: -10, high: 10, step: 5 },
        c: { type: "int", low: 1, high: 1024, log: true },
        d: { type: "categorical", choices: [1, "1", true, false, 0] },
        e: { type: "fixed", value: "x" },
        f: { type: "float", low: 1e-8, high: 1, log: true, step: undefined },
      }),
    ).toEqual([]);
  });
});

describe("SearchSpaceSchema", () => {
  const validate = new Ajv({ strict: true }).compile(SearchSpaceSchema);

  it("accepts a valid spec and rejects structural errors", () => {
    expect(validate({ lr: { type: "float", low: 0, high: 1, log: false } })).toBe(true);
    expect(validate({ lr: { type: "float", low: "0", high: 1 } })).toBe(false);
    expect(validate({ lr: { type: "int", low: 0.5, high: 1 } })).toBe(false);
    expect(validate({ lr: { type: "categorical", choices: [] } })).toBe(false);
  });

  it("describes a type assignable to SearchSpaceSpec", () => {
    type FromSchema = Type.Static<typeof SearchSpaceSchema>;
    expectTypeOf<FromSchema>().toExtend<SearchSpaceSpec>();
  });
});
