import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import { type PartialTrainConfig, resolveTrainConfig } from "./config.js";
import type { TrainConfig, ValidationMetric } from "./config-schema.js";
import type { Environment } from "./environment.js";
import { createFeaturizer } from "./featurizer.js";
import { abortError } from "./internal/train-core.js";
import { trainOffline } from "./internal/train-offline.js";
import { trainOnline } from "./internal/train-online.js";
import type { LinearSoftmaxPolicy } from "./policy.js";
import type { TrainingData } from "./training-data.js";

/** Logged data plus an optional validation split. */
export interface OfflineTrainingSource {
  /** The training examples. */
  readonly train: RlvrDataset | readonly RlvrExample[] | TrainingData;
  /** Held-out examples for the per-epoch validation metric and early stopping. */
  readonly validation?: RlvrDataset | readonly RlvrExample[] | TrainingData;
}

/** An environment to train against online. */
export interface OnlineTrainingSource {
  /** The environment: tasks are sampled from it, actions from the policy, rewards from its verifier. */
  readonly environment: Environment;
}

/**
 * What {@link train} learns from: logged examples (a dataset, an array, or columnar
 * {@link TrainingData}), logged examples with a validation split, or an environment (online).
 */
export type TrainingSource =
  | RlvrDataset
  | readonly RlvrExample[]
  | TrainingData
  | OfflineTrainingSource
  | OnlineTrainingSource;

/** Metrics of one optimizer step (names follow TRL's GRPO trainer where the concept is the same). */
export interface StepMetrics {
  /** 1-based optimizer step. */
  readonly step: number;
  /** 1-based epoch. */
  readonly epoch: number;
  /** Mean reward of the minibatch. */
  readonly reward: number;
  /** Mean over groups of the within-group sample std of rewards. */
  readonly reward_std: number;
  /** Fraction of groups with one example or all-equal rewards. */
  readonly frac_reward_zero_std: number;
  /** Mean KL term (exact KL or k3, as configured) to the reference policy. */
  readonly kl: number;
  /** Mean entropy of π_θ(·|x). */
  readonly entropy: number;
  /** Fraction of examples with A < 0 and ρ < 1 − ε_low. */
  readonly "clip_ratio/low_mean": number;
  /** Fraction of examples with A > 0 and ρ > 1 + ε_high. */
  readonly "clip_ratio/high_mean": number;
  /** Fraction of examples clipped on either side. */
  readonly "clip_ratio/region_mean": number;
  /** Global gradient norm before clipping. */
  readonly grad_norm: number;
  /** Learning rate of this step. */
  readonly learning_rate: number;
  /** Minibatch loss before the step. */
  readonly loss: number;
  /** Examples in the minibatch. */
  readonly num_examples: number;
  /** Groups in the minibatch. */
  readonly num_groups: number;
}

/** Metrics of one epoch: means of its step metrics, plus validation. */
export interface EpochMetrics {
  /** 1-based epoch. */
  readonly epoch: number;
  /** Optimizer steps in the epoch. */
  readonly steps: number;
  /** Examples used (each minibatch counted once, whatever μ). */
  readonly examples: number;
  /** Mean of the steps' `reward`. */
  readonly reward: number;
  /** Mean of the steps' `reward_std`. */
  readonly reward_std: number;
  /** Mean of the steps' `frac_reward_zero_std`. */
  readonly frac_reward_zero_std: number;
  /** Mean of the steps' `kl`. */
  readonly kl: number;
  /** Mean of the steps' `entropy`. */
  readonly entropy: number;
  /** Mean of the steps' `clip_ratio/region_mean`. */
  readonly "clip_ratio/region_mean": number;
  /** Mean of the steps' `grad_norm`. */
  readonly grad_norm: number;
  /** Mean of the steps' `loss`. */
  readonly loss: number;
  /** Learning rate of the epoch's last step. */
  readonly learning_rate: number;
  /** Validation metric after the epoch (null without validation). */
  readonly validation: number | null;
}

/** A metrics event streamed to {@link TrainHooks.onMetrics}. */
export type MetricsEvent =
  | { readonly type: "step"; readonly metrics: StepMetrics }
  | { readonly type: "epoch"; readonly metrics: EpochMetrics };

/** Hooks and extra inputs of {@link train}. */
export interface TrainHooks {
  /**
   * Called synchronously after every step and every epoch (the CLI progress bar uses it); an error it
   * throws stops training and rejects `train`.
   * @defaultValue undefined
   */
  readonly onMetrics?: (event: MetricsEvent) => void;
  /**
   * Aborts training; `train` then rejects with an `ABORTED` {@link RlvrLoopError} whose `cause` is the
   * signal's reason. Checked before every step.
   * @defaultValue undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Start from this policy (same actions and featurizer) instead of zero weights.
   * @defaultValue undefined (zero weights: the uniform policy)
   */
  readonly initialPolicy?: LinearSoftmaxPolicy;
  /**
   * Reference policy π_ref of the KL term.
   * @defaultValue the initial policy (uniform for zero weights)
   */
  readonly referencePolicy?: LinearSoftmaxPolicy;
}

/** Why training stopped. */
export type StopReason = "completed" | "early_stopping" | "collapse";

/** Result of {@link train}. */
export interface TrainingResult {
  /** The trained policy. */
  readonly policy: LinearSoftmaxPolicy;
  /** The complete configuration used. */
  readonly config: TrainConfig;
  /** `offline` (logged examples) or `online` (environment). */
  readonly mode: "offline" | "online";
  /** Metrics of every optimizer step. */
  readonly steps: readonly StepMetrics[];
  /** Metrics of every epoch. */
  readonly epochs: readonly EpochMetrics[];
  /** Why training stopped. */
  readonly stopReason: StopReason;
  /** The validation metric used (null: none). */
  readonly validationMetric: Exclude<ValidationMetric, "auto" | "none"> | null;
  /** Epoch with the best validation value (null without validation). */
  readonly bestEpoch: number | null;
  /** Best validation value (null without validation). */
  readonly bestValidation: number | null;
  /** Whether the returned weights are those of `bestEpoch` rather than of the last epoch. */
  readonly restoredBest: boolean;
  /** Optimizer steps taken. */
  readonly totalSteps: number;
  /** Optimizer steps planned (for the schedule). */
  readonly plannedSteps: number;
  /** Examples used (each minibatch counted once). */
  readonly examplesProcessed: number;
  /** Whether the truncated importance correction was applied (see `importanceCorrection.enabled`). */
  readonly importanceCorrection: boolean;
  /**
   * The offline objective used (`offPolicy.target` resolved): `grpo`, `dm` or `dr` (always `grpo` online).
   */
  readonly target: "grpo" | "dm" | "dr";
  /**
   * Sources of the nuisance models of `dm`/`dr` (`behavior`: `logged`, `cross-fitted` or `none` for
   * `dm`; `rewardModel`: `cross-fitted`), null for `grpo`.
   */
  readonly targetModels: {
    readonly behavior: string;
    readonly rewardModel: string;
    readonly folds: number;
  } | null;
  /** The degenerate-group policy in force (also in `config`), stated for the job record. */
  readonly degenerateGroups: TrainConfig["advantage"]["degenerateGroups"];
  /** Source of the validation nuisance models (null without off-policy validation). */
  readonly validationModels: { readonly behavior: string; readonly rewardModel: string } | null;
  /** Size of the training data (offline) or of the data generated (online). */
  readonly data: {
    readonly numExamples: number;
    readonly numGroups: number;
    readonly actions: readonly string[];
    readonly rows: number;
    readonly nonZeros: number;
  };
}

function isOnline(value: unknown): value is OnlineTrainingSource {
  return typeof value === "object" && value !== null && "environment" in value;
}

function isOffline(value: unknown): value is OfflineTrainingSource {
  return typeof value === "object" && value !== null && "train" in value && !Array.isArray(value);
}

/**
 * Train a log-linear softmax policy with the GRPO-family objective (docs/algorithms.md §2), offline from
 * logged groups or online against an environment. Deterministic: the same data, configuration and seed
 * give bit-identical weights and metrics. Rejects with a {@link TrainingDivergedError} when the loss,
 * gradient or weights become non-finite, and with an `ABORTED` error when `hooks.signal` aborts.
 * @param source - logged examples (optionally with a validation split) or an environment
 * @param config - partial configuration, completed by {@link resolveTrainConfig}
 * @param hooks - metrics callback, abort signal, initial and reference policies
 */
export async function train(
  source: TrainingSource,
  config: PartialTrainConfig = {},
  hooks: TrainHooks = {},
): Promise<TrainingResult> {
  const cfg = resolveTrainConfig(config);
  if (hooks.signal?.aborted) throw abortError(hooks.signal);
  const featurizer = createFeaturizer(cfg.featurizer);
  if (isOnline(source)) return trainOnline({ environment: source.environment, cfg, featurizer, hooks });
  return trainOffline({ source: isOffline(source) ? source : { train: source }, cfg, featurizer, hooks });
}
