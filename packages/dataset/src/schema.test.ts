import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import formatsModule from "ajv-formats";
import { describe, expect, expectTypeOf, it } from "vitest";
import { example, fixture } from "./__fixtures__/helpers.js";
import { datasetJsonSchema, exampleJsonSchema, jsonSchemaFileText } from "./json-schema.js";
import type { RlvrDataset, RlvrExample } from "./schema.js";
import { RlvrExampleSchema, SCHEMA_VERSION } from "./schema.js";

const schemaFile = (name: string) => new URL(`../schema/${name}`, import.meta.url);

describe("published JSON Schema files", () => {
  it.each([
    ["example.json", exampleJsonSchema],
    ["dataset.json", datasetJsonSchema],
  ] as const)("schema/%s equals the schema generated from TypeBox", (name, generate) => {
    expect(readFileSync(schemaFile(name), "utf8")).toBe(jsonSchemaFileText(generate()));
  });

  it("validate the fixture with a plain Ajv (as another consumer would)", () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    formatsModule.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile("dataset.json"), "utf8")));
    const doc = JSON.parse(readFileSync(fixture("rlvr.json"), "utf8"));
    expect(validate(doc)).toBe(true);
    doc.examples[0].reward = 2;
    expect(validate(doc)).toBe(false);
    const validateExample = ajv.compile(JSON.parse(readFileSync(schemaFile("example.json"), "utf8")));
    expect(validateExample(example())).toBe(true);
    expect(validateExample({ ...example(), extra: 1 })).toBe(false);
  });

  it("are strict and carry the documented constraints", () => {
    const s = exampleJsonSchema();
    expect(s["additionalProperties"]).toBe(false);
    expect(s["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    const props = s["properties"] as Record<string, Record<string, unknown>>;
    expect(props["reward"]).toMatchObject({ type: "number", minimum: 0, maximum: 1 });
    expect(props["behaviorProb"]).toMatchObject({ exclusiveMinimum: 0, maximum: 1 });
    expect(props["allowedActions"]).toMatchObject({ minItems: 1, uniqueItems: true });
    expect(props["weight"]).toMatchObject({ exclusiveMinimum: 0 });
    expect(props["context"]).toMatchObject({ additionalProperties: false });
    expect(RlvrExampleSchema.required).toEqual(["id", "groupId", "context", "action", "reward", "verified"]);
    const d = datasetJsonSchema() as Record<string, Record<string, Record<string, unknown>>>;
    expect(d["properties"]?.["schemaVersion"]).toMatchObject({ const: SCHEMA_VERSION });
    expect(d["properties"]?.["examples"]).toMatchObject({ minItems: 1 });
  });
});

describe("static types", () => {
  it("follow the schemas", () => {
    expectTypeOf<RlvrExample["reward"]>().toEqualTypeOf<number>();
    expectTypeOf<RlvrExample["weight"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RlvrExample["context"]["features"]>().toEqualTypeOf<
      Record<string, string | number | boolean> | undefined
    >();
    expectTypeOf<RlvrDataset["schemaVersion"]>().toEqualTypeOf<1>();
    expectTypeOf<RlvrDataset["examples"]>().toEqualTypeOf<RlvrExample[]>();
  });
});
