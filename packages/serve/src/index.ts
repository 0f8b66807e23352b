/**
 * `@rlvr/serve`: serve an rlvr policy over HTTP (Fastify). Decisions drawn with explicit, bounded
 * exploration whose probability is logged, rewards joined to them, a durable decision log (SQLite,
 * WAL, group commit), export to the dataset format, replay, hot reload and metrics. See
 * docs/serving.md.
 * @packageDocumentation
 */
export type { ServeErrorCode, ServeErrorOptions } from "./errors.js";
export { HTTP_STATUS, ServeError } from "./errors.js";
export type { Decision, ExplorationOptions } from "./exploration.js";
export {
  checkExploration,
  DEFAULT_EXPLORATION,
  decide,
  decisionUniform,
  drawAction,
  servingProbabilities,
} from "./exploration.js";
export type { ExportOptions, ExportSummary } from "./export.js";
export { exportDecisionLog, writeDecisionExport } from "./export.js";
export { LOG_FILE, LOG_FORMAT_VERSION } from "./internal/_log-db.js";
export type { OpenApiJson } from "./openapi.js";
export { openApiDocument } from "./openapi.js";
export type { ResolvedServeOptions, ServeOptions } from "./options.js";
export { resolveServeOptions } from "./options.js";
export type { ReplayMismatch, ReplayResult } from "./replay.js";
export { replayDecisionLog } from "./replay.js";
export type {
  DecisionRequest,
  DecisionResponse,
  ErrorResponse,
  ReloadRequest,
  ReloadResponse,
  RewardRequest,
  RewardResponse,
} from "./schemas.js";
export {
  API_SCHEMAS,
  CLIENT_EVENT_ID_PATTERN,
  DecisionRequestSchema,
  DecisionResponseSchema,
  ErrorResponseSchema,
  EVENT_ID_PATTERN,
  GROUP_ID_PATTERN,
  HealthResponseSchema,
  ReloadRequestSchema,
  ReloadResponseSchema,
  RewardParamsSchema,
  RewardRequestSchema,
  RewardResponseSchema,
} from "./schemas.js";
export type { ListenOptions, PolicyServer } from "./server.js";
export { createPolicyServer } from "./server.js";
export { VERSION } from "./version.js";
