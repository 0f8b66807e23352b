import { RlvrError } from "@rlvr/errors";
import { afterAll, describe, expect, it } from "vitest";
import { example, jsonl, tempDir } from "./__fixtures__/helpers.js";
import { DatasetError, DatasetValidationError } from "./errors.js";
import { DATASET_FORMAT_OPTIONS, DATASET_FORMAT_TABLE, DATASET_FORMATS, isLineFormat } from "./formats.js";
import { loadDataset, validateDatasetFile, validateDatasetFiles } from "./read.js";
import { computeStats } from "./stats.js";
import { datasetWarnings, MANY_ACTIONS } from "./warnings.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const many = (n: number, f: (i: number) => Partial<Parameters<typeof example>[0]>) =>
  Array.from({ length: n }, (_, i) => example({ id: `e${i}`, groupId: `g${i % 4}`, ...f(i) }));

describe("datasetWarnings", () => {
  it("says when every reward is equal, with the numbers", () => {
    const w = datasetWarnings(computeStats(many(1200, (i) => ({ action: i % 2 ? "a" : "b", reward: 1 }))));
    expect(w).toEqual([
      {
        code: "NO_REWARD_VARIANCE",
        message: "every one of the 1200 rewards is 1: no learnable signal (every advantage is zero)",
      },
    ]);
  });

  it("says when there is a single action in the whole dataset", () => {
    const w = datasetWarnings(computeStats(many(6, (i) => ({ action: "search", reward: i % 2 }))));
    expect(w.map((x) => x.code)).toEqual(["SINGLE_ACTION"]);
    expect(w[0]?.message).toBe(
      'every one of the 6 examples took the action "search": a policy over one action has nothing to choose',
    );
  });

  it("says when every group has one example and nothing carries behaviorProb", () => {
    const singletons = many(5, (i) => ({ groupId: `g${i}`, action: i % 2 ? "a" : "b", reward: i % 2 }));
    expect(datasetWarnings(computeStats(singletons)).map((x) => x.code)).toEqual(["SINGLETON_GROUPS"]);
    const withProb = singletons.map((e) => ({ ...e, behaviorProb: 0.5 }));
    expect(datasetWarnings(computeStats(withProb))).toEqual([]);
  });

  it("is quiet for data with signal, for one example and for no example", () => {
    expect(
      datasetWarnings(computeStats(many(8, (i) => ({ action: i % 2 ? "a" : "b", reward: i % 3 ? 1 : 0 })))),
    ).toEqual([]);
    expect(datasetWarnings(computeStats([example()]))).toEqual([]);
    expect(datasetWarnings(computeStats([]))).toEqual([]);
  });

  it("warns above MANY_ACTIONS distinct actions", () => {
    const stats = { ...computeStats(many(8, (i) => ({ action: `a${i}`, reward: i % 2 }))) };
    stats.actions = Object.fromEntries(Array.from({ length: MANY_ACTIONS + 1 }, (_, i) => [`a${i}`, 1]));
    expect(datasetWarnings(stats).map((x) => x.code)).toEqual(["MANY_ACTIONS"]);
  });
});

describe("warnings in reports", () => {
  it("a valid file whose rewards are all equal gets a warning naming the file, not an issue", async () => {
    const file = tmp.write(
      "flat.jsonl",
      jsonl(many(12, (i) => ({ action: i % 2 ? "a" : "b", reward: 0.5 }))),
    );
    const r = await validateDatasetFile(file);
    expect(r.valid).toBe(true);
    expect(r.warnings).toEqual([
      {
        code: "NO_REWARD_VARIANCE",
        file,
        message: expect.stringContaining("every one of the 12 rewards is 0.5"),
      },
    ]);
    const loaded = await loadDataset(file);
    expect(loaded.warnings.map((w) => w.code)).toEqual(["NO_REWARD_VARIANCE"]);
  });

  it("several files: the dataset warning covers them together and names no file", async () => {
    const a = tmp.write("a.jsonl", jsonl(many(3, (i) => ({ id: `a${i}`, action: "x", reward: 1 }))));
    const b = tmp.write("b.jsonl", jsonl(many(3, (i) => ({ id: `b${i}`, action: "y", reward: 1 }))));
    const s = await validateDatasetFiles([a, b]);
    expect(s.warnings).toEqual([
      { code: "NO_REWARD_VARIANCE", message: expect.stringMatching(/^every one of the 6 /) },
    ]);
    expect(s.reports.flatMap((r) => r.warnings)).toEqual([]);
  });
});

describe("the format table", () => {
  it("is the one list of formats, with the options and layouts derived from it", () => {
    expect(DATASET_FORMATS).toEqual(["rlvr", "jsonl", "learning-trace", "legacy-rlvr", "completions"]);
    expect(DATASET_FORMAT_OPTIONS).toEqual(["auto", ...DATASET_FORMATS]);
    expect(DATASET_FORMAT_TABLE.filter((f) => f.layout === "lines").map((f) => f.name)).toEqual([
      "jsonl",
      "completions",
    ]);
    expect(DATASET_FORMATS.filter(isLineFormat)).toEqual(["jsonl", "completions"]);
    for (const row of DATASET_FORMAT_TABLE) {
      expect(row.description.length).toBeGreaterThan(10);
      expect(row.markers.length).toBeGreaterThan(0);
    }
  });
});

describe("errors", () => {
  it("extend RlvrError and keep their name, code and brand checks", () => {
    const e = new DatasetError("BAD_OPTIONS", "x", { file: "f" });
    expect(RlvrError.is(e)).toBe(true);
    expect(e).toBeInstanceOf(RlvrError);
    expect([e.name, e.code, e.file, e.issues]).toEqual(["DatasetError", "BAD_OPTIONS", "f", []]);
    const v = new DatasetValidationError("y", [], []);
    expect([
      v.name,
      v.code,
      DatasetError.is(v),
      DatasetValidationError.is(v),
      DatasetValidationError.is(e),
    ]).toEqual(["DatasetValidationError", "DATASET_INVALID", true, true, false]);
  });
});
