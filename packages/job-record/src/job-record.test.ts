import { describe, expect, it } from "vitest";
import { JOB_RECORD_VERSION, jobRecordJsonSchema, validateJobRecord } from "./index.js";

describe("validateJobRecord", () => {
  it("names the JSON pointer of every problem and never throws", () => {
    const r = validateJobRecord({ recordVersion: JOB_RECORD_VERSION, status: "maybe" });
    expect(r.valid).toBe(false);
    expect(r.issues.length).toBeGreaterThan(1);
    expect(r.issues.every((i) => i.pointer === "" || i.pointer.startsWith("/"))).toBe(true);
    expect(validateJobRecord(null).valid).toBe(false);
  });

  it("refuses another record version before looking further", () => {
    expect(validateJobRecord({ recordVersion: 99 }).issues).toEqual([
      { pointer: "/recordVersion", message: "unsupported record version 99 (expected 1)" },
    ]);
  });

  it("publishes a draft-07 JSON Schema", () => {
    expect(jobRecordJsonSchema()).toMatchObject({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
    });
  });
});
