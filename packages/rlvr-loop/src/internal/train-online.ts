// Online training against an environment: each round samples tasks, draws a group of actions per task
// from the current policy, verifies them, and updates on the round's groups; validation is the
// environment's exact value when it has one. The update and the epoch loop are in train-core.ts.
import type { TrainConfig } from "../config-schema.js";
import type { Environment, EnvironmentTask } from "../environment.js";
import { RlvrLoopError } from "../errors.js";
import { compareCodeUnits, type Featurizer } from "../featurizer.js";
import { buildMask } from "../policy.js";
import {
  deriveRng,
  type Rng,
  STREAM_ACTIONS,
  STREAM_ENVIRONMENT,
  STREAM_TASKS,
  sampleIndex,
} from "../rng.js";
import type { TrainHooks, TrainingResult } from "../train.js";
import { ColumnarBuilder } from "./columnar.js";
import { ExactEvaluator } from "./exact.js";
import { logSoftmaxInto, scoresInto } from "./linear.js";
import { initialParameters, runEpochs, Trainer, type TrainerContext, trainingResult } from "./train-core.js";

/** Options of {@link trainOnline}. */
export interface OnlineOptions {
  readonly environment: Environment;
  readonly cfg: TrainConfig;
  readonly featurizer: Featurizer;
  readonly hooks: TrainHooks;
}

/** The environment's actions, checked against the configured ones. */
function environmentActions(env: Environment, cfg: TrainConfig): readonly string[] {
  if (typeof env.sample !== "function" || typeof env.verify !== "function" || !Array.isArray(env.actions)) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      "the training environment must have an actions list and sample and verify functions",
    );
  }
  const actions = env.actions;
  if (cfg.actions !== null) {
    const sorted = [...cfg.actions].sort(compareCodeUnits);
    if (sorted.length !== actions.length || sorted.some((a, i) => a !== actions[i])) {
      throw new RlvrLoopError(
        "INVALID_CONFIG",
        `actions ${JSON.stringify(sorted)} of the training configuration differ from the environment's ${JSON.stringify(actions)}`,
      );
    }
  }
  return actions;
}

/** The exact-value evaluator of the configured validation metric (null: no validation). */
function onlineValidation(env: Environment, ctx: TrainerContext): ExactEvaluator | null {
  const requested = ctx.cfg.validation.metric;
  const hasExact = typeof env.contexts === "function" && typeof env.expectedRewards === "function";
  if (requested === "exact_value" || (requested === "auto" && hasExact)) {
    return new ExactEvaluator({ environment: env, featurizer: ctx.featurizer, actions: ctx.actions });
  }
  if (requested !== "auto" && requested !== "none") {
    throw new RlvrLoopError(
      "INVALID_CONFIG",
      `validation.metric "${requested}" needs logged validation data (offline training); online, use "exact_value", "auto" or "none"`,
    );
  }
  return null;
}

/** r = Σ_k c_k rewards_k of an outcome's reward components (weights in code-unit order of their names). */
function weighted(
  rewards: Readonly<Record<string, number>> | undefined,
  weights: Readonly<Record<string, number>>,
): number {
  let r = 0;
  for (const name of Object.keys(weights).sort(compareCodeUnits)) {
    const v = rewards?.[name];
    if (typeof v !== "number") {
      throw new RlvrLoopError(
        "INVALID_DATA",
        `the environment's outcome has no reward component ${JSON.stringify(name)}, which rewardWeights names`,
      );
    }
    r += weights[name]! * v;
  }
  return r;
}

/** The random streams of online training. */
interface Streams {
  readonly tasks: Rng;
  readonly actions: Rng;
  readonly environment: Rng;
}

/** Online training against an environment (see `train`). */
export async function trainOnline(o: OnlineOptions): Promise<TrainingResult> {
  const { environment: env, cfg, featurizer, hooks } = o;
  const actions = environmentActions(env, cfg);
  const ctx: TrainerContext = { cfg, featurizer, actions, hooks };
  const { W, reference } = initialParameters(ctx);
  const target = cfg.offPolicy.target;
  if (target === "dm" || target === "dr") {
    throw new RlvrLoopError(
      "INVALID_CONFIG",
      `offPolicy.target "${target}" is for logged data (offline training); online training uses "grpo"`,
    );
  }
  // online, μ_i is π_old's own probability, so c_i = min(c̄, 1) whenever the correction is on
  const correctionCap = cfg.importanceCorrection.enabled !== false ? cfg.importanceCorrection.cap : null;
  const rule = {
    advantage: cfg.advantage,
    correctionCap,
    propensity: null,
    qhat: null,
    target: "grpo",
  } as const;
  const exact = onlineValidation(env, ctx);
  const tasks = cfg.online.tasksPerRound;
  const plannedSteps =
    cfg.epochs * cfg.online.roundsPerEpoch * Math.ceil(tasks / cfg.minibatchGroups) * cfg.innerIterations;
  const trainer = new Trainer({
    ...ctx,
    W,
    reference,
    rule,
    plannedSteps,
    bufferSize: tasks * cfg.online.groupSize,
  });
  const streams: Streams = {
    tasks: deriveRng(cfg.seed, STREAM_TASKS),
    actions: deriveRng(cfg.seed, STREAM_ACTIONS),
    environment: deriveRng(cfg.seed, STREAM_ENVIRONMENT),
  };
  const rounds = new OnlineRounds({ ...o, ctx, trainer, streams });
  const outcome = await runEpochs({
    trainer,
    cfg,
    hooks,
    runEpoch: async () => {
      for (let round = 0; round < cfg.online.roundsPerEpoch; round++) await rounds.round();
    },
    validate: () => ({ value: exact !== null ? exact.value(trainer.W) : null, marginalEntropy: null }),
  });
  return trainingResult({
    ctx,
    trainer,
    outcome,
    mode: "online",
    validationMetric: exact !== null ? "exact_value" : null,
    rule,
    targetModels: null,
    validationModels: null,
    data: { numExamples: rounds.examples, numGroups: rounds.groups, nonZeros: rounds.nonZeros },
  });
}

/** Sampling, acting and verifying of the rounds; counts the data generated. */
class OnlineRounds {
  examples = 0;
  groups = 0;
  nonZeros = 0;
  private builder: ColumnarBuilder | null = null;
  private readonly o: OnlineOptions & { ctx: TrainerContext; trainer: Trainer; streams: Streams };
  private readonly actionIndexOf: ReadonlyMap<string, number>;
  private readonly mask: Uint8Array;
  private readonly softmax: { z: Float64Array; lp: Float64Array; p: Float64Array };
  private readonly roundGroups: Int32Array;

  constructor(o: OnlineOptions & { ctx: TrainerContext; trainer: Trainer; streams: Streams }) {
    this.o = o;
    const { actions } = o.ctx;
    const A = actions.length;
    this.actionIndexOf = new Map(actions.map((a, i) => [a, i]));
    this.mask = new Uint8Array(A);
    this.softmax = { z: new Float64Array(A), lp: new Float64Array(A), p: new Float64Array(A) };
    this.roundGroups = new Int32Array(o.cfg.online.tasksPerRound);
    for (let g = 0; g < this.roundGroups.length; g++) this.roundGroups[g] = g;
  }

  /** One round: sample the tasks, draw G actions each from π, verify, then update on the round's groups. */
  async round(): Promise<void> {
    const { environment, cfg, ctx, trainer, streams } = this.o;
    const { actions, featurizer } = ctx;
    const tasks = cfg.online.tasksPerRound;
    const { p } = this.softmax;
    this.builder ??= new ColumnarBuilder(actions, featurizer);
    const builder = this.builder;
    builder.reset();
    for (let t = 0; t < tasks; t++) {
      const task: EnvironmentTask = environment.sample(streams.tasks);
      builder.beginGroup();
      builder.setContext(task.context);
      const f = builder.currentFeatures();
      const m = buildMask(task.allowedActions, this.actionIndexOf, this.mask);
      scoresInto(
        trainer.W,
        { indices: f.indices, values: f.values, start: 0, end: f.length },
        this.softmax.z,
      );
      logSoftmaxInto(this.softmax, m, 0);
      for (let k = 0; k < cfg.online.groupSize; k++) {
        const a = sampleIndex(streams.actions, p, actions.length);
        const outcome = environment.verify(task, actions[a]!, streams.environment);
        const r = cfg.rewardWeights === null ? outcome.reward : weighted(outcome.rewards, cfg.rewardWeights);
        if (!Number.isFinite(r)) {
          throw new RlvrLoopError(
            "INVALID_DATA",
            `the environment returned a non-finite reward (${r}) for task ${JSON.stringify(task.id)}`,
          );
        }
        builder.addExample({ action: a, reward: r, behaviorProb: p[a]!, weight: 1, allowed: m });
      }
    }
    const d = builder.finish(false);
    this.examples += d.numExamples;
    this.groups += d.numGroups;
    this.nonZeros += d.indices.length;
    for (let s = 0; s < tasks; s += cfg.minibatchGroups)
      await trainer.update({
        data: d,
        groups: this.roundGroups,
        start: s,
        end: Math.min(tasks, s + cfg.minibatchGroups),
      });
  }
}
