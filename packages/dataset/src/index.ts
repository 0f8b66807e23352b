/**
 * `@rlvr/dataset`: RLVR example and dataset schemas, validation with precise errors, streaming
 * readers and adapters, content digest, deterministic group split and statistics.
 * @packageDocumentation
 */
export { canonicalizeExample } from "./canonical.js";
export type { DatasetDigest } from "./digest.js";
export { createDigest, DIGEST_PREFIX, digestExamples } from "./digest.js";
export type { DatasetErrorCode, DatasetErrorOptions } from "./errors.js";
export { DatasetError, DatasetValidationError } from "./errors.js";
export type { DatasetFormat, DatasetFormatInfo } from "./formats.js";
export {
  DATASET_FORMAT_OPTIONS,
  DATASET_FORMAT_TABLE,
  DATASET_FORMATS,
  datasetFormatInfo,
  isLineFormat,
} from "./formats.js";
export type { DatasetIssue } from "./issues.js";
export {
  escapePointerToken,
  formatIssue,
  IssueCode,
  MAX_ISSUE_VALUE_LENGTH,
  shortenValue,
} from "./issues.js";
export {
  datasetJsonSchema,
  exampleJsonSchema,
  JSON_SCHEMA_DIALECT,
  jsonSchemaFileText,
} from "./json-schema.js";
export type { ParseJsonTextOptions } from "./json-text.js";
export { parseJsonText } from "./json-text.js";
export {
  DEFAULT_MAX_ERRORS,
  MAX_JSON_DOCUMENT_BYTES,
  MAX_LINE_BYTES,
  MAX_NESTING_DEPTH,
} from "./limits.js";
export type {
  CompletionsOptions,
  ContextMapping,
  LearningTraceOptions,
  LegacyRlvrOptions,
  ReadOptions,
  SuspectedPolicy,
} from "./options.js";
export { propensityPointerProblem } from "./propensity.js";
export type { LoadedDataset, LoadOptions, ValidationReport, ValidationSummary } from "./read.js";
export { loadDataset, validateDatasetFile, validateDatasetFiles } from "./read.js";
export type { FeatureValue, JsonValue, RlvrContext, RlvrDataset, RlvrExample } from "./schema.js";
export {
  MAX_ID_LENGTH,
  RlvrContextSchema,
  RlvrDatasetSchema,
  RlvrExampleSchema,
  SCHEMA_VERSION,
} from "./schema.js";
export type { GroupSplit, SplitName, SplitOptions } from "./split.js";
export { assignSplit, createSplitter, SPLIT_PREFIX, splitByGroup, splitUnit } from "./split.js";
export type { DatasetStats, StatsAccumulator } from "./stats.js";
export { computeStats, createStatsAccumulator } from "./stats.js";
export type { ValidateExampleOptions } from "./validate-example.js";
export { isRlvrExample, validateExample } from "./validate-example.js";
export { VERSION } from "./version.js";
export type { DatasetWarning } from "./warnings.js";
export { datasetWarnings, MANY_ACTIONS, WarningCode } from "./warnings.js";
