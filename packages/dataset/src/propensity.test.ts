import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, jsonl, tempDir } from "./__fixtures__/helpers.js";
import { DatasetError } from "./errors.js";
import { parsePointer, pointerSyntaxProblem, resolveTokens } from "./internal/_pointer.js";
import { type DatasetIssue, escapePointerToken, formatIssue } from "./issues.js";
import { propensityPointerProblem } from "./propensity.js";
import { loadDataset, validateDatasetFile } from "./read.js";

const tmp = tempDir("rlvr-propensity-");
afterAll(() => tmp.cleanup());
let n = 0;
const write = (content: string, ext: string) => tmp.write(`p-${n++}${ext}`, content);

const trace = JSON.parse(readFileSync(fixture("learning-trace.json"), "utf8"));
const legacy = JSON.parse(readFileSync(fixture("legacy-rlvr.json"), "utf8"));

/** The learning-trace fixture with `metadata.behaviorProbability` set on every example. */
function traceWith(probs: readonly unknown[]) {
  const doc = structuredClone(trace);
  doc.examples.forEach((e: Record<string, unknown>, i: number) => {
    const metadata = (e["metadata"] ?? {}) as Record<string, unknown>;
    if (probs[i] !== undefined) metadata["behaviorProbability"] = probs[i];
    e["metadata"] = metadata;
  });
  return doc;
}

/** 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`${needle} not found`);
  return text.slice(0, at).split("\n").length;
}

const POINTER = "/metadata/behaviorProbability";

describe("JSON pointer syntax", () => {
  it("parses tokens and unescapes ~1 before ~0", () => {
    expect(parsePointer("")).toEqual([]);
    expect(parsePointer("/")).toEqual([""]);
    expect(parsePointer("//")).toEqual(["", ""]);
    expect(parsePointer("/metadata/behaviorProbability")).toEqual(["metadata", "behaviorProbability"]);
    expect(parsePointer("/a~1b/m~0n")).toEqual(["a/b", "m~n"]);
    expect(parsePointer("/~01")).toEqual(["~1"]);
    expect(parsePointer("/~10")).toEqual(["/0"]);
    expect(parsePointer("/ ")).toEqual([" "]);
    for (const bad of ["a", "a/b", "/a~", "/a~2", "/~a", "/a/~/b"]) expect(parsePointer(bad)).toBeUndefined();
  });

  it("says what is wrong with a malformed pointer", () => {
    expect(pointerSyntaxProblem("/a~1b")).toBeUndefined();
    expect(pointerSyntaxProblem("metadata/p")).toMatch(/must start with "\/"/);
    expect(pointerSyntaxProblem("/a~2")).toMatch(/"~" at character 3 must be followed by 0 or 1/);
    expect(pointerSyntaxProblem("/ab~")).toMatch(/character 4/);
    expect(propensityPointerProblem("/metadata/routing/p")).toBeUndefined();
    expect(propensityPointerProblem("/a~0b~1c")).toBeUndefined();
    expect(propensityPointerProblem("")).toMatch(/must not be empty/);
    expect(propensityPointerProblem(3)).toMatch(/must be a JSON pointer string .*\(got number\)/);
    expect(propensityPointerProblem("metadata.p")).toBe(
      'is not a JSON pointer (RFC 6901): it must start with "/", e.g. "/metadata/behaviorProbability" (got "metadata.p")',
    );
    expect(propensityPointerProblem("/a~b")).toMatch(
      /^is not a JSON pointer \(RFC 6901\): the "~" at character 3/,
    );
  });

  it("resolves members, array indices and nothing else", () => {
    const v = { a: [10, { "b/c": 1, "~": 2 }], "": { "": 3 }, n: null };
    expect(resolveTokens(v, parsePointer("/a/0")!)).toBe(10);
    expect(resolveTokens(v, parsePointer("/a/1/b~1c")!)).toBe(1);
    expect(resolveTokens(v, parsePointer("/a/1/~0")!)).toBe(2);
    expect(resolveTokens(v, parsePointer("//")!)).toBe(3);
    expect(resolveTokens(v, parsePointer("/n")!)).toBeNull();
    for (const missing of ["/a/01", "/a/-", "/a/2", "/a/1/b", "/n/x", "/toString", "/a/length", "/x"]) {
      expect(resolveTokens(v, parsePointer(missing)!)).toBeUndefined();
    }
  });

  // A reference written straight from RFC 6901: decode each token character by character, walk the
  // value, look members up among the own keys.
  const referenceParse = (p: string): string[] | undefined => {
    if (p === "") return [];
    if (p[0] !== "/") return undefined;
    const tokens: string[] = [];
    let token = "";
    for (let i = 1; i < p.length; i++) {
      const c = p[i];
      if (c === "/") {
        tokens.push(token);
        token = "";
      } else if (c === "~") {
        const e = p[++i];
        if (e === "0") token += "~";
        else if (e === "1") token += "/";
        else return undefined;
      } else token += c;
    }
    tokens.push(token);
    return tokens;
  };
  const referenceResolve = (v: unknown, tokens: readonly string[]): unknown => {
    if (tokens.length === 0) return v;
    const [t, ...rest] = tokens as [string, ...string[]];
    if (Array.isArray(v)) {
      const k = Number(t);
      return /^\d+$/.test(t) && String(k) === t && k < v.length ? referenceResolve(v[k], rest) : undefined;
    }
    if (typeof v === "object" && v !== null) {
      return Object.keys(v).includes(t)
        ? referenceResolve((v as Record<string, unknown>)[t], rest)
        : undefined;
    }
    return undefined;
  };
  // Keys and tokens from a small alphabet with the two escaped characters, so that paths often hit.
  const key = fc.string({ unit: fc.constantFrom("a", "b", "0", "1", "~", "/"), maxLength: 3 });
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      fc.oneof(fc.double(), fc.boolean(), fc.constant(null), key),
      fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      fc.array(tie("node"), { maxLength: 4 }),
    ),
  })).node;

  it("agrees with a straightforward reference on random values and pointers (property)", () => {
    fc.assert(
      fc.property(value, fc.array(key, { maxLength: 4 }), (v, tokens) => {
        const pointer = tokens.map((t) => `/${escapePointerToken(t)}`).join("");
        const parsed = parsePointer(pointer);
        expect(parsed).toEqual(tokens);
        expect(referenceParse(pointer)).toEqual(tokens);
        expect(resolveTokens(v, parsed!)).toEqual(referenceResolve(v, tokens));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("accepts exactly the pointers the reference parses (property)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "/", "~", "0", "1", "2"), maxLength: 8 });
    fc.assert(
      fc.property(text, (p) => {
        const ref = referenceParse(p);
        expect(parsePointer(p)).toEqual(ref);
        expect(pointerSyntaxProblem(p) === undefined).toBe(ref !== undefined);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe("propensityPointer option", () => {
  it("turns the number at the pointer into behaviorProb (learning-trace)", async () => {
    const file = write(JSON.stringify(traceWith([0.5, 0.25, 0.9, 1]), null, 2), ".json");
    const plain = await loadDataset(file);
    expect(plain.dataset.examples.every((e) => e.behaviorProb === undefined)).toBe(true);
    const loaded = await loadDataset(file, { propensityPointer: POINTER });
    expect(loaded.dataset.examples.map((e) => [e.id, e.behaviorProb])).toEqual([
      ["trace-1", 0.5],
      ["trace-2", 0.25],
      ["trace-4", 1],
    ]);
    expect(loaded.stats.fracWithBehaviorProb).toBe(1);
    expect(plain.stats.fracWithBehaviorProb).toBe(0);
    // behaviorProb is part of the canonical example, so the digest tells the two loads apart
    expect(loaded.digest).not.toBe(plain.digest);
    // the value stays where it was in the trace's own metadata
    expect(loaded.dataset.examples[0]!.metadata).toMatchObject({
      traceMetadata: { behaviorProbability: 0.5 },
    });
  });

  it("follows escaped member names and array indices", async () => {
    const doc = structuredClone(trace);
    doc.examples.forEach((e: Record<string, unknown>) => {
      e["metadata"] = { "routing/v2": { "p~": [0.1, 0.4] } };
    });
    const loaded = await loadDataset(write(JSON.stringify(doc), ".json"), {
      propensityPointer: "/metadata/routing~1v2/p~0/1",
    });
    expect(loaded.dataset.examples.map((e) => e.behaviorProb)).toEqual([0.4, 0.4, 0.4]);
  });

  it("reports a missing propensity with file, line and pointer, for every example without one", async () => {
    const text = JSON.stringify(traceWith([0.5, undefined, 0.3, undefined]), null, 2);
    const file = write(text, ".json");
    const r = await validateDatasetFile(file, { propensityPointer: POINTER });
    expect(r.valid).toBe(false);
    // trace-3 is excluded (confirmed reward hacking) and not checked
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual([
      ["MISSING_FIELD", "/examples/1/metadata/behaviorProbability"],
      ["MISSING_FIELD", "/examples/3/metadata/behaviorProbability"],
    ]);
    const issue = r.issues[0] as DatasetIssue;
    // a missing member gets the line of its nearest existing ancestor: the example's metadata
    expect(issue.line).toBe(lineOf(text, '"metadata"', text.indexOf('"trace-2"')));
    expect(formatIssue(issue)).toBe(
      `${file}:${issue.line}: /examples/1/metadata/behaviorProbability: missing propensity: the propensity pointer /metadata/behaviorProbability resolves to nothing (every example must have one when the pointer is given) (expected a number in (0, 1])`,
    );
    await expect(loadDataset(file, { propensityPointer: POINTER })).rejects.toMatchObject({
      code: "DATASET_INVALID",
    });
  });

  it("rejects non-numbers, 0, numbers above 1 and infinities, naming the value", async () => {
    const text = JSON.stringify(traceWith(["0.5", 0, 0.3, 1.5]), null, 2).replace(
      '"behaviorProbability": 0.3',
      '"behaviorProbability": 1e999',
    );
    const file = write(text, ".json");
    const r = await validateDatasetFile(file, { propensityPointer: POINTER });
    const lines = r.issues.map(formatIssue);
    const at = (i: number, needle: string) =>
      `${file}:${lineOf(text, needle)}: /examples/${i}/metadata/behaviorProbability`;
    expect(lines).toEqual([
      `${at(0, '"behaviorProbability": "0.5"')}: propensity is not a number: the propensity pointer /metadata/behaviorProbability resolves to a string (got "0.5", expected a number in (0, 1])`,
      `${at(1, '"behaviorProbability": 0\n')}: propensity out of range (got 0, expected a number in (0, 1])`,
      `${at(3, '"behaviorProbability": 1.5')}: propensity out of range (got 1.5, expected a number in (0, 1])`,
    ]);
    // trace-3 (1e999) is excluded; put the infinity on a kept example: one issue, not two
    const inf = JSON.stringify(traceWith([0.5, 0.5, 0.5, 0.5]), null, 2).replace(
      '"behaviorProbability": 0.5',
      '"behaviorProbability": 1e999',
    );
    const r2 = await validateDatasetFile(write(inf, ".json"), { propensityPointer: POINTER });
    expect(r2.issues.map((i) => [i.code, i.pointer, i.value])).toEqual([
      ["NOT_FINITE", "/examples/0/metadata/behaviorProbability", "Infinity"],
    ]);
  });

  it("reports the propensity together with schema errors of the same example", async () => {
    const doc = traceWith([0.5, 0.5, 0.5, null]);
    delete doc.examples[3].toolName;
    const r = await validateDatasetFile(write(JSON.stringify(doc, null, 2), ".json"), {
      propensityPointer: POINTER,
    });
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual([
      ["MISSING_FIELD", "/examples/3/toolName"],
      ["WRONG_TYPE", "/examples/3/metadata/behaviorProbability"],
    ]);
  });

  it("works on legacy-rlvr documents and completions lines (pointer into the raw record)", async () => {
    const doc = structuredClone(legacy);
    doc.examples.forEach((e: Record<string, unknown>, i: number) => {
      e["metadata"] = { ...((e["metadata"] as object | undefined) ?? {}), p: (i + 1) / 4 };
    });
    const l = await loadDataset(write(JSON.stringify(doc), ".json"), { propensityPointer: "/metadata/p" });
    expect(l.dataset.examples.map((e) => e.behaviorProb)).toEqual([0.25, 0.5, 0.75]);

    const lines = [
      { prompt: "2+2?", completion: "4", reward: 1, logging: { prob: 0.7 } },
      { prompt: "2+2?", completion: "5", reward: 0, logging: { prob: 0.3 } },
    ];
    const c = await loadDataset(write(jsonl(lines), ".jsonl"), { propensityPointer: "/logging/prob" });
    expect(c.formats).toEqual(["completions"]);
    expect(c.dataset.examples.map((e) => e.behaviorProb)).toEqual([0.7, 0.3]);
    const badFile = write(jsonl([lines[0], { ...lines[1], logging: { prob: 2 } }]), ".jsonl");
    const bad = await validateDatasetFile(badFile, { propensityPointer: "/logging/prob" });
    expect(bad.issues.map(formatIssue)).toEqual([
      `${badFile}:2: /logging/prob: propensity out of range (got 2, expected a number in (0, 1])`,
    ]);
  });

  it("does not apply to native rlvr and jsonl files", async () => {
    const r = await validateDatasetFile(fixture("rlvr.jsonl"), { propensityPointer: "/metadata/p" });
    expect(r.valid).toBe(false);
    expect(r.issues).toEqual([
      expect.objectContaining({
        code: "OPTION_NOT_APPLICABLE",
        pointer: "",
        message: expect.stringMatching(
          /applies to learning-trace, legacy-rlvr and completions files only; this file is jsonl/,
        ),
      }),
    ]);
    const d = await validateDatasetFile(fixture("rlvr.json"), { propensityPointer: "/metadata/p" });
    expect(d.issues.map((i) => [i.code, i.line])).toEqual([["OPTION_NOT_APPLICABLE", 1]]);
    for (const format of ["rlvr", "jsonl"] as const) {
      await expect(
        loadDataset(fixture("rlvr.jsonl"), { format, propensityPointer: "/metadata/p" }),
      ).rejects.toThrow(
        /propensityPointer applies to the learning-trace, legacy-rlvr and completions formats only/,
      );
    }
  });

  it("checks the pointer's syntax before reading (BAD_OPTIONS)", async () => {
    for (const [pointer, pattern] of [
      ["metadata/p", /propensityPointer is not a JSON pointer \(RFC 6901\): it must start with "\/"/],
      ["/a~2", /the "~" at character 3 must be followed by 0 or 1/],
      ["", /must not be empty/],
    ] as const) {
      const error = await loadDataset(fixture("learning-trace.json"), { propensityPointer: pointer }).catch(
        (e: unknown) => e,
      );
      expect(DatasetError.is(error) && error.code).toBe("BAD_OPTIONS");
      expect((error as Error).message).toMatch(pattern);
    }
    // null is the default: nothing is read
    const loaded = await loadDataset(fixture("learning-trace.json"), { propensityPointer: null });
    expect(loaded.stats.fracWithBehaviorProb).toBe(0);
  });
});
