import { RlvrError } from "@rlvr/errors";
import { afterAll, describe, expect, it } from "vitest";
import { example, jsonl, tempDir } from "./__fixtures__/helpers.js";
import { DatasetError, DatasetValidationError } from "./errors.js";
import { parseJsonText } from "./json-text.js";
import { loadDataset, validateDatasetFile } from "./read.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function jsonError(text: string): DatasetError {
  try {
    parseJsonText(text, { file: "job.json" });
  } catch (error) {
    if (DatasetError.is(error)) return error;
    throw error;
  }
  throw new Error("parsed");
}

describe("parseJsonText", () => {
  it("returns the value of strict JSON, a leading byte-order mark ignored", () => {
    expect(parseJsonText('\ufeff{"a": [1, {"b": null}], "c": "x"}', { file: "p.json" })).toEqual({
      a: [1, { b: null }],
      c: "x",
    });
  });

  it("refuses a duplicate key with file, line and the pointer of the second occurrence", () => {
    const error = jsonError('{\n  "seed": 1,\n  "tuner": {"trials": 5,\n    "trials": 50}\n}');
    expect(error.code).toBe("JSON_INVALID");
    expect(error.name).toBe("DatasetError");
    expect(RlvrError.is(error)).toBe(true);
    expect(error.file).toBe("job.json");
    expect(error.issues).toEqual([
      expect.objectContaining({ code: "DUPLICATE_KEY", file: "job.json", line: 4, pointer: "/tuner/trials" }),
    ]);
    expect(error.message).toMatch(/^job\.json:4: \/tuner\/trials: duplicate key "trials"/);
    expect(error.details).toHaveLength(1);
  });

  it('treats "a" and "\\u0061" as the same key', () => {
    expect(jsonError('{"a": 1, "\\u0061": 2}').issues[0]).toMatchObject({
      code: "DUPLICATE_KEY",
      pointer: "/a",
    });
  });

  it("refuses invalid JSON, forbidden keys and non-finite numbers, each where it is", () => {
    expect(jsonError('{\n  "a": 1,\n}').issues[0]).toMatchObject({ code: "INVALID_JSON", line: 3 });
    const forbidden = jsonError('{\n  "x": {\n    "__proto__": {"polluted": true}\n  }\n}');
    expect(forbidden.issues[0]).toMatchObject({ code: "FORBIDDEN_KEY", line: 3, pointer: "/x/__proto__" });
    const big = jsonError('{"params": {"lr": 1e999}}');
    expect(big.issues[0]).toMatchObject({ code: "NOT_FINITE", line: 1, pointer: "/params/lr" });
    expect(jsonError("[NaN]").issues[0]?.message).toMatch(/NaN is not a JSON number/);
  });

  it("lists every issue in details and says how many more there are", () => {
    const error = jsonError('{"a": 1, "a": 2, "b": {"constructor": 1}}');
    expect(error.issues.map((i) => i.code)).toEqual(["DUPLICATE_KEY", "FORBIDDEN_KEY"]);
    expect(error.message).toMatch(/\(and 1 more\)$/);
    expect(error.message).not.toMatch(/parseJsonText/);
  });

  it("checks its options", () => {
    expect(() => parseJsonText("{}", {} as never)).toThrow(/file option/);
    expect(() => parseJsonText(1 as never, { file: "x.json" })).toThrow(/must be a string/);
  });
});

describe("readers refuse duplicate keys", () => {
  it("JSONL: an issue at the line and pointer, and the record is not read", async () => {
    const file = tmp.write(
      "dup.jsonl",
      `${jsonl([example({ id: "e1" })])}{"id":"e2","groupId":"g1","context":{},"action":"a","reward":0,"reward":1,"verified":true}\n`,
    );
    const r = await validateDatasetFile(file);
    expect(r.valid).toBe(false);
    expect(r.exampleCount).toBe(1);
    expect(r.issues).toEqual([
      expect.objectContaining({ code: "DUPLICATE_KEY", file, line: 2, pointer: "/reward" }),
    ]);
  });

  it("JSON document: line and absolute pointer, the other examples still read", async () => {
    const doc = `{
  "schemaVersion": 1, "id": "d", "label": "d", "createdAt": "2025-01-01T00:00:00Z",
  "examples": [
    {"id": "e1", "groupId": "g", "context": {}, "action": "a", "reward": 1, "verified": true},
    {"id": "e2", "groupId": "g", "context": {"features": {"k": 1, "k": 2}}, "action": "a", "reward": 1, "verified": true},
    {"id": "e3", "groupId": "g", "context": {}, "action": "b", "reward": 0, "verified": false}
  ]
}`;
    const r = await validateDatasetFile(tmp.write("dup.json", doc));
    expect(r.exampleCount).toBe(2);
    expect(r.issues).toEqual([
      expect.objectContaining({ code: "DUPLICATE_KEY", line: 5, pointer: "/examples/1/context/features/k" }),
    ]);
  });

  it("learning-trace and completions files too; loadDataset throws the issue", async () => {
    const trace = `{"dataset": {"id": "t", "label": "t", "createdAt": 0, "id": "t2", "examples": []}}`;
    const t = await validateDatasetFile(tmp.write("trace.json", trace));
    expect(t.issues[0]).toMatchObject({ code: "DUPLICATE_KEY", pointer: "/dataset/id", line: 1 });
    const completions = tmp.write(
      "c.jsonl",
      '{"prompt": "p", "completion": "c", "reward": 1, "prompt": "q"}\n',
    );
    const c = await validateDatasetFile(completions, { format: "completions" });
    expect(c.issues[0]).toMatchObject({ code: "DUPLICATE_KEY", line: 1, pointer: "/prompt" });
    const error = await loadDataset(completions).catch((e: unknown) => e);
    expect(DatasetValidationError.is(error) && error.issues[0]?.code).toBe("DUPLICATE_KEY");
  });
});
