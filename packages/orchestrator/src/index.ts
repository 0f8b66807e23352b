/**
 * `@rlvr/orchestrator`: the rlvr training job. `runJob(spec)` loads and validates the dataset, splits
 * it by group, fingerprints the job, tunes the RLVR loop on train with the objective on validation,
 * trains the final policy, evaluates it on test with baselines, writes the checkpoint and returns a
 * versioned, schema-validated {@link JobRecord}. Also: the job spec and job file, progress events,
 * cancellation, resume after a crash, and the SQLite run registry.
 * @packageDocumentation
 */

// The command lines' door (issue 11): the error table and command-level tools.
export type {
  DatasetFormat,
  DatasetIssue,
  DatasetStats,
  ValidationReport,
  ValidationSummary,
} from "@rlvr/dataset";
/** Strict JSON for small files (duplicate keys refused, with file:line: pointer): the dataset package's parser. */
export { parseJsonText } from "@rlvr/dataset";
export type { FingerprintDiff, Manifest, ManifestVerification } from "@rlvr/env-fingerprint";
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
export type { Estimate, Evaluation } from "@rlvr/rlvr-loop";
export { DEFAULT_SEARCH_SPACE, DEFAULT_TUNER_SETTINGS } from "./defaults.js";
export {
  type CliErrorCode,
  ERROR_TABLE,
  type ErrorEntry,
  type ErrorLookup,
  type ErrorTableName,
  EXIT_CODES,
  type ExitCodeValue,
  isSystemError,
  lookupError,
  type SystemErrorCode,
  systemCause,
} from "./error-table.js";
export { OrchestratorError, type OrchestratorErrorCode, type OrchestratorErrorOptions } from "./errors.js";
export type { JobEvent, JobEventType } from "./job-events.js";
export { assertJobRecord } from "./job-record.js";
export {
  DEFAULT_EVALUATION,
  DEFAULT_LABEL,
  DEFAULT_SPLIT,
  EvaluationSettingsSchema,
  type JobFile,
  JobFileSchema,
  type JobMode,
  JobModeSchema,
  type JobSpec,
  JobSpecSchema,
  MAX_SEED,
  type ResolvedJobSpec,
  type ResolvedTunerSettings,
  ShippingSettingsSchema,
  SplitSchema,
  type TunerSettings,
  TunerSettingsSchema,
  type TuningObjective,
  TuningObjectiveSchema,
} from "./job-spec.js";
export {
  jobFileJsonSchema,
  mergeJobSpecs,
  readJobFile,
  resolveJobSpec,
  validateJobSpec,
} from "./job-spec-resolve.js";
export { applyParams, checkParamPaths, labelFromFileStem, sanitizeLabel } from "./params.js";
export {
  type BullmqJobExecutorOptions,
  bullmqExecutor,
  createJobWorker,
  JOB_TRIAL_RUNNER,
  type JobWorker,
  type JobWorkerEvent,
  type JobWorkerOptions,
  type QueueEndpointOptions,
} from "./queue.js";
export {
  type ArtifactRow,
  type CheckpointRow,
  createRegistry,
  fingerprintFamily,
  type ListRunsOptions,
  type MetricPoint,
  REGISTRY_SCHEMA_VERSION,
  type Registry,
  type RegistryOptions,
  type RunComparison,
  type RunRow,
  type RunStatus,
  type StartRunInput,
} from "./registry.js";
export {
  checkpointFileName,
  deriveJobId,
  fingerprintJob,
  type JobFingerprint,
  jobStateDir,
  recordFileName,
  rlvrPackageVersions,
  runJob,
} from "./run-job.js";
export type {
  Clock,
  FileWriter,
  HostFacts,
  JobOutputRenderer,
  RegistryFactory,
  RunJobOptions,
} from "./run-options.js";
export {
  EXECUTOR_NAMES,
  EXECUTORS,
  type ExecutorFactory,
  type ExecutorInput,
  type ExecutorName,
  type ExecutorSettings,
  executorFactory,
  inlineExecutor,
  JOB_PRUNER_NAMES,
  JOB_PRUNERS,
  JOB_SAMPLER_NAMES,
  JOB_SAMPLERS,
  type JobExecutor,
  type JobPrunerName,
  type JobSamplerName,
  MEDIAN_PRUNER_SETTINGS,
  type TrialWorkerRecipe,
  type TunerComponentSettings,
  type WorkerPoolExecutorFactoryOptions,
  type WorkerRecipeOptions,
  workerPoolExecutor,
} from "./tables.js";
export {
  type ActInput,
  type ActOutput,
  type ActorOptions,
  type CheckpointPolicy,
  createActor,
  parseActInput,
  readCheckpoint,
} from "./tools/checkpoint.js";
export {
  checkPropensityPointer,
  DATASET_FORMAT_OPTIONS,
  type DatasetFormatOption,
  describeIssues,
  issuesOfError,
  type ValidateFilesOptions,
  validateFiles,
} from "./tools/datasets.js";
export {
  type CheckpointEvaluation,
  type EvaluateCheckpointOptions,
  evaluateCheckpoint,
} from "./tools/evaluate.js";
export { checkManifest, createManifest, diffManifests, type ManifestRecordedBy } from "./tools/manifest.js";
export { type ParamValue, specWithParams } from "./tools/params.js";
export {
  compareRecords,
  diffJson,
  type JsonDifference,
  type ReplaySpecOptions,
  replaySpec,
} from "./tools/records.js";
export { VERSION } from "./version.js";
