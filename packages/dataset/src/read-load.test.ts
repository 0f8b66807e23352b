// Format detection, errors that are not about the data, loadDataset and validateDatasetFiles (the
// per-record validation cases are in read.test.ts).
import { chmodSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  caseWriter,
  example,
  examplesArb,
  fixture,
  jsonl,
  reverseKeys,
  tempDir,
} from "./__fixtures__/helpers.js";
import { digestExamples } from "./digest.js";
import { DatasetError, DatasetValidationError } from "./errors.js";
import { loadDataset, validateDatasetFile, validateDatasetFiles } from "./read.js";
import type { RlvrExample } from "./schema.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const write = caseWriter(tmp);

const ok = example();
const line = (v: unknown) => `${typeof v === "string" ? v : JSON.stringify(v)}\n`;

describe("format detection", () => {
  const traceDoc = JSON.parse(readFileSync(fixture("learning-trace.json"), "utf8"));

  it("reports an ambiguous document instead of guessing", async () => {
    const r = await validateDatasetFile(write(JSON.stringify({ ...traceDoc, schemaVersion: 1 }), ".json"));
    expect(r.issues).toEqual([
      expect.objectContaining({
        code: "FORMAT_AMBIGUOUS",
        message: expect.stringMatching(/rlvr, learning-trace/),
      }),
    ]);
    expect(r.formatDetected).toBe(false);
  });

  it("reports an ambiguous JSONL record", async () => {
    const r = await validateDatasetFile(write(line({ ...ok, prompt: "p", completion: "c" })));
    expect(r.issues[0]).toMatchObject({ code: "FORMAT_AMBIGUOUS" });
  });

  it("reports unknown shapes, top-level arrays and non-JSON", async () => {
    expect((await validateDatasetFile(write(line({ hello: 1 })))).issues[0]).toMatchObject({
      code: "FORMAT_UNKNOWN",
    });
    expect((await validateDatasetFile(write("[1, 2]", ".json"))).issues[0]).toMatchObject({
      code: "FORMAT_UNKNOWN",
      message: expect.stringMatching(/top-level JSON array/),
    });
    expect((await validateDatasetFile(write("id,reward\n1,0.5\n", ".csv"))).issues[0]).toMatchObject({
      code: "FORMAT_UNKNOWN",
    });
    const traceLine = await validateDatasetFile(write(line(traceDoc.examples[0])));
    expect(traceLine.issues[0]!.message).toMatch(/learning-trace/);
  });

  it("decides by content, not by extension, and warns about the mismatch", async () => {
    const asJsonl = await validateDatasetFile(write(readFileSync(fixture("rlvr.json")), ".jsonl"));
    expect(asJsonl).toMatchObject({ valid: true, format: "rlvr" });
    expect(asJsonl.warnings.map((w) => w.message).join()).toMatch(/one JSON document/);
    expect(asJsonl.warnings[0]).toMatchObject({ code: "LAYOUT_MISMATCH" });
    const asJson = await validateDatasetFile(write(readFileSync(fixture("rlvr.jsonl")), ".json"));
    expect(asJson).toMatchObject({ valid: true, format: "jsonl" });
    expect(asJson.warnings.map((w) => w.message).join()).toMatch(/JSON lines/);
    const oneLineDoc = await validateDatasetFile(
      write(JSON.stringify(JSON.parse(readFileSync(fixture("rlvr.json"), "utf8"))), ".txt"),
    );
    expect(oneLineDoc).toMatchObject({ valid: true, format: "rlvr" });
  });

  it("detects JSON lines whose first line is broken", async () => {
    const r = await validateDatasetFile(write(`{"id": oops\n${line(ok)}`, ".txt"));
    expect(r.format).toBe("jsonl");
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([["INVALID_JSON", 1]]);
  });

  it("uses an explicit format and warns when the content disagrees", async () => {
    const r = await validateDatasetFile(fixture("rlvr.json"), { format: "legacy-rlvr" });
    expect(r.formatDetected).toBe(false);
    expect(r.valid).toBe(false);
    expect(r.warnings.map((w) => w.message).join()).toMatch(/looks like rlvr/);
    expect(r.warnings[0]).toMatchObject({ code: "FORMAT_MISMATCH" });
    const lines = await validateDatasetFile(fixture("rlvr.jsonl"), { format: "jsonl" });
    expect(lines).toMatchObject({ valid: true, formatDetected: false });
  });
});

describe("errors that are not about the data", () => {
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return DatasetError.is(e) ? e.code : `not a DatasetError: ${String(e)}`;
    }
    return "no error";
  };

  it("throws FILE_NOT_FOUND, FILE_READ_ERROR, BAD_OPTIONS and ABORTED", async () => {
    expect(await codeOf(validateDatasetFile(`${tmp.dir}/missing.jsonl`))).toBe("FILE_NOT_FOUND");
    expect(await codeOf(validateDatasetFile(tmp.dir))).toBe("FILE_READ_ERROR");
    expect(await codeOf(validateDatasetFile(fixture("rlvr.json"), { maxErrors: 0 }))).toBe("BAD_OPTIONS");
    expect(await codeOf(validateDatasetFile(fixture("rlvr.json"), { format: "csv" as never }))).toBe(
      "BAD_OPTIONS",
    );
    expect(await codeOf(validateDatasetFile(""))).toBe("BAD_OPTIONS");
    expect(await codeOf(validateDatasetFile(fixture("rlvr.json"), { signal: AbortSignal.abort() }))).toBe(
      "ABORTED",
    );
    if (process.getuid?.() !== 0) {
      const locked = write(line(ok));
      chmodSync(locked, 0);
      expect(await codeOf(validateDatasetFile(locked))).toBe("FILE_READ_ERROR");
    }
  });

  it("names the file in the message, and no function", async () => {
    await expect(validateDatasetFile(`${tmp.dir}/missing.jsonl`)).rejects.toThrow(
      /^file not found: .*missing\.jsonl$/,
    );
    await expect(loadDataset([])).rejects.toThrow(/^no dataset file given/);
  });
});

describe("loadDataset", () => {
  it("loads one document with its identity", async () => {
    const loaded = await loadDataset(fixture("rlvr.json"));
    expect(loaded.dataset).toMatchObject({
      schemaVersion: 1,
      id: "tool-choice-v1",
      label: "Tool choice for file questions",
      createdAt: "2025-01-31T12:00:00Z",
      metadata: { owner: "agents-team" },
    });
    expect(loaded.dataset.examples.length).toBe(3);
    expect(loaded.formats).toEqual(["rlvr"]);
    expect(loaded.digest).toBe(digestExamples(loaded.dataset.examples));
  });

  it("combines several files of different formats; the digest is that of all examples in order", async () => {
    const loaded = await loadDataset([fixture("rlvr.jsonl"), fixture("completions.jsonl")], { label: "mix" });
    expect(loaded.formats).toEqual(["jsonl", "completions"]);
    expect(loaded.dataset.examples.length).toBe(7);
    expect(loaded.dataset.label).toBe("mix");
    expect(loaded.dataset.id).toBe(`dataset-${loaded.digest.slice(7, 19)}`);
    expect(loaded.digest).toBe(digestExamples(loaded.dataset.examples));
    expect(loaded.stats.examples).toBe(7);
    expect(Number.isNaN(Date.parse(loaded.dataset.createdAt))).toBe(false);
  });

  it("rejects duplicate ids across files with DatasetValidationError", async () => {
    let error: unknown;
    try {
      await loadDataset([fixture("rlvr.json"), fixture("rlvr.jsonl")]);
    } catch (e) {
      error = e;
    }
    expect(DatasetValidationError.is(error)).toBe(true);
    expect(DatasetError.is(error)).toBe(true);
    const e = error as DatasetValidationError;
    expect(e.code).toBe("DATASET_INVALID");
    expect(e.issues.map((i) => [i.code, i.line, i.pointer])).toEqual([
      ["DUPLICATE_ID", 1, "/id"],
      ["DUPLICATE_ID", 2, "/id"],
      ["DUPLICATE_ID", 3, "/id"],
    ]);
    expect(e.reports.map((r) => r.valid)).toEqual([true, false]);
    expect(e.message).toMatch(
      /^1 of 2 files invalid, 3 issues; first: .*rlvr\.jsonl:1: \/id: duplicate example id/,
    );
  });

  it("checks its identity options", async () => {
    await expect(loadDataset(fixture("rlvr.json"), { createdAt: "now" })).rejects.toThrow(/createdAt/);
    await expect(loadDataset(fixture("rlvr.json"), { id: "" })).rejects.toThrow(/id must be/);
    const l = await loadDataset(fixture("rlvr.jsonl"), { id: "mine", createdAt: "2024-02-29T00:00:00Z" });
    expect(l.dataset).toMatchObject({ id: "mine", createdAt: "2024-02-29T00:00:00Z", label: "rlvr.jsonl" });
  });

  it("JSON and JSONL of the same arbitrary examples load to the same examples and digest", async () => {
    await fc.assert(
      fc.asyncProperty(examplesArb, fc.boolean(), async (examples, reorder) => {
        const shaped = examples.map((e) => (reorder ? reverseKeys(e) : e)) as RlvrExample[];
        const docFile = write(
          JSON.stringify(
            { schemaVersion: 1, id: "d", label: "", createdAt: "2025-01-01T00:00:00Z", examples },
            null,
            1,
          ),
          ".json",
        );
        const linesFile = write(jsonl(shaped));
        const [a, b] = [await loadDataset(docFile), await loadDataset(linesFile)];
        expect(b.digest).toBe(a.digest);
        expect(b.dataset.examples).toEqual(a.dataset.examples);
        expect(a.digest).toBe(digestExamples(examples));
      }),
      { seed: 42, numRuns: 30 },
    );
  });
});

describe("validateDatasetFiles", () => {
  it("streams several files as one dataset: same digest and statistics as loadDataset", async () => {
    const files = [fixture("rlvr.jsonl"), fixture("completions.jsonl"), fixture("legacy-rlvr.json")];
    await expect(loadDataset(files)).rejects.toThrow(/duplicate example id/);
    const ok = [fixture("rlvr.jsonl"), fixture("completions.jsonl")];
    const summary = await validateDatasetFiles(ok);
    const loaded = await loadDataset(ok);
    expect(summary).toMatchObject({ valid: true, exampleCount: 7, digest: loaded.digest });
    expect(summary.stats).toEqual(loaded.stats);
    expect(summary.reports.map((r) => r.digest)).toEqual(loaded.reports.map((r) => r.digest));
    expect((await validateDatasetFiles(ok, { digest: false })).digest).toBe("");
    const single = await validateDatasetFiles(fixture("rlvr.json"));
    expect(single.digest).toBe((await validateDatasetFile(fixture("rlvr.json"))).digest);
  });

  it("finds duplicate ids across files, without loading them", async () => {
    const summary = await validateDatasetFiles([fixture("rlvr.json"), fixture("rlvr-reordered.jsonl")]);
    expect(summary.valid).toBe(false);
    expect(summary.reports[0]!.valid).toBe(true);
    expect(summary.reports[1]!.issues.map((i) => [i.code, i.line])).toEqual([
      ["DUPLICATE_ID", 1],
      ["DUPLICATE_ID", 2],
      ["DUPLICATE_ID", 4],
    ]);
    expect(summary.exampleCount).toBe(3);
  });

  it("checks its arguments", async () => {
    await expect(validateDatasetFiles([])).rejects.toThrow(/^no dataset file given/);
    await expect(validateDatasetFiles(42 as never)).rejects.toThrow(/must be a path or an array of paths/);
  });
});
