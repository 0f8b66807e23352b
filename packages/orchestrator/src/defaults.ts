import type { SearchSpaceSpec } from "@rlvr/tuner";

/**
 * The default hyperparameter space of the RLVR loop. Parameter names are dotted paths into
 * `@rlvr/rlvr-loop`'s `TrainConfig` (see `applyParams`); docs/orchestrator.md explains each range.
 */
export const DEFAULT_SEARCH_SPACE: SearchSpaceSpec = Object.freeze({
  "optimizer.learningRate": Object.freeze({ type: "float", low: 0.002, high: 0.2, log: true }),
  minibatchGroups: Object.freeze({ type: "categorical", choices: Object.freeze([16, 32, 64, 128]) }),
  "kl.beta": Object.freeze({ type: "float", low: 0, high: 0.05 }),
  "clip.epsilonHigh": Object.freeze({ type: "float", low: 0.2, high: 0.4 }),
  epochs: Object.freeze({ type: "int", low: 2, high: 8 }),
}) as SearchSpaceSpec;

/** The default tuner settings of a job (see `ResolvedTunerSettings`). */
export const DEFAULT_TUNER_SETTINGS = Object.freeze({
  trials: 20,
  concurrency: 1,
  sampler: "tpe",
  pruner: "median",
  objective: "dr_lower",
  nStartupTrials: 8,
  pendingWindow: 3,
  resamples: 200,
} as const);
