/**
 * `@rlvr/rlvr-loop`: a GRPO-family trainer for log-linear softmax policies over discrete actions,
 * verifiers and verifiable environments, off-policy evaluation with bootstrap intervals, and
 * checkpoints. See docs/rlvr-loop.md for the objective, every option and its default.
 * @packageDocumentation
 */

export type {
  CheckpointHeader,
  CheckpointJson,
  LoadedCheckpoint,
  SerializeCheckpointOptions,
} from "./checkpoint.js";
export {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MAGIC,
  loadCheckpoint,
  serializeCheckpoint,
} from "./checkpoint.js";
export type { PartialTrainConfig } from "./config.js";
export {
  defaultTrainConfig,
  resolveTrainConfig,
  trainConfigSchema,
  validateTrainConfig,
} from "./config.js";
export type {
  AdvantageConfig,
  ClipConfig,
  EarlyStoppingConfig,
  ImportanceCorrectionConfig,
  KlConfig,
  OffPolicyConfig,
  OffPolicyTarget,
  OnlineConfig,
  OptimizerConfig,
  ScheduleConfig,
  TrainConfig,
  ValidationConfig,
  ValidationMetric,
} from "./config-schema.js";
export type {
  Environment,
  EnvironmentOutcome,
  EnvironmentTask,
  ExactBaselines,
  WeightedContext,
} from "./environment.js";
export { exactBaselines, exactOptimalValue, exactPolicyValue } from "./environment.js";
export type { DivergedMetric, RlvrLoopErrorCode } from "./errors.js";
export { RlvrLoopError, TrainingDivergedError } from "./errors.js";
export type { Estimate, EvaluateOptions, Evaluation, ModelSource, PolicyEstimates } from "./evaluation.js";
export { evaluate } from "./evaluation.js";
export type { Featurizer, SparseFeatures } from "./featurizer.js";
export { createFeaturizer, tokenize } from "./featurizer.js";
export type { FeaturizerSpec, NumericTransform } from "./featurizer-spec.js";
export { defaultFeaturizerSpec, featurizerSpecSchema, resolveFeaturizerSpec } from "./featurizer-spec.js";
export type {
  BehaviorSpec,
  GeneratedLogs,
  GenerateLogsOptions,
  GroupSizeDistribution,
  LearningTraceDataset,
  LearningTraceExample,
  LearningTraceLabels,
} from "./generate-logs.js";
export { generateLogs, learningTraceToJson } from "./generate-logs.js";
export type { HeuristicBehaviorOptions } from "./heuristic-behavior.js";
export { createHeuristicBehavior } from "./heuristic-behavior.js";
export type {
  ActOptions,
  ActResult,
  CreatePolicyOptions,
  LinearSoftmaxPolicy,
  LogProbsOptions,
  Policy,
} from "./policy.js";
export { constantPolicy, createPolicy, isLinearSoftmaxPolicy, uniformPolicy } from "./policy.js";
export {
  createPolicyScorer,
  type PolicyScorer,
  type PolicyScorerOptions,
  type ScorerNuisance,
} from "./policy-scorer.js";
export type { FitModelOptions, ModelData, RewardModel } from "./reward-model.js";
export { fitBehaviorModel, fitRewardModel, greedyPolicy } from "./reward-model.js";
export type { RlvrLoop } from "./rlvr-loop.js";
export { rlvrLoop } from "./rlvr-loop.js";
export type { Rng } from "./rng.js";
export { createRng, deriveRng } from "./rng.js";
export type {
  TaskKind,
  ToolRoutingEnvironment,
  ToolRoutingEnvironmentOptions,
  ToolRoutingTask,
} from "./tool-routing-environment.js";
export { createToolRoutingEnvironment, TASK_KINDS, TASK_LEVELS } from "./tool-routing-environment.js";
export type { TraceLogsOptions, TraceWorld, TraceWorldOptions } from "./trace-world.js";
export { createTraceWorld, TRACE_GROUP_SIZES, TRACE_WORLD_OPTIONS } from "./trace-world.js";
export type {
  EpochMetrics,
  MetricsEvent,
  OfflineTrainingSource,
  OnlineTrainingSource,
  StepMetrics,
  StopReason,
  TrainHooks,
  TrainingResult,
  TrainingSource,
} from "./train.js";
export { train } from "./train.js";
export type { BuildTrainingDataOptions, TrainingData, TrainingDataArrays } from "./training-data.js";
export { buildTrainingData, trainingDataFromArrays } from "./training-data.js";
export type {
  CompositeComponent,
  CompositeOptions,
  JsonSchemaOptions,
  NormalizedTextOptions,
  NumericOptions,
  RegexOptions,
  Verifier,
  VerifierResult,
} from "./verifiers.js";
export {
  createCompositeVerifier,
  createExactMatchVerifier,
  createJsonSchemaVerifier,
  createNormalizedTextVerifier,
  createNumericVerifier,
  createRegexVerifier,
} from "./verifiers.js";
export { VERSION } from "./version.js";
