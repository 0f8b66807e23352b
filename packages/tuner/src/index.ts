/**
 * `@rlvr/tuner`: a deterministic hyperparameter tuner. Search spaces as data, grid / random / TPE
 * samplers, median / percentile / successive-halving pruners, inline and worker-thread executors, an
 * append-only journal with crash-safe resume, and per-parameter importance. Trial k's seed and
 * parameters depend only on the study seed, k and the trials its design makes visible, never on
 * concurrency or completion order.
 * @packageDocumentation
 */
export { SearchSpaceError, type SearchSpaceIssue, TunerError, type TunerErrorCode } from "./errors.js";
export type {
  Executor,
  ExecutorRequest,
  Objective,
  TrialChannel,
  TrialOutcome,
  TrialTask,
} from "./executor.js";
export {
  createGridSampler,
  GRID_SAMPLER_DEFAULTS,
  type GridSamplerOptions,
  MAX_GRID_SIZE,
  MAX_SHUFFLED_GRID_SIZE,
} from "./grid-sampler.js";
export { type ParameterImportanceOptions, type ParamImportance, parameterImportance } from "./importance.js";
export {
  createInlineExecutor,
  INLINE_EXECUTOR_DEFAULTS,
  type InlineExecutorOptions,
} from "./inline-executor.js";
export {
  createJournalStorage,
  JOURNAL_STORAGE_DEFAULTS,
  type JournalStorage,
  type JournalStorageOptions,
} from "./journal-storage.js";
export {
  createMedianPruner,
  createPercentilePruner,
  MEDIAN_PRUNER_DEFAULTS,
  type MedianPrunerOptions,
  type PercentilePrunerOptions,
} from "./median-pruner.js";
export { createNopPruner, type Pruner, type PrunerContext } from "./pruner.js";
export { createRandomSampler } from "./random-sampler.js";
export type { ComponentDescription, JsonValue, Sampler, SamplerContext } from "./sampler.js";
export {
  CategoricalParamSchema,
  type CategoricalParamSpec,
  type Choice,
  defineSearchSpace,
  FixedParamSchema,
  type FixedParamSpec,
  FloatParamSchema,
  type FloatParamSpec,
  IntParamSchema,
  type IntParamSpec,
  isSearchSpace,
  MAX_GRID_POINTS,
  MAX_PARAM_NAME_LENGTH,
  type ParamSpec,
  ParamSpecSchema,
  type Params,
  type ParamsOf,
  type ParamValueOf,
  type SearchSpace,
  SearchSpaceSchema,
  type SearchSpaceSpec,
  validateSearchSpace,
} from "./search-space.js";
export {
  type AskEvent,
  createMemoryStorage,
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  type MemoryStorage,
  type ReportEvent,
  type RetryEvent,
  type StudyEvent,
  StudyEventSchema,
  type StudyHeaderEvent,
  type StudyStorage,
  type TellEvent,
} from "./storage.js";
export { createStudy, DEFAULT_PENDING_WINDOW, loadStudy, STUDY_DEFAULTS } from "./study.js";
export type {
  InterruptedPolicy,
  LoadStudyOptions,
  OptimizeOptions,
  ResumeOptions,
  Study,
  StudyOptions,
  TrialCounts,
  TuningResult,
} from "./study-types.js";
export {
  createSuccessiveHalvingPruner,
  SUCCESSIVE_HALVING_PRUNER_DEFAULTS,
  type SuccessiveHalvingPrunerOptions,
} from "./successive-halving-pruner.js";
export {
  createExecutor,
  createPruner,
  createSampler,
  EXECUTORS,
  type ExecutorName,
  type ExecutorOptionsOf,
  PRUNER_ALIASES,
  PRUNERS,
  type PrunerAlias,
  type PrunerName,
  type PrunerOptionsOf,
  resolvePrunerName,
  SAMPLERS,
  type SamplerName,
  type SamplerOptionsOf,
} from "./tables.js";
export { createTpeSampler, TPE_SAMPLER_DEFAULTS, type TpeSamplerOptions } from "./tpe-sampler.js";
export type {
  Direction,
  FrozenTrial,
  IntermediateValue,
  PendingTrial,
  TellResult,
  Trial,
  TrialErrorInfo,
  TrialState,
} from "./trial.js";
export { VERSION } from "./version.js";
export {
  createWorkerPoolExecutor,
  WORKER_POOL_EXECUTOR_DEFAULTS,
  type WorkerPoolExecutor,
  type WorkerPoolExecutorOptions,
} from "./worker-pool-executor.js";
