// The job record schema lives in @rlvr/job-record (so that readers of records, like the report
// renderer, need neither SQLite nor the trainer); this package re-exports it unchanged and adds the
// assertion that throws its own error type.
import { type JobRecord, validateJobRecord } from "@rlvr/job-record";
import { OrchestratorError } from "./errors.js";

export {
  type EstimateRecord,
  EstimateSchema,
  JOB_MODE_STAGES,
  JOB_RECORD_SCHEMA_DIALECT,
  JOB_RECORD_VERSION,
  type JobRecord,
  type JobRecordIssue,
  JobRecordSchema,
  type JobRecordValidation,
  jobRecordJsonSchema,
  jobRecordSchemaFileText,
  type PolicyEstimatesRecord,
  PolicyEstimatesSchema,
  type SelectionRecord,
  SelectionSchema,
  type ShippingRecord,
  ShippingSchema,
  STAGES,
  type StableJobRecord,
  type StageName,
  stripVolatile,
  type TrialRecord,
  TrialRecordSchema,
  VolatileSchema,
  type VolatileSection,
  validateJobRecord,
} from "@rlvr/job-record";

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
