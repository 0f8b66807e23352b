import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, example, jsonl, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const line = (v: unknown) => JSON.stringify(v);
const ok = [example(0), example(1)];
let deep: unknown = 1;
for (let i = 0; i < 200; i++) deep = [deep];

/** Every bad input named by the dataset issue: content, the line expected, and words of the message. */
const cases: { name: string; content: string | Uint8Array; at: string; words: RegExp }[] = [
  { name: "malformed JSON", content: `${line(ok[0])}\n{"id": "e1",, }\n`, at: ":2: ", words: /JSON/ },
  {
    name: "wrong type",
    content: jsonl([ok[0], example(1, { reward: "1" })]),
    at: ":2: /reward: ",
    words: /number/,
  },
  { name: "unknown field", content: jsonl([example(0, { rewrad: 1 })]), at: ":1: ", words: /rewrad/ },
  {
    name: "reward above 1",
    content: jsonl([example(0, { reward: 1.5 })]),
    at: ":1: /reward: ",
    words: /1\.5/,
  },
  {
    name: "reward below 0",
    content: jsonl([example(0, { reward: -0.1 })]),
    at: ":1: /reward: ",
    words: /-0\.1/,
  },
  {
    name: "NaN",
    content: `${line(example(0)).replace('"reward":1', '"reward":NaN')}\n`,
    at: ":1: ",
    words: /NaN|JSON/,
  },
  {
    name: "Infinity as 1e999",
    content: `${line(example(0)).replace('"reward":1', '"reward":1e999')}\n`,
    at: ":1: /reward: ",
    words: /finite|Infinity/i,
  },
  {
    name: "probability 0",
    content: jsonl([example(0, { behaviorProb: 0 })]),
    at: ":1: /behaviorProb: ",
    words: /0/,
  },
  {
    name: "probability above 1",
    content: jsonl([example(0, { behaviorProb: 1.2 })]),
    at: ":1: /behaviorProb: ",
    words: /1\.2/,
  },
  { name: "duplicate ids", content: jsonl([example(0), example(0)]), at: ":2: ", words: /duplicate/i },
  { name: "empty file", content: "", at: "", words: /no examples|empty/i },
  {
    name: "empty dataset document",
    content: JSON.stringify({
      schemaVersion: 1,
      id: "d",
      label: "l",
      createdAt: "2026-01-01T00:00:00Z",
      examples: [],
    }),
    at: "",
    words: /example/i,
  },
  {
    name: "__proto__ key",
    content: `${line(example(0)).replace('"features":{', '"features":{"__proto__":1,')}\n`,
    at: ":1: ",
    words: /__proto__/,
  },
  {
    name: "constructor key",
    content: jsonl([example(0, { metadata: { constructor: 1 } })]),
    at: ":1: ",
    words: /constructor/,
  },
  {
    name: "absurd nesting",
    content: jsonl([example(0, { metadata: { deep } })]),
    at: ":1: ",
    words: /nest|deep/i,
  },
  {
    name: "non-UTF-8 bytes",
    content: Buffer.concat([
      Buffer.from(`${line(ok[0])}\n{"id":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]),
    at: ":2: ",
    words: /UTF-8/,
  },
  {
    name: "truncated last line",
    content: `${line(ok[0])}\n${line(ok[1]).slice(0, 40)}`,
    at: ":2: ",
    words: /truncated/,
  },
];

describe("every bad input exits 2 with a precise message and writes nothing (validate, fingerprint, run)", () => {
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const dir = join(tmp.dir, `case-${i}`);
      const file = tempFile(dir, c.content);
      const v = await cli(["validate", file]);
      expect(v.code).toBe(2);
      expect(v.stdout).toBe("");
      expect(v.stderr).toContain(`${file}${c.at}`);
      expect(v.stderr).toMatch(c.words);
      expect(v.stderr).not.toMatch(/^\s+at /m);
      const f = await cli(["fingerprint", "--dataset", file, "--output", join(dir, "out", "m.json")]);
      expect(f.code).toBe(2);
      const r = await cli(["run", "--dataset", file, "--out", join(dir, "job"), "--trials", "2"], {
        cwd: dir,
      });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${file}${c.at}`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(dir)).toEqual(["data.jsonl"]);
    });
  }
});

function tempFile(dir: string, content: string | Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "data.jsonl");
  writeFileSync(path, content);
  return path;
}
