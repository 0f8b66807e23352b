import { describe, expect, it } from "vitest";
import { demoRecord } from "./__fixtures__/demo.js";
import { makeMaliciousRecord, makeRecord } from "./__fixtures__/records.js";
import { ReportError } from "./errors.js";
import { parseJobRecord, toJobRecord } from "./record.js";

function thrown(fn: () => unknown): ReportError {
  try {
    fn();
  } catch (error) {
    if (ReportError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a ReportError");
}

describe("toJobRecord", () => {
  it("accepts the bundled demo record and the fixtures (they follow the current schema)", () => {
    expect(toJobRecord(demoRecord()).label).toBe("demo");
    expect(toJobRecord(makeRecord()).status).toBe("succeeded");
    expect(toJobRecord(makeMaliciousRecord()).label).toContain("<script>");
    expect(toJobRecord(makeRecord({ status: "failed" })).evaluation).toBeNull();
  });

  it("rejects foreign values as not a job record", () => {
    for (const value of [null, [], 42, "x", { schemaVersion: 1, examples: [] }, { manifestVersion: 1 }]) {
      const e = thrown(() => toJobRecord(value, "x.json"));
      expect(e.code).toBe("INVALID_RECORD");
      expect(e.message).toMatch(/^x\.json: not a job record/);
      expect(e.file).toBe("x.json");
    }
  });

  it("names the JSON pointer of every schema problem", () => {
    const bad = { ...makeRecord(), status: "exploded", fingerprint: "md5:1" } as unknown;
    const e = thrown(() => toJobRecord(bad, "bad.job.json"));
    expect(e.code).toBe("INVALID_RECORD");
    expect(e.message).toMatch(/^bad\.job\.json: invalid job record at \//);
    expect(e.details.some((d) => d.startsWith("/status"))).toBe(true);
    expect(e.details.some((d) => d.startsWith("/fingerprint"))).toBe(true);
  });

  it("refuses another record version", () => {
    const e = thrown(() => toJobRecord({ ...makeRecord(), recordVersion: 2 }));
    expect(e.details[0]).toMatch(/^\/recordVersion: unsupported record version 2/);
  });
});

describe("parseJobRecord", () => {
  it("reports where the JSON breaks", () => {
    const e = thrown(() => parseJobRecord('{\n  "a": 1,\n  oops\n}', "broken.json"));
    expect(e.code).toBe("INVALID_RECORD");
    expect(e.message).toMatch(/^broken\.json: not JSON at line 3, column 3/);
  });

  it("parses a record with a byte-order mark", () => {
    expect(parseJobRecord(`\uFEFF${JSON.stringify(makeRecord())}`).jobId).toMatch(/^job-/);
  });
});

describe("ReportError", () => {
  it("is recognised by its brand, not by instanceof", () => {
    const e = new ReportError("INVALID_ARGUMENT", "m", { cause: 1 });
    expect(ReportError.is(e)).toBe(true);
    expect(e.cause).toBe(1);
    expect(ReportError.is({ ...e })).toBe(false);
    const foreign = Object.defineProperty(new Error("x"), Symbol.for("@rlvr/report-renderer/error"), {
      value: true,
    });
    expect(ReportError.is(foreign)).toBe(true);
    expect(ReportError.is(new Error("x"))).toBe(false);
  });
});
