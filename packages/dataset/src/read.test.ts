import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { caseWriter, example, fixture, tempDir } from "./__fixtures__/helpers.js";
import { digestExamples } from "./digest.js";
import { formatIssue } from "./issues.js";
import { MAX_LINE_BYTES, MAX_NESTING_DEPTH } from "./limits.js";
import { validateDatasetFile } from "./read.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const write = caseWriter(tmp);

const ok = example();
const line = (v: unknown) => `${typeof v === "string" ? v : JSON.stringify(v)}\n`;

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

describe("validateDatasetFile: fixtures", () => {
  it.each([
    ["rlvr.json", "rlvr", 3],
    ["rlvr.jsonl", "jsonl", 3],
    ["rlvr-reordered.jsonl", "jsonl", 3],
    ["rlvr-no-final-newline.jsonl", "jsonl", 3],
    ["learning-trace.json", "learning-trace", 3],
    ["learning-trace-wrapped.json", "learning-trace", 3],
    ["legacy-rlvr.json", "legacy-rlvr", 3],
    ["completions.jsonl", "completions", 4],
  ])("%s is valid %s with %i examples, format detected", async (name, format, count) => {
    const r = await validateDatasetFile(fixture(name));
    expect(r.issues).toEqual([]);
    expect(r).toMatchObject({
      valid: true,
      format,
      formatDetected: true,
      exampleCount: count,
      issuesTruncated: false,
    });
    expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.stats.examples).toBe(count);
    expect(r.bytes).toBe(readFileSync(fixture(name)).length);
  });

  it("gives the same digest for the same examples in JSON, JSONL, reordered keys and whitespace", async () => {
    const digests = await Promise.all(
      ["rlvr.json", "rlvr.jsonl", "rlvr-reordered.jsonl", "rlvr-no-final-newline.jsonl"].map(
        async (f) => (await validateDatasetFile(fixture(f))).digest,
      ),
    );
    expect(new Set(digests).size).toBe(1);
    const doc = JSON.parse(readFileSync(fixture("rlvr.json"), "utf8"));
    expect(digests[0]).toBe(digestExamples(doc.examples));
  });

  it("skips the digest when asked", async () => {
    const r = await validateDatasetFile(fixture("rlvr.jsonl"), { digest: false });
    expect(r).toMatchObject({ valid: true, digest: "", exampleCount: 3 });
    await expect(validateDatasetFile(fixture("rlvr.jsonl"), { digest: "no" as never })).rejects.toThrow(
      /digest must be a boolean/,
    );
  });

  it("does not depend on the file name or folder", async () => {
    const content = readFileSync(fixture("rlvr.jsonl"));
    const a = await validateDatasetFile(write(content, ".jsonl"));
    const b = await validateDatasetFile(tmp.write("another name.ndjson", content));
    expect(a.digest).toBe(b.digest);
  });
});

interface Case {
  name: string;
  content: string | Uint8Array;
  code: string;
  line?: number | undefined;
  pointer?: string;
  message?: RegExp;
  expected?: RegExp;
  ext?: string;
  format?: "jsonl" | "rlvr";
}

const jsonlCases: Case[] = [
  { name: "malformed JSON", content: `${line(ok)}{"id": "x",\n`, code: "INVALID_JSON", line: 2, pointer: "" },
  {
    name: "wrong type",
    content: line({ ...ok, reward: "1" }),
    code: "WRONG_TYPE",
    line: 1,
    pointer: "/reward",
    expected: /number in \[0, 1\]/,
  },
  {
    name: "unknown field",
    content: line({ ...ok, rewrad: 1 }),
    code: "UNKNOWN_FIELD",
    pointer: "/rewrad",
    message: /unknown field "rewrad"/,
  },
  {
    name: "unknown field in context",
    content: line({ ...ok, context: { promt: "x" } }),
    code: "UNKNOWN_FIELD",
    pointer: "/context/promt",
  },
  {
    name: "missing field",
    content: line({ ...ok, verified: undefined }),
    code: "MISSING_FIELD",
    pointer: "/verified",
  },
  {
    name: "reward above 1",
    content: line({ ...ok, reward: 1.5 }),
    code: "OUT_OF_RANGE",
    pointer: "/reward",
    message: /out of range/,
    expected: /\[0, 1\]/,
  },
  {
    name: "reward below 0",
    content: line({ ...ok, reward: -0.1 }),
    code: "OUT_OF_RANGE",
    pointer: "/reward",
  },
  {
    name: "reward component above 1",
    content: line({ ...ok, rewards: { a: 2 } }),
    code: "OUT_OF_RANGE",
    pointer: "/rewards/a",
  },
  {
    name: "bare NaN",
    content: line('{"id":"e1","groupId":"g1","context":{},"action":"a","reward":NaN,"verified":true}'),
    code: "INVALID_JSON",
    message: /NaN is not a JSON number.*column 62/,
  },
  {
    name: "bare Infinity",
    content: line('{"id":"e1","groupId":"g1","context":{},"action":"a","reward":Infinity,"verified":true}'),
    code: "INVALID_JSON",
    message: /Infinity/,
  },
  {
    name: "1e999",
    content: line('{"id":"e1","groupId":"g1","context":{},"action":"a","reward":1e999,"verified":true}'),
    code: "NOT_FINITE",
    pointer: "/reward",
    message: /not a finite number/,
  },
  {
    name: "1e999 in metadata",
    content: line(
      '{"id":"e1","groupId":"g1","context":{},"action":"a","reward":1,"verified":true,"metadata":{"x":[-1e999]}}',
    ),
    code: "NOT_FINITE",
    pointer: "/metadata/x/0",
  },
  {
    name: "1e999 in features",
    content: line(
      '{"id":"e1","groupId":"g1","context":{"features":{"f":1e999}},"action":"a","reward":1,"verified":true}',
    ),
    code: "NOT_FINITE",
    pointer: "/context/features/f",
  },
  {
    name: "behaviorProb 0",
    content: line({ ...ok, behaviorProb: 0 }),
    code: "OUT_OF_RANGE",
    pointer: "/behaviorProb",
    expected: /\(0, 1\]/,
  },
  {
    name: "behaviorProb above 1",
    content: line({ ...ok, behaviorProb: 1.01 }),
    code: "OUT_OF_RANGE",
    pointer: "/behaviorProb",
  },
  {
    name: "weight 0",
    content: line({ ...ok, weight: 0 }),
    code: "OUT_OF_RANGE",
    pointer: "/weight",
    expected: /> 0/,
  },
  {
    name: "duplicate id",
    content: line(ok) + line({ ...ok, groupId: "other" }),
    code: "DUPLICATE_ID",
    line: 2,
    pointer: "/id",
  },
  { name: "empty file", content: "", code: "EMPTY_DATASET", line: undefined },
  { name: "only blank lines", content: "\n  \n", code: "EMPTY_DATASET", format: "jsonl" },
  {
    name: "__proto__ key",
    content: line(
      '{"id":"e1","groupId":"g1","context":{},"action":"a","reward":1,"verified":true,"__proto__":{"x":1}}',
    ),
    code: "FORBIDDEN_KEY",
    pointer: "/__proto__",
  },
  {
    name: "constructor key in metadata",
    content: line({ ...ok, metadata: { a: { constructor: 1 } } }),
    code: "FORBIDDEN_KEY",
    pointer: "/metadata/a/constructor",
  },
  {
    name: "prototype key in features",
    content: line({ ...ok, context: { features: { prototype: 1 } } }),
    code: "FORBIDDEN_KEY",
    pointer: "/context/features/prototype",
  },
  {
    name: "__proto__ key in rewards",
    content: line(
      '{"id":"e1","groupId":"g1","context":{},"action":"a","reward":1,"verified":true,"rewards":{"__proto__":1}}',
    ),
    code: "FORBIDDEN_KEY",
    pointer: "/rewards/__proto__",
  },
  {
    name: "nesting too deep",
    content: line({ ...ok, metadata: nest(MAX_NESTING_DEPTH) }),
    code: "TOO_DEEP",
    message: /deeper than 64/,
  },
  {
    name: "non-UTF-8 bytes",
    content: Buffer.concat([
      Buffer.from(line(ok)),
      Buffer.from('{"id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]),
    code: "INVALID_UTF8",
    line: 2,
  },
  {
    name: "truncated last line",
    content: `${line(ok)}{"id":"e2","groupId":"g1","con`,
    code: "TRUNCATED_LAST_LINE",
    line: 2,
    message: /truncated last line/,
  },
  {
    name: "allowedActions without the action",
    content: line({ ...ok, allowedActions: ["b", "c"] }),
    code: "ACTION_NOT_ALLOWED",
    pointer: "/allowedActions",
  },
  {
    name: "allowedActions with duplicates",
    content: line({ ...ok, allowedActions: ["a", "a"] }),
    code: "INVALID_VALUE",
    pointer: "/allowedActions/1",
  },
  {
    name: "empty allowedActions",
    content: line({ ...ok, allowedActions: [] }),
    code: "INVALID_VALUE",
    pointer: "/allowedActions",
  },
  {
    name: "empty id",
    content: line({ ...ok, id: "" }),
    code: "INVALID_VALUE",
    pointer: "/id",
    message: /empty/,
  },
  {
    name: "id too long",
    content: line({ ...ok, id: "x".repeat(257) }),
    code: "INVALID_VALUE",
    pointer: "/id",
    message: /257 characters/,
  },
  {
    name: "lone surrogate",
    content: line('{"id":"e\\ud800","groupId":"g1","context":{},"action":"a","reward":1,"verified":true}'),
    code: "LONE_SURROGATE",
    pointer: "/id",
  },
  {
    name: "lone surrogate in metadata key",
    content: line(
      '{"id":"e1","groupId":"g1","context":{},"action":"a","reward":1,"verified":true,"metadata":{"\\udc00":1}}',
    ),
    code: "LONE_SURROGATE",
  },
  {
    name: "a record that is not an object",
    content: `${line(ok)}[1,2]\n`,
    code: "WRONG_TYPE",
    line: 2,
    pointer: "",
  },
];

describe("validateDatasetFile: each bad input gives a precise issue", () => {
  it.each(jsonlCases)("$name", async (c) => {
    const r = await validateDatasetFile(
      write(c.content, c.ext ?? ".jsonl"),
      c.format ? { format: c.format } : undefined,
    );
    expect(r.valid).toBe(false);
    const issue = r.issues.find((i) => i.code === c.code);
    expect(issue, r.issues.map(formatIssue).join("\n")).toBeDefined();
    if ("line" in c) expect(issue!.line).toBe(c.line);
    if (c.pointer !== undefined) expect(issue!.pointer).toBe(c.pointer);
    if (c.message) expect(issue!.message).toMatch(c.message);
    if (c.expected) expect(issue!.expected).toMatch(c.expected);
    expect(formatIssue(issue!)).toMatch(
      new RegExp(`^${tmp.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/case-\\d+\\.jsonl`),
    );
    if (issue!.value !== undefined) expect(issue!.value.length).toBeLessThanOrEqual(80);
  });

  it("accepts nesting at exactly the limit", async () => {
    const r = await validateDatasetFile(write(line({ ...ok, metadata: nest(MAX_NESTING_DEPTH - 2) })));
    expect(r.issues).toEqual([]);
  });

  it("accepts a last line without newline that parses, CRLF line ends and a BOM", async () => {
    const r = await validateDatasetFile(
      write(`\ufeff${JSON.stringify(ok)}\r\n${JSON.stringify({ ...ok, id: "e2" })}`),
    );
    expect(r.issues).toEqual([]);
    expect(r.exampleCount).toBe(2);
  });

  it("collects all issues of a file with their lines, not only the first", async () => {
    const content =
      line(ok) +
      line({ ...ok, id: "2", reward: 5 }) +
      line("{oops") +
      line({ ...ok, id: "4", extra: true, verified: 1 });
    const r = await validateDatasetFile(write(content));
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([
      [2, "OUT_OF_RANGE"],
      [3, "INVALID_JSON"],
      [4, "UNKNOWN_FIELD"],
      [4, "WRONG_TYPE"],
    ]);
    expect(r.exampleCount).toBe(1);
  });

  it("stops at maxErrors and says the list is truncated", async () => {
    const content = Array.from({ length: 50 }, (_, i) => line({ ...ok, id: `x${i}`, reward: 2 })).join("");
    const r = await validateDatasetFile(write(content), { maxErrors: 5 });
    expect(r.issues.length).toBe(5);
    expect(r.issuesTruncated).toBe(true);
    const all = await validateDatasetFile(write(content));
    expect(all.issues.length).toBe(50);
    expect(all.issuesTruncated).toBe(false);
  });

  it("rejects lines longer than the limit and goes on", async () => {
    const long = `{"id":"${"x".repeat(MAX_LINE_BYTES + 10)}"}`;
    const r = await validateDatasetFile(write(`${line(ok)}${long}\n${line({ ...ok, id: "e3" })}`));
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([["LINE_TOO_LONG", 2]]);
    expect(r.exampleCount).toBe(2);
  });
});

describe("validateDatasetFile: JSON documents", () => {
  const doc = JSON.parse(readFileSync(fixture("rlvr.json"), "utf8"));
  const pretty = (v: unknown) => JSON.stringify(v, null, 2);

  it("reports pointers into the document and the line of the value", async () => {
    const bad = structuredClone(doc);
    bad.examples[1].reward = 7;
    bad.examples[2].extra = true;
    const text = pretty(bad);
    const r = await validateDatasetFile(write(text, ".json"));
    const lines = text.split("\n");
    const reward = r.issues.find((i) => i.pointer === "/examples/1/reward")!;
    expect(reward.code).toBe("OUT_OF_RANGE");
    expect(lines[reward.line! - 1]).toContain('"reward": 7');
    const extra = r.issues.find((i) => i.code === "UNKNOWN_FIELD")!;
    expect(extra.pointer).toBe("/examples/2/extra");
    expect(lines[extra.line! - 1]).toContain('"extra": true');
  });

  it("reports malformed JSON with line and column", async () => {
    const r = await validateDatasetFile(write('{\n  "schemaVersion": 1,\n  "id": "x",,\n}', ".json"));
    expect(r.issues[0]).toMatchObject({ code: "INVALID_JSON", line: 3, pointer: "" });
    expect(r.issues[0]!.message).toMatch(/column 13/);
  });

  it("rejects an empty examples array, an unsupported schemaVersion and a bad createdAt", async () => {
    const r = await validateDatasetFile(
      write(pretty({ ...doc, schemaVersion: 2, createdAt: "yesterday", examples: [] }), ".json"),
    );
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual(
      expect.arrayContaining([
        ["EMPTY_DATASET", "/examples"],
        ["UNSUPPORTED_VERSION", "/schemaVersion"],
        ["INVALID_VALUE", "/createdAt"],
      ]),
    );
  });

  it("rejects duplicate ids, forbidden keys and deep nesting in dataset metadata", async () => {
    const bad = structuredClone(doc);
    bad.examples[2].id = "ex-1";
    bad.metadata = { deep: nest(MAX_NESTING_DEPTH) };
    const text = pretty(bad).replace('"owner"', '"constructor"');
    const r = await validateDatasetFile(write(text, ".json"));
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual(
      expect.arrayContaining([
        ["DUPLICATE_ID", "/examples/2/id"],
        ["TOO_DEEP", expect.stringMatching(/^\/metadata\/deep/)],
      ]),
    );
    const forbidden = await validateDatasetFile(
      write(pretty(doc).replace('"label"', '"__proto__"'), ".json"),
    );
    expect(forbidden.issues.map((i) => i.code)).toContain("FORBIDDEN_KEY");
  });

  it("reports non-UTF-8 bytes with their line", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{\n"id": "'),
      Buffer.from([0xe2, 0x28, 0xa1]),
      Buffer.from('"\n}'),
    ]);
    const r = await validateDatasetFile(write(bytes, ".json"));
    expect(r.issues).toEqual([expect.objectContaining({ code: "INVALID_UTF8", line: 2 })]);
  });
});
