// The job's tables by name: the samplers and pruners a job spec can name (over `@rlvr/tuner`'s
// tables, with the job's settings) and the executors of the tuning stage. A new one is one line here
// (and its factory in the tuner); the job spec's schema is built from these keys.
import {
  createExecutor,
  createPruner,
  createSampler,
  type Executor,
  type Pruner,
  type Sampler,
} from "@rlvr/tuner";
import { OrchestratorError } from "./errors.js";
import { type BullmqJobExecutorOptions, bullmqExecutor } from "./queue.js";

/** What a sampler or pruner of the tables is built from: the job's resolved tuner settings. */
export interface TunerComponentSettings {
  /** Random trials before TPE starts. */
  readonly nStartupTrials: number;
}

/**
 * Samplers by the name a job spec uses (`tuner.sampler`), in the order of the job spec's schema:
 * TPE with the job's `nStartupTrials`, the others with the tuner's defaults.
 */
export const JOB_SAMPLERS = Object.freeze({
  tpe: (s: TunerComponentSettings): Sampler => createSampler("tpe", { nStartupTrials: s.nStartupTrials }),
  random: (_s: TunerComponentSettings): Sampler => createSampler("random"),
  grid: (_s: TunerComponentSettings): Sampler => createSampler("grid"),
});

/** Settings of a job's median pruner: no pruning before 5 complete trials, nor at the first epoch. */
export const MEDIAN_PRUNER_SETTINGS = Object.freeze({ nStartupTrials: 5, nWarmupSteps: 1 });

/**
 * Pruners by the name a job spec uses (`tuner.pruner`), in schema order. `successive_halving` is
 * spelt with an underscore, as job files and the records written so far say (the tuner's canonical
 * name is `successive-halving`, of which this is an alias).
 */
export const JOB_PRUNERS = Object.freeze({
  median: (_s: TunerComponentSettings): Pruner => createPruner("median", MEDIAN_PRUNER_SETTINGS),
  successive_halving: (_s: TunerComponentSettings): Pruner => createPruner("successive_halving"),
  none: (_s: TunerComponentSettings): Pruner => createPruner("none"),
});

/** A sampler name of a job spec. */
export type JobSamplerName = keyof typeof JOB_SAMPLERS;
/** A pruner name of a job spec. */
export type JobPrunerName = keyof typeof JOB_PRUNERS;

/** The sampler names of a job spec, in schema order. */
export const JOB_SAMPLER_NAMES = Object.freeze(Object.keys(JOB_SAMPLERS) as JobSamplerName[]);
/** The pruner names of a job spec, in schema order. */
export const JOB_PRUNER_NAMES = Object.freeze(Object.keys(JOB_PRUNERS) as JobPrunerName[]);

/**
 * The objective of the tuning trials as a module other threads, processes or machines can load: the
 * built worker module, the name of its factory export, and the data the factory is called with
 * (prepared feature matrices, or the dataset files to read).
 */
export interface TrialWorkerRecipe {
  /** The built module (`dist/_trial-worker.js` of this package). */
  readonly module: URL;
  /** The factory export: `createTrialObjective`. */
  readonly exportName: string;
  /** What the factory is called with: opaque to executors, structured-clone and JSON safe. */
  readonly factoryData: unknown;
}

/** What a job asks of {@link ExecutorInput.worker}. */
export interface WorkerRecipeOptions {
  /**
   * The recipe carries the data itself (prepared matrices, or the examples of both splits), never a
   * file path: for executors whose workers share no disk with the job (a queue's workers).
   * @defaultValue false
   */
  readonly portable?: boolean;
}

/** What {@link ExecutorFactory.create} is given. */
export interface ExecutorInput {
  /** Trials run at once (the job's `tuner.concurrency`). */
  readonly concurrency: number;
  /** The study's pending window: a queue gains nothing from more than `pendingWindow + 1` trials. */
  readonly pendingWindow: number;
  /**
   * The id of this study's run, kept in the job's resume state: a new one for a new job, the same
   * one after `--resume` (a queue executor reattaches to the trials it queued with it). Made on the
   * first call; 1–128 of `A-Za-z0-9_.-`.
   */
  readonly runId: () => Promise<string>;
  /** How to run the objective outside this thread (made on the first call: it prepares the data). */
  readonly worker: (options?: WorkerRecipeOptions) => TrialWorkerRecipe;
}

/** An executor of a job's trials; `purge` (if any) is called once the study has finished. */
export interface JobExecutor extends Executor {
  /** Removes what the run left outside the job (a queue's finished jobs); errors become warnings. */
  purge?(): Promise<void>;
}

/**
 * Makes the executor of a job's tuning trials. `local` executors run the objective the job passes
 * to the study in this thread; the others load the {@link TrialWorkerRecipe} elsewhere (worker
 * threads, a queue's workers), and the job follows their epochs through the trial channel.
 */
export interface ExecutorFactory {
  /** Name (for messages). */
  readonly name: string;
  /** Whether trials run in this thread with the job's own objective. */
  readonly local: boolean;
  /** Creates the executor; the job closes it after tuning. */
  create(input: ExecutorInput): JobExecutor | Promise<JobExecutor>;
}

/** Options of {@link workerPoolExecutor}. */
export interface WorkerPoolExecutorFactoryOptions {
  /**
   * Node.js options of the threads. None by default: the worker module is built JavaScript, and the
   * parent's options (a test runner's `--conditions` flag, a TypeScript loader) must not change how
   * it resolves the built packages.
   * @defaultValue `[]`
   */
  readonly execArgv?: readonly string[];
}

/** The executor running trials in a pool of worker threads (the tuner's `worker-pool`). */
export function workerPoolExecutor(options: WorkerPoolExecutorFactoryOptions = {}): ExecutorFactory {
  return {
    name: "worker-pool",
    local: false,
    create: ({ concurrency, worker }) => {
      const recipe = worker();
      return createExecutor("worker-pool", {
        module: recipe.module,
        exportName: recipe.exportName,
        factoryData: recipe.factoryData,
        concurrency,
        execArgv: options.execArgv ?? [],
      });
    },
  };
}

/** The executor running one trial at a time in this thread (the tuner's `inline`). */
export const inlineExecutor: ExecutorFactory = Object.freeze({
  name: "inline",
  local: true,
  create: () => createExecutor("inline", { concurrency: 1 }),
});

const defaultWorkerPool = workerPoolExecutor();

/**
 * What an executor of {@link EXECUTORS} is made with: `redis` (a `redis://` or `rediss://` URL) and
 * the queue's names for `bullmq`; the others need nothing.
 */
export type ExecutorSettings = Partial<BullmqJobExecutorOptions>;

/**
 * Executors by name (`RunJobOptions.executor`, `rlvr-train --executor`), each made from
 * {@link ExecutorSettings}: `inline` (one trial at a time in the job's thread), `worker-pool` (worker
 * threads), `bullmq` (worker processes on any machine, through Redis; needs `redis`). Without a
 * choice, a job with `tuner.concurrency` 1 (or one trial) runs `inline`, else `worker-pool`.
 */
export const EXECUTORS = Object.freeze({
  inline: (_settings: ExecutorSettings): ExecutorFactory => inlineExecutor,
  "worker-pool": (_settings: ExecutorSettings): ExecutorFactory => defaultWorkerPool,
  bullmq: (settings: ExecutorSettings): ExecutorFactory => bullmqExecutor(settings),
});

/** An executor name of {@link EXECUTORS}. */
export type ExecutorName = keyof typeof EXECUTORS;

/** The executor names, in table order. */
export const EXECUTOR_NAMES = Object.freeze(Object.keys(EXECUTORS) as ExecutorName[]);

/**
 * The executor factory of a name of {@link EXECUTORS}.
 * @throws {@link OrchestratorError} `INVALID_ARGUMENT` for an unknown name, or `bullmq` without `redis`
 */
export function executorFactory(name: string, settings: ExecutorSettings = {}): ExecutorFactory {
  if (!Object.hasOwn(EXECUTORS, name)) {
    throw new OrchestratorError(
      "INVALID_ARGUMENT",
      `unknown executor "${name}" (expected one of ${EXECUTOR_NAMES.join(", ")})`,
    );
  }
  return EXECUTORS[name as ExecutorName](settings);
}
