// The job record schema lives in @rlvr/job-record (so that readers of records, like the report
// renderer, need neither SQLite nor the trainer); the barrel re-exports it unchanged, and this file
// adds the assertion that throws the orchestrator's own error type.
import { type JobRecord, validateJobRecord } from "@rlvr/job-record";
import { OrchestratorError } from "./errors.js";

/**
 * Like {@link validateJobRecord} but throws.
 * @throws {@link OrchestratorError} `INVALID_RECORD` listing every issue
 */
export function assertJobRecord(value: unknown): asserts value is JobRecord {
  const result = validateJobRecord(value);
  if (!result.valid) {
    const lines = result.issues.map((i) => `${i.pointer || "(root)"}: ${i.message}`);
    throw new OrchestratorError("INVALID_RECORD", `invalid job record:\n  ${lines.join("\n  ")}`, {
      details: lines,
    });
  }
}
