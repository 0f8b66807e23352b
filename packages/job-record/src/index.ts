/**
 * `@rlvr/job-record`: the versioned record of an rlvr training job (TypeBox schema, JSON Schema,
 * validation with JSON pointers, the stable part without `volatile`) and the label rule that names
 * a job's files. What a reader of records needs, without the pipeline, the trainer or SQLite;
 * `@rlvr/orchestrator` writes records and re-exports all of this.
 * @packageDocumentation
 */

export { describeAjvErrors } from "./_ajv-errors.js";
export {
  type EstimateRecord,
  EstimateSchema,
  JOB_MODE_STAGES,
  JOB_RECORD_SCHEMA_DIALECT,
  JOB_RECORD_VERSION,
  type JobMode,
  JobModeSchema,
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
} from "./job-record.js";
export { labelFromFileStem, MAX_LABEL_STEM_LENGTH, sanitizeLabel } from "./label.js";
export { VERSION } from "./version.js";
