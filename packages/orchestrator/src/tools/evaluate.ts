import { loadDataset } from "@rlvr/dataset";
import { type Evaluation, evaluate } from "@rlvr/rlvr-loop";
import type { CheckpointPolicy } from "./checkpoint.js";
import type { DatasetFormatOption } from "./datasets.js";

/** Options of {@link evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** The policy to evaluate (see `readCheckpoint`). */
  readonly policy: CheckpointPolicy;
  /** Held-out dataset files. */
  readonly files: readonly string[];
  /** Their format. @defaultValue `"auto"` */
  readonly format?: DatasetFormatOption;
  /** JSON pointer to the logging policy's probability in raw records. @defaultValue none */
  readonly propensityPointer?: string;
  /** Seed of the bootstrap. @defaultValue 0 */
  readonly seed?: number;
  /** Bootstrap resamples. @defaultValue 500 */
  readonly resamples?: number;
  /** Confidence level of the intervals, in (0, 1). @defaultValue 0.95 */
  readonly confidence?: number;
  /** Stops reading the data. @defaultValue none */
  readonly signal?: AbortSignal;
}

/** What {@link evaluateCheckpoint} returns: the digest of the data and the evaluation. */
export interface CheckpointEvaluation {
  readonly datasetDigest: string;
  readonly evaluation: Evaluation;
}

/**
 * Evaluates a trained policy on logged data off-policy: IPS, SNIPS, DM and DR estimates with
 * percentile-bootstrap intervals over groups, and the behavior, uniform and best-single-action
 * baselines on the same resamples (see docs/algorithms.md).
 * @throws `DatasetValidationError` for bad data, `DatasetError` for an unreadable file,
 *   `RlvrLoopError` when the policy cannot score the data
 */
export async function evaluateCheckpoint(options: EvaluateCheckpointOptions): Promise<CheckpointEvaluation> {
  const loaded = await loadDataset([...options.files], {
    format: options.format ?? "auto",
    ...(options.propensityPointer === undefined ? {} : { propensityPointer: options.propensityPointer }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const evaluation = evaluate(options.policy, loaded.dataset, {
    seed: options.seed ?? 0,
    resamples: options.resamples ?? 500,
    confidence: options.confidence ?? 0.95,
  });
  return { datasetDigest: loaded.digest, evaluation };
}
