// Offline training: logged groups in shuffled minibatches, the objective chosen by `offPolicy.target`
// (grpo, or the model-based dm / dr with cross-fitted nuisance models), validation by an off-policy
// estimate on held-out logs. The update and the epoch loop are in train-core.ts.
import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import type { TrainConfig } from "../config-schema.js";
import { RlvrLoopError } from "../errors.js";
import type { Featurizer } from "../featurizer.js";
import { deriveRng, STREAM_SHUFFLE, shuffleInPlace } from "../rng.js";
import type { OfflineTrainingSource, TrainHooks, TrainingResult } from "../train.js";
import { buildTrainingData, examplesOf, type TrainingData } from "../training-data.js";
import { type Nuisance, nuisance, validationEstimate } from "./nuisance.js";
import {
  type EpochValidation,
  initialParameters,
  runEpochs,
  Trainer,
  type TrainerContext,
  trainingResult,
  type UpdateRule,
} from "./train-core.js";

/**
 * The objective `offPolicy.target: "auto"` picks offline, with or without logged propensities (chosen
 * by measurement, see docs/rlvr-loop.md "Learning without propensities").
 */
const AUTO_OFFLINE_TARGET = "dm" as const;

/** Options of {@link trainOffline}. */
export interface OfflineOptions {
  readonly source: OfflineTrainingSource;
  readonly cfg: TrainConfig;
  readonly featurizer: Featurizer;
  readonly hooks: TrainHooks;
}

/** Logged examples as columnar data built with the configured featurizer, or columnar data checked against it. */
function toData(
  source: RlvrDataset | readonly RlvrExample[] | TrainingData,
  o: OfflineOptions & { readonly actions: readonly string[] | null },
  role: "training" | "validation",
): TrainingData {
  const { featurizer, actions, cfg } = o;
  if (!isTrainingData(source)) {
    return buildTrainingData(examplesOf(source), {
      featurizer,
      ...(actions !== null ? { actions } : {}),
      ...(cfg.rewardWeights !== null ? { rewardWeights: cfg.rewardWeights } : {}),
    });
  }
  if (source.rows !== featurizer.rows) {
    throw new RlvrLoopError(
      "INVALID_DATA",
      `the ${role} data has ${source.rows} feature rows but the configured featurizer gives ${featurizer.rows} (featurizer.dimension + 1)`,
    );
  }
  if (
    actions !== null &&
    (actions.length !== source.actions.length || actions.some((a, i) => a !== source.actions[i]))
  ) {
    throw new RlvrLoopError(
      "INVALID_DATA",
      `the ${role} data's actions ${JSON.stringify(source.actions)} differ from the training actions ${JSON.stringify(actions)}`,
    );
  }
  return source;
}

/** Whether `value` is columnar {@link TrainingData}. */
export function isTrainingData(value: unknown): value is TrainingData {
  return typeof value === "object" && value !== null && (value as TrainingData).offsets instanceof Int32Array;
}

/** c̄ when every training example has a behavior probability (or the correction is off: null). */
function correctionCapOf(data: TrainingData, cfg: TrainConfig): number | null {
  if (cfg.importanceCorrection.enabled === false) return null;
  const probs = data.behaviorProbs;
  let missing = -1;
  for (let i = 0; i < data.numExamples && missing < 0; i++)
    if (probs === null || Number.isNaN(probs[i]!)) missing = i;
  if (missing < 0) return cfg.importanceCorrection.cap;
  if (cfg.importanceCorrection.enabled === true) {
    const at = data.sourceIndex ? data.sourceIndex[missing] : missing;
    throw new RlvrLoopError(
      "INVALID_DATA",
      `training example ${at} has no behaviorProb, which importanceCorrection.enabled: true needs on every training example`,
    );
  }
  return null;
}

/** Cross-fitted nuisance models of the training data, cached per data object and settings. */
const modelCache = new WeakMap<TrainingData, Map<string, Nuisance>>();

function offPolicyModels(data: TrainingData, cfg: TrainConfig, needPropensity: boolean): Nuisance {
  const { folds, minPropensity, modelEpochs } = cfg.offPolicy;
  const key = `${folds}|${minPropensity}|${modelEpochs}|${needPropensity}`;
  let perData = modelCache.get(data);
  if (perData === undefined) {
    perData = new Map();
    modelCache.set(data, perData);
  }
  let models = perData.get(key);
  if (models === undefined) {
    // the models are a function of the data alone (fixed seed), so every trial on the same data shares them
    models = nuisance(data, {
      behavior: "auto",
      training: null,
      fit: { epochs: modelEpochs, batchSize: 256, learningRate: 0.05, weightDecay: 0.001, seed: 0 },
      minPropensity,
      folds: Math.min(folds, data.numGroups),
      seed: 0,
      needQhat: true,
      needPropensity,
    });
    perData.set(key, models);
  }
  return models;
}

/** The update rule of the configured target and, for `dm`/`dr`, where its models came from. */
function updateRule(
  data: TrainingData,
  cfg: TrainConfig,
): { rule: UpdateRule; models: TrainingResult["targetModels"] } {
  const requested = cfg.offPolicy.target;
  const target = requested === "auto" ? AUTO_OFFLINE_TARGET : requested;
  const correctionCap = correctionCapOf(data, cfg);
  if (target === "grpo") {
    return {
      rule: { advantage: cfg.advantage, correctionCap, propensity: null, qhat: null, target },
      models: null,
    };
  }
  const fitted = offPolicyModels(data, cfg, target === "dr");
  return {
    rule: {
      advantage: { ...cfg.advantage, degenerateGroups: "zero" },
      // dm: no residual term; dr: the residual is weighted by c_i = min(c̄, π_old/μ_i)
      correctionCap: target === "dr" ? cfg.importanceCorrection.cap : null,
      propensity: target === "dr" ? fitted.propensity : null,
      qhat: fitted.qhat,
      target,
    },
    models: {
      behavior: target === "dr" ? fitted.behaviorSource : "none",
      rewardModel: fitted.rewardModelSource,
      folds: Math.min(cfg.offPolicy.folds, data.numGroups),
    },
  };
}

/** H(p̄) of the mean p̄_a = (1/n) Σ_i π(a|x_i) of n rows of probabilities (row-major, |A| per row). */
function meanDistributionEntropy(pi: Float64Array, n: number, A: number): number {
  const mean = new Float64Array(A);
  for (let i = 0; i < n; i++) for (let a = 0; a < A; a++) mean[a] = mean[a]! + pi[i * A + a]!;
  let h = 0;
  for (let a = 0; a < A; a++) {
    const p = mean[a]! / n;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** The per-epoch validation on held-out logs: the metric's estimate and the collapse entropy. */
function offlineValidation(
  data: TrainingData,
  validationData: TrainingData | null,
  cfg: TrainConfig,
): {
  metric: TrainingResult["validationMetric"];
  nuis: Nuisance | null;
  validate: (W: Float64Array) => EpochValidation;
} {
  const requested = cfg.validation.metric;
  if (validationData === null || requested === "none") {
    if (requested !== "auto" && requested !== "none") {
      throw new RlvrLoopError(
        "INVALID_CONFIG",
        `validation.metric "${requested}" needs validation data; give a validation split or use "auto" or "none"`,
      );
    }
    return { metric: null, nuis: null, validate: () => ({ value: null, marginalEntropy: null }) };
  }
  if (requested === "exact_value") {
    throw new RlvrLoopError(
      "INVALID_CONFIG",
      'validation.metric "exact_value" needs an environment (online training); logged data have no exact value',
    );
  }
  const allLogged = validationData.behaviorProbs?.every((p) => !Number.isNaN(p));
  const metric = requested === "auto" ? (allLogged ? "snips" : "dr") : requested;
  const nuis = nuisance(validationData, {
    behavior: "auto",
    training: data,
    fit: { epochs: 5, batchSize: 256, learningRate: 0.05, weightDecay: 0.001, seed: cfg.seed },
    minPropensity: 0.001,
    folds: 2,
    seed: cfg.seed,
    needQhat: metric === "dm" || metric === "dr",
  });
  const A = data.actions.length;
  const pi = new Float64Array(validationData.numExamples * A);
  return {
    metric,
    nuis,
    validate: (W) => {
      const value = validationEstimate({ W, data: validationData, nuisance: nuis, metric, pi });
      return { value, marginalEntropy: meanDistributionEntropy(pi, validationData.numExamples, A) };
    },
  };
}

/** Offline training from logged groups (see `train`). */
export async function trainOffline(o: OfflineOptions): Promise<TrainingResult> {
  const { cfg, featurizer, hooks } = o;
  const data = toData(o.source.train, { ...o, actions: cfg.actions }, "training");
  const actions = data.actions;
  const validationData =
    o.source.validation === undefined ? null : toData(o.source.validation, { ...o, actions }, "validation");
  const ctx: TrainerContext = { cfg, featurizer, actions, hooks };
  const { W, reference } = initialParameters(ctx);
  const { rule, models } = updateRule(data, cfg);
  const validation = offlineValidation(data, validationData, cfg);
  const plannedSteps = cfg.epochs * Math.ceil(data.numGroups / cfg.minibatchGroups) * cfg.innerIterations;
  const trainer = new Trainer({ ...ctx, W, reference, rule, plannedSteps, bufferSize: data.numExamples });
  const shuffleRng = deriveRng(cfg.seed, STREAM_SHUFFLE);
  const order = new Int32Array(data.numGroups);
  for (let g = 0; g < order.length; g++) order[g] = g;
  const outcome = await runEpochs({
    trainer,
    cfg,
    hooks,
    runEpoch: async () => {
      if (cfg.shuffle) shuffleInPlace(shuffleRng, order);
      for (let s = 0; s < data.numGroups; s += cfg.minibatchGroups)
        await trainer.update({
          data,
          groups: order,
          start: s,
          end: Math.min(data.numGroups, s + cfg.minibatchGroups),
        });
    },
    validate: () => validation.validate(trainer.W),
  });
  const { nuis } = validation;
  return trainingResult({
    ctx,
    trainer,
    outcome,
    mode: "offline",
    validationMetric: validation.metric,
    rule,
    targetModels: models,
    validationModels:
      nuis !== null ? { behavior: nuis.behaviorSource, rewardModel: nuis.rewardModelSource } : null,
    data: { numExamples: data.numExamples, numGroups: data.numGroups, nonZeros: data.indices.length },
  });
}
