// The orchestrator's tables by name: samplers, pruners and executors of the tuning stage. A new one is
// one entry here (and, for samplers and pruners, one literal in the job spec's schema, which is built
// from these keys). When `@rlvr/tuner` carries its own tables, the entries below point at them.
import {
  createGridSampler,
  createInlineExecutor,
  createMedianPruner,
  createNopPruner,
  createRandomSampler,
  createSuccessiveHalvingPruner,
  createTpeSampler,
  createWorkerPoolExecutor,
  type Executor,
  type Pruner,
  type Sampler,
} from "@rlvr/tuner";

/** What a sampler or pruner of the table is built from: the job's resolved tuner settings. */
export interface TunerComponentSettings {
  /** Random trials before TPE starts. */
  readonly nStartupTrials: number;
}

/**
 * Samplers by the name a job spec uses (`tuner.sampler`). The order is the order of the job spec's
 * schema (and of its JSON Schema file).
 */
export const SAMPLERS = Object.freeze({
  tpe: (s: TunerComponentSettings): Sampler => createTpeSampler({ nStartupTrials: s.nStartupTrials }),
  random: (_s: TunerComponentSettings): Sampler => createRandomSampler(),
  grid: (_s: TunerComponentSettings): Sampler => createGridSampler(),
});

/** Settings of the median pruner of a job: never before 5 complete trials, nor at the first epoch. */
export const MEDIAN_PRUNER_SETTINGS = Object.freeze({ nStartupTrials: 5, nWarmupSteps: 1 });

/**
 * Pruners by the name a job spec uses (`tuner.pruner`; `successive_halving` with an underscore, as
 * records since the first version echo it).
 */
export const PRUNERS = Object.freeze({
  median: (_s: TunerComponentSettings): Pruner => createMedianPruner(MEDIAN_PRUNER_SETTINGS),
  successive_halving: (_s: TunerComponentSettings): Pruner => createSuccessiveHalvingPruner(),
  none: (_s: TunerComponentSettings): Pruner => createNopPruner(),
});

/** A sampler name of {@link SAMPLERS}. */
export type SamplerName = keyof typeof SAMPLERS;
/** A pruner name of {@link PRUNERS}. */
export type PrunerName = keyof typeof PRUNERS;

/** The sampler names, in schema order. */
export const SAMPLER_NAMES = Object.freeze(Object.keys(SAMPLERS) as SamplerName[]);
/** The pruner names, in schema order. */
export const PRUNER_NAMES = Object.freeze(Object.keys(PRUNERS) as PrunerName[]);

/**
 * The objective of the tuning trials as a module other threads, processes or machines can load: the
 * built worker module, the name of its factory export, and the JSON-safe data the factory is called
 * with (prepared feature matrices, or the dataset files to read).
 */
export interface TrialWorkerRecipe {
  /** The built module (`dist/_trial-worker.js` of this package). */
  readonly module: URL;
  /** The factory export: `createTrialObjective`. */
  readonly exportName: string;
  /** What the factory is called with: opaque to executors, structured-clone and JSON safe. */
  readonly factoryData: unknown;
}

/** What {@link ExecutorFactory.create} is given. */
export interface ExecutorInput {
  /** Trials run at once (the job's `tuner.concurrency`). */
  readonly concurrency: number;
  /** How to run the objective outside this thread (made on the first call: it prepares the data). */
  readonly worker: () => TrialWorkerRecipe;
}

/**
 * Makes the executor of a job's tuning trials. `local` executors run the objective the job passes
 * to the study in this thread; the others load {@link TrialWorkerRecipe} elsewhere (worker threads, a
 * queue's workers), and the job follows their epochs through the trial channel. A queue executor
 * package exports such an object and the caller passes it as `RunJobOptions.executor`.
 */
export interface ExecutorFactory {
  /** Name (for messages). */
  readonly name: string;
  /** Whether trials run in this thread with the job's own objective. */
  readonly local: boolean;
  /** Creates the executor; the job closes it after tuning. */
  create(input: ExecutorInput): Executor;
}

/** Options of {@link workerThreadsExecutor}. */
export interface WorkerThreadsExecutorOptions {
  /**
   * Node.js options of the threads. None by default: the worker module is built JavaScript, and the
   * parent's options (a test runner's `--conditions` flag, a TypeScript loader) must not change how
   * it resolves the built packages.
   * @defaultValue `[]`
   */
  readonly execArgv?: readonly string[];
}

/** The executor running trials in a pool of worker threads (the tuner's worker-pool executor). */
export function workerThreadsExecutor(options: WorkerThreadsExecutorOptions = {}): ExecutorFactory {
  return {
    name: "worker-threads",
    local: false,
    create: ({ concurrency, worker }) => {
      const recipe = worker();
      return createWorkerPoolExecutor({
        module: recipe.module,
        exportName: recipe.exportName,
        factoryData: recipe.factoryData,
        concurrency,
        execArgv: options.execArgv ?? [],
      });
    },
  };
}

/** The executor running one trial at a time in this thread. */
export const inlineExecutor: ExecutorFactory = Object.freeze({
  name: "inline",
  local: true,
  create: () => createInlineExecutor({ concurrency: 1 }),
});

/**
 * Executors by name (`RunJobOptions.executor`). Without a choice, a job with `tuner.concurrency` 1
 * (or one trial) runs `inline`, else `worker-threads`.
 */
export const EXECUTORS: Readonly<Record<string, ExecutorFactory>> = Object.freeze({
  inline: inlineExecutor,
  "worker-threads": workerThreadsExecutor(),
});
