// The tuning objective of a job: train with a trial's parameters on the train split and score the
// policy on the validation split. Shared by the inline path (this thread) and the worker threads
// (`_trial-worker.ts`), so that both compute exactly the same numbers.
import type { RlvrExample } from "@rlvr/dataset";
import {
  buildTrainingData,
  evaluate,
  fitRewardModel,
  type RewardModel,
  type TrainConfig,
  type TrainingData,
  type TrainingResult,
  train,
} from "@rlvr/rlvr-loop";
import type { Params, Trial } from "@rlvr/tuner";
import type { TuningObjective } from "./job-spec.js";
import { applyParams } from "./params.js";

/** What the objective needs; JSON-safe apart from the examples. */
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

/** Per-epoch callback of a trial (progress display only). */
export type EpochListener = (trial: number, epoch: number, totalEpochs: number) => void;

/**
 * Builds the objective. Feature matrices and the reward model are built once here unless a tuned
 * parameter changes them (featurizer or reward weights), in which case each trial builds its own.
 * @param signal - aborts every running trial (the job's cancellation)
 */
export function createTuningObjective(
  settings: TuningSettings,
  splits: { readonly train: readonly RlvrExample[]; readonly validation: readonly RlvrExample[] },
  hooks: { readonly signal?: AbortSignal; readonly onEpoch?: EpochListener } = {},
): (params: Params, trial: Trial) => Promise<number> {
  const { base, actions } = settings;
  const dataFixed = !settings.paramNames.some(
    (n) => n.startsWith("featurizer.") || n.startsWith("rewardWeights"),
  );
  const weights = base.rewardWeights !== null ? { rewardWeights: base.rewardWeights } : {};
  const build = (examples: readonly RlvrExample[]) =>
    buildTrainingData(examples, { featurizer: base.featurizer, actions, ...weights });
  const trainData: TrainingData | null = dataFixed ? build(splits.train) : null;
  const validationData: TrainingData | null = dataFixed ? build(splits.validation) : null;
  const logged =
    splits.train.every((e) => e.behaviorProb !== undefined) &&
    splits.validation.every((e) => e.behaviorProb !== undefined);
  const rewardModel: RewardModel | null =
    trainData !== null
      ? fitRewardModel(trainData, {
          featurizer: base.featurizer,
          actions,
          seed: settings.seed,
          ...weights,
        })
      : null;

  return async (params, trial) => {
    const values = params as Record<string, string | number | boolean>;
    const config = applyParams({ ...base, seed: trial.seed >>> 0 }, values);
    const prune = new AbortController();
    let pruned = false;
    const signals = [trial.signal, prune.signal, ...(hooks.signal ? [hooks.signal] : [])];
    let result: TrainingResult;
    try {
      result = await train(
        trainData !== null && validationData !== null
          ? { train: trainData, validation: validationData }
          : { train: splits.train, validation: splits.validation },
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
    const ev = evaluate(result.policy, splits.validation, {
      ...(rewardModel !== null ? { rewardModel } : {}),
      ...(!logged || rewardModel === null ? { trainingData: splits.train } : {}),
      resamples: settings.resamples,
      seed: settings.seed,
    });
    return settings.objective === "dr" ? ev.policy.dr.value : ev.policy.dr.lower;
  };
}
