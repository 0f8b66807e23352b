import { readFileSync } from "node:fs";
import type { JobRecord } from "@rlvr/job-record";
import { describe, expect, it } from "vitest";
import {
  assertJobRecord,
  JobRecordSchema,
  jobRecordSchemaFileText,
  OrchestratorError,
  stripVolatile,
  validateJobRecord,
} from "./index.js";
import { jobFileJsonSchema } from "./job-spec-resolve.js";

const est = { value: 0.5, lower: 0.4, upper: 0.6, standardError: 0.05 };
const pe = { ips: est, snips: est, dm: est, dr: est, effectiveSampleSize: 10 };

/** A minimal valid record (a fresh deep copy) (a failed job before tuning). */
function minimalRecord(): JobRecord {
  return structuredClone({
    recordVersion: 1,
    jobId: "job-0123456789abcdef",
    label: "x",
    status: "failed",
    error: { code: "STAGE_FAILED", message: "boom", stage: "tune" },
    fingerprint: `sha256:${"a".repeat(64)}`,
    manifest: null,
    packages: { "@rlvr/orchestrator": "0.0.0" },
    spec: {
      seed: 0,
      format: "auto",
      split: { validation: 0.15, test: 0.2 },
      finalTraining: "train+validation",
      evaluation: { resamples: 500, confidence: 0.95 },
      tuner: {},
      searchSpace: {},
      baseConfig: {},
    },
    dataset: null,
    split: null,
    tuning: null,
    finalConfig: null,
    training: null,
    evaluation: {
      split: "test",
      examples: 10,
      groups: 3,
      behaviorSource: "logged",
      rewardModelSource: "fitted-on-training",
      resamples: 200,
      confidence: 0.95,
      seed: 0,
      learned: pe,
      baselines: { behavior: est, uniform: pe, bestSingleAction: { action: "a", estimates: pe } },
      effectiveSampleSize: 9,
      beats: { behavior: true, bestSingleAction: false },
    },
    checkpoint: null,
    stages: ["load", "split", "fingerprint"],
    volatile: {
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: "2025-01-01T00:00:01.000Z",
      durationMs: 1000,
      stages: [{ name: "load", durationMs: 1, share: 1, resumed: false }],
      trials: [],
      host: "h",
      pid: 1,
      resumed: false,
      datasetPaths: ["/d.jsonl"],
      outDir: "/o",
      registryPath: null,
      stateDir: "/o/.rlvr-job/x",
      peakRssBytes: 1,
    },
  } satisfies JobRecord);
}

describe("validateJobRecord", () => {
  it("accepts a valid record", () => {
    const r = validateJobRecord(minimalRecord());
    expect(r.issues).toEqual([]);
    expect(r.valid).toBe(true);
    expect(() => assertJobRecord(minimalRecord())).not.toThrow();
  });

  it("reports each problem with its JSON pointer", () => {
    const bad = minimalRecord() as unknown as Record<string, unknown>;
    bad.jobId = "nope";
    bad.extra = 1;
    (bad.evaluation as { learned: { dr: { value: unknown } } }).learned.dr.value = "high";
    const r = validateJobRecord(bad);
    expect(r.valid).toBe(false);
    const pointers = r.issues.map((i) => i.pointer);
    expect(pointers).toContain("/jobId");
    expect(pointers).toContain("/extra");
    expect(pointers).toContain("/evaluation/learned/dr/value");
  });

  it("rejects an unknown record version and non-finite numbers", () => {
    expect(validateJobRecord({ ...minimalRecord(), recordVersion: 2 }).issues[0]?.pointer).toBe(
      "/recordVersion",
    );
    const r = minimalRecord();
    const nan = { ...r, volatile: { ...r.volatile, durationMs: Number.NaN } };
    const v = validateJobRecord(nan);
    expect(v.valid).toBe(false);
    expect(v.issues[0]?.pointer).toBe("/volatile/durationMs");
  });

  it("assertJobRecord throws INVALID_RECORD", () => {
    try {
      assertJobRecord({});
      expect.unreachable();
    } catch (error) {
      expect(OrchestratorError.is(error)).toBe(true);
      expect((error as OrchestratorError).code).toBe("INVALID_RECORD");
    }
  });
});

describe("stripVolatile", () => {
  it("removes exactly the volatile section", () => {
    const r = minimalRecord();
    const s = stripVolatile(r);
    expect("volatile" in s).toBe(false);
    expect(Object.keys(s).length).toBe(Object.keys(r).length - 1);
    expect(r.volatile).toBeDefined();
  });
});

describe("published JSON Schema files", () => {
  it("schema/job-record.json equals the generated schema", () => {
    const file = readFileSync(new URL("../schema/job-record.json", import.meta.url), "utf8");
    expect(file).toBe(jobRecordSchemaFileText());
    expect(JSON.parse(file).properties.volatile).toBeDefined();
    expect(JobRecordSchema.required).toContain("volatile");
  });

  it("schema/job-file.json equals the generated schema", () => {
    const file = readFileSync(new URL("../schema/job-file.json", import.meta.url), "utf8");
    expect(file).toBe(`${JSON.stringify(jobFileJsonSchema(), null, 2)}\n`);
  });
});
