import { createErrorBrand, RlvrError, type RlvrErrorOptions } from "@rlvr/errors";

const RLVR_LOOP_ERROR = createErrorBrand("@rlvr/rlvr-loop/error");
const TRAINING_DIVERGED_ERROR = createErrorBrand("@rlvr/rlvr-loop/training-diverged-error");

/**
 * Codes of {@link RlvrLoopError}:
 * - `INVALID_ARGUMENT`: an argument or option has an invalid value (the message names the function,
 *   the option path and the value);
 * - `INVALID_CONFIG`: a training configuration fails validation (the message names the JSON pointer);
 * - `INVALID_DATA`: an example cannot be used (unknown action, non-finite number, bad behavior
 *   probability, ...); the message names the example index and id;
 * - `INCOMPATIBLE_POLICY`: a policy's actions or featurizer do not match the data or the environment;
 * - `CHECKPOINT_INVALID`: bytes are not a readable checkpoint (magic, length, header, weights);
 * - `CHECKPOINT_DIGEST_MISMATCH`: a checkpoint's content digest does not match its content;
 * - `UNSUPPORTED`: the operation needs something the environment or policy does not provide
 *   (e.g. the exact value of an environment without a finite context set);
 * - `ABORTED`: the operation was aborted through an `AbortSignal` (`cause` is the signal's reason);
 * - `DIVERGED`: training produced a non-finite loss, gradient or weight; thrown as
 *   {@link TrainingDivergedError}.
 */
export type RlvrLoopErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_CONFIG"
  | "INVALID_DATA"
  | "INCOMPATIBLE_POLICY"
  | "CHECKPOINT_INVALID"
  | "CHECKPOINT_DIGEST_MISMATCH"
  | "UNSUPPORTED"
  | "ABORTED"
  | "DIVERGED";

/**
 * Error thrown by every function of `@rlvr/rlvr-loop`, an {@link RlvrError} of `@rlvr/errors`. Check
 * it with {@link RlvrLoopError.is}, which also works across two installed copies of the package (it
 * checks a `Symbol.for` brand). Messages say what was wrong (the option, the example, the checkpoint,
 * the value) and what was expected; they never name functions of this package.
 */
export class RlvrLoopError extends RlvrError<RlvrLoopErrorCode> {
  /**
   * @param code - machine-readable reason
   * @param message - what was wrong, with the bad value and what was expected
   * @param options - `cause`: the wrapped error or abort reason; `details`: one line per problem
   */
  constructor(code: RlvrLoopErrorCode, message: string, options?: RlvrErrorOptions) {
    super(code, message, options);
    this.name = "RlvrLoopError";
    RLVR_LOOP_ERROR.mark(this);
  }

  /** Whether `value` is an {@link RlvrLoopError} (or a subclass), by brand rather than `instanceof`. */
  static override is(value: unknown): value is RlvrLoopError {
    return RLVR_LOOP_ERROR.test(value);
  }
}

/** Which quantity became non-finite, see {@link TrainingDivergedError}. */
export type DivergedMetric = "loss" | "grad_norm" | "weights";

/**
 * Thrown by `train` when the loss, the gradient norm or a weight becomes NaN or infinite. Training
 * stops at once; no result with NaN weights is ever returned.
 */
export class TrainingDivergedError extends RlvrLoopError {
  /** 1-based optimizer step at which the non-finite value appeared. */
  readonly step: number;
  /** 1-based epoch of that step. */
  readonly epoch: number;
  /** The quantity that became non-finite. */
  readonly metric: DivergedMetric;
  /** The offending value (NaN, Infinity or -Infinity). */
  readonly value: number;

  /**
   * @param details - where and what diverged
   */
  constructor(details: { step: number; epoch: number; metric: DivergedMetric; value: number }) {
    super(
      "DIVERGED",
      `training diverged at step ${details.step} (epoch ${details.epoch}): ${details.metric} is ${details.value}; lower optimizer.learningRate, set optimizer.maxGradNorm, or rescale numeric features`,
    );
    this.name = "TrainingDivergedError";
    this.step = details.step;
    this.epoch = details.epoch;
    this.metric = details.metric;
    this.value = details.value;
    TRAINING_DIVERGED_ERROR.mark(this);
  }

  /** Whether `value` is a {@link TrainingDivergedError}, by brand rather than `instanceof`. */
  static override is(value: unknown): value is TrainingDivergedError {
    return TRAINING_DIVERGED_ERROR.test(value);
  }
}
