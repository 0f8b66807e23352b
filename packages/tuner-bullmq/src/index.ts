/**
 * `@rlvr/tuner-bullmq`: run the trials of an `@rlvr/tuner` study on many machines. The executor puts
 * trials on a BullMQ queue in Redis; workers on any machine run them with trial code registered by name
 * and send the outcome back; `trial.report` / `trial.shouldPrune` reach the study through Redis, so the
 * study's result is the one the inline executor gives. A content-addressed blob store ships a run's
 * data to the workers through Redis.
 * @packageDocumentation
 */
export {
  type BlobStore,
  type BlobStoreOptions,
  blobDigest,
  decodeStructured,
  encodeStructured,
  openBlobStore,
} from "./blob-store.js";
export { maskRedisUrl, type RedisEndpointOptions } from "./connection.js";
export { TunerBullmqError, type TunerBullmqErrorCode } from "./errors.js";
export { type BullmqExecutor, type BullmqExecutorOptions, createBullmqExecutor } from "./executor.js";
export { VERSION } from "./version.js";
export {
  ChannelReplySchema,
  ChannelRequestSchema,
  TrialPayloadSchema,
  TrialResultSchema,
  WIRE_VERSION,
} from "./wire.js";
export {
  createQueueWorker,
  type QueueWorker,
  type QueueWorkerEvent,
  type QueueWorkerOptions,
  type TrialRunContext,
  type TrialRunner,
} from "./worker.js";
