import { createErrorBrand, RlvrError, type RlvrErrorOptions } from "@rlvr/errors";

const BRAND = createErrorBrand("@rlvr/tuner-bullmq/error");

/**
 * Codes of {@link TunerBullmqError}:
 * - `INVALID_ARGUMENT`: an option has an invalid value (the message names the option and the value);
 * - `REDIS_UNREACHABLE`: Redis at the URL (password masked) did not answer within
 *   `unreachableTimeoutMs`, at start or while running;
 * - `REDIS_RESTARTED`: the Redis server at the URL restarted while a study ran (its `run_id` changed):
 *   queued trials and their channels may be lost, so the executor stops rather than wait for them;
 * - `INVALID_PAYLOAD`: a queue job's data is not a trial payload of this version (a worker fails the job
 *   with this reason and keeps serving);
 * - `UNKNOWN_RUNNER`: a payload names a trial runner the worker does not have registered;
 * - `INVALID_RESULT`: a finished job's result, or a channel message, is not of the expected shape;
 * - `TASK_MISMATCH`: a job of the run already in the queue holds another trial (the run id was reused
 *   for a different study);
 * - `JOB_FAILED`: the queue gave up on a trial (its workers stopped more than `maxStalledCount` times,
 *   or lost the channel to the study); recorded as the trial's error;
 * - `CHANNEL_TIMEOUT`: a remote `trial.report` / `trial.shouldPrune` got no answer from the study in
 *   `channelTimeoutMs`;
 * - `REPLAY_MISMATCH`: a re-run of a trial (after its worker died) reported a different step or value
 *   than the earlier attempt at the same point: the objective is not deterministic;
 * - `BLOB_NOT_FOUND`: no blob with that digest in Redis (or a chunk of it is missing);
 * - `BLOB_CORRUPT`: a blob's bytes do not hash to its digest, or its manifest is malformed;
 * - `CLOSED`: the executor, worker or blob store was used after `close()`.
 */
export type TunerBullmqErrorCode =
  | "INVALID_ARGUMENT"
  | "REDIS_UNREACHABLE"
  | "REDIS_RESTARTED"
  | "INVALID_PAYLOAD"
  | "UNKNOWN_RUNNER"
  | "INVALID_RESULT"
  | "TASK_MISMATCH"
  | "JOB_FAILED"
  | "CHANNEL_TIMEOUT"
  | "REPLAY_MISMATCH"
  | "BLOB_NOT_FOUND"
  | "BLOB_CORRUPT"
  | "CLOSED";

/**
 * Error thrown by every function of `@rlvr/tuner-bullmq` (an {@link RlvrError}). Check it with
 * {@link TunerBullmqError.is}, which also works across two installed copies of the package.
 */
export class TunerBullmqError extends RlvrError<TunerBullmqErrorCode> {
  /**
   * @param code - machine-readable reason, see {@link TunerBullmqErrorCode}
   * @param message - what went wrong, naming the Redis URL (password masked), the job or the option
   * @param options - `cause`, `details`
   */
  constructor(code: TunerBullmqErrorCode, message: string, options?: RlvrErrorOptions) {
    super(code, message, options);
    this.name = "TunerBullmqError";
    BRAND.mark(this);
  }

  /** Whether `value` is a {@link TunerBullmqError}, by brand rather than `instanceof`. */
  static override is(value: unknown): value is TunerBullmqError {
    return BRAND.test(value);
  }
}
