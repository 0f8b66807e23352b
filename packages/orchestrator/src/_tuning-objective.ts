// The tuning objective of a job: train with a trial's parameters on the train split and score the
// policy on the validation split. Shared by the inline path (this thread) and the worker threads
// (`_trial-worker.ts`), so that both compute exactly the same numbers.
import type { RlvrExample } from "@rlvr/dataset";
import {
  buildTrainingData,
  createPolicyScorer,
  evaluate,
  fitRewardModel,
  type PolicyScorer,
  type ScorerNuisance,
  type TrainConfig,
  type TrainingData,
  type TrainingResult,
  train,
} from "@rlvr/rlvr-loop";
import type { Params, Trial } from "@rlvr/tuner";
import type { TuningObjective } from "./job-spec.js";
import { applyParams } from "./params.js";

/** What the objective needs besides the data; JSON-safe. */
export interface TuningSettings {
  /** The base configuration (job seed and actions filled in). */
  readonly base: TrainConfig;
  /** The sorted action list of the job. */
  readonly actions: readonly string[];
  /** Names of the tuned parameters. */
  readonly paramNames: readonly string[];
  /** dr or dr_lower. */
  readonly objective: TuningObjective;
  /** Bootstrap resamples of the validation estimate. */
  readonly resamples: number;
  /** Job seed (reward model and bootstrap). */
  readonly seed: number;
}

/**
 * The data every trial shares when no tuned parameter changes the features or rewards: the feature
 * matrices of both splits and the validation split's propensities and reward predictions. Made once
 * by the job and structured-cloned into worker threads, so a worker needs neither the dataset files
 * nor a model fit.
 */
export interface PreparedTuningData {
  readonly train: TrainingData;
  readonly validation: TrainingData;
  readonly nuisance: ScorerNuisance;
}

/** The data of the two splits, prepared or as examples (when each trial must build its own). */
export type TuningData =
  | { readonly kind: "prepared"; readonly data: PreparedTuningData }
  | {
      readonly kind: "examples";
      readonly train: readonly RlvrExample[];
      readonly validation: readonly RlvrExample[];
    };

/** Per-epoch callback of a trial (progress display only). */
export type EpochListener = (trial: number, epoch: number, totalEpochs: number) => void;

/** Whether a tuned parameter changes the training data (then every trial builds its own). */
export function dataDependsOnParams(settings: TuningSettings): boolean {
  return settings.paramNames.some((n) => n.startsWith("featurizer.") || n.startsWith("rewardWeights"));
}

/**
 * Prepares the shared data of the trials: feature matrices, the reward model fitted on train (job
 * seed), and the validation split's nuisance values; the examples themselves when a tuned parameter
 * changes the features.
 */
export function prepareTuningData(
  settings: TuningSettings,
  splits: { readonly train: readonly RlvrExample[]; readonly validation: readonly RlvrExample[] },
): TuningData {
  if (dataDependsOnParams(settings)) {
    return { kind: "examples", train: splits.train, validation: splits.validation };
  }
  const { base, actions } = settings;
  const weights = base.rewardWeights !== null ? { rewardWeights: base.rewardWeights } : {};
  const build = (examples: readonly RlvrExample[]) =>
    buildTrainingData(examples, { featurizer: base.featurizer, actions, ...weights });
  const trainData = build(splits.train);
  const validationData = build(splits.validation);
  const rewardModel = fitRewardModel(trainData, {
    featurizer: base.featurizer,
    actions,
    seed: settings.seed,
    ...weights,
  });
  const logged = splits.validation.every((e) => e.behaviorProb !== undefined);
  const scorer = createPolicyScorer(validationData, {
    rewardModel,
    ...(logged ? {} : { trainingData: trainData }),
    resamples: settings.resamples,
    seed: settings.seed,
  });
  return {
    kind: "prepared",
    data: { train: trainData, validation: validationData, nuisance: scorer.nuisance },
  };
}

/**
 * Builds the objective over prepared data or examples.
 * @param hooks - `signal` aborts every running trial (the job's cancellation); `onEpoch` sees epochs
 */
export function createTuningObjective(
  settings: TuningSettings,
  data: TuningData,
  hooks: { readonly signal?: AbortSignal; readonly onEpoch?: EpochListener } = {},
): (params: Params, trial: Trial) => Promise<number> {
  const scorer: PolicyScorer | null =
    data.kind === "prepared"
      ? createPolicyScorer(data.data.validation, {
          nuisance: data.data.nuisance,
          resamples: settings.resamples,
          seed: settings.seed,
        })
      : null;

  return async (params, trial) => {
    const values = params as Record<string, string | number | boolean>;
    const config = applyParams({ ...settings.base, seed: trial.seed >>> 0 }, values);
    const prune = new AbortController();
    let pruned = false;
    const signals = [trial.signal, prune.signal, ...(hooks.signal ? [hooks.signal] : [])];
    let result: TrainingResult;
    try {
      result = await train(
        data.kind === "prepared"
          ? { train: data.data.train, validation: data.data.validation }
          : { train: data.train, validation: data.validation },
        config,
        {
          signal: AbortSignal.any(signals),
          onMetrics: (event) => {
            if (event.type !== "epoch") return;
            hooks.onEpoch?.(trial.number, event.metrics.epoch, config.epochs);
            const v = event.metrics.validation;
            if (v === null || !Number.isFinite(v)) return;
            trial.report(event.metrics.epoch, v);
            if (trial.shouldPrune()) {
              pruned = true;
              prune.abort();
            }
          },
        },
      );
    } catch (error) {
      if (pruned && !hooks.signal?.aborted) trial.prune();
      throw error;
    }
    const dr =
      data.kind === "prepared"
        ? (scorer as PolicyScorer).score(result.policy).dr
        : evaluate(result.policy, data.validation, {
            trainingData: data.train,
            resamples: settings.resamples,
            seed: settings.seed,
          }).policy.dr;
    return settings.objective === "dr" ? dr.value : dr.lower;
  };
}
