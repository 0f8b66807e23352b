/**
 * Creating and loading studies. The study itself is split by concern: ask/tell in `_study-core.ts`,
 * the pending window in `_pending-window.ts`, the `optimize` loop in `_optimize.ts`, journal replay in
 * `_study-replay.ts`, reports and pruning in `_study-pruning.ts`, header checks in `_study-config.ts`;
 * the public types are in `study-types.ts`.
 */
import { withDefaults } from "./_options.js";
import { isValidSeed } from "./_rng.js";
import {
  bad,
  type Config,
  checkHeader,
  fromDescription,
  isComponent,
  locate,
  readHeader,
  resumeOptions,
} from "./_study-config.js";
import { StudyCore } from "./_study-core.js";
import { TunerError } from "./errors.js";
import type { Pruner } from "./pruner.js";
import type { Sampler } from "./sampler.js";
import {
  defineSearchSpace,
  type Params,
  type ParamsOf,
  type SearchSpace,
  type SearchSpaceSpec,
} from "./search-space.js";
import { createMemoryStorage } from "./storage.js";
import type { InterruptedPolicy, LoadStudyOptions, Study, StudyOptions } from "./study-types.js";
import {
  createPruner,
  createSampler,
  PRUNERS,
  type PrunerName,
  SAMPLERS,
  type SamplerName,
} from "./tables.js";
import type { Direction } from "./trial.js";

/**
 * Defaults of {@link createStudy} and {@link loadStudy}, filled in there (`sampler` and `pruner` are
 * names in `SAMPLERS` and `PRUNERS`, built with their own defaults).
 */
export const STUDY_DEFAULTS = Object.freeze({
  direction: "minimize" as Direction,
  seed: 0,
  name: "study",
  pendingWindow: 7,
  sampler: "tpe" as SamplerName,
  pruner: "median" as PrunerName,
  onInterrupted: "retry" as InterruptedPolicy,
  maxRetries: 2,
  loadIfExists: false as boolean,
});

/** Default of {@link StudyOptions.pendingWindow} (`STUDY_DEFAULTS.pendingWindow`). */
export const DEFAULT_PENDING_WINDOW = STUDY_DEFAULTS.pendingWindow;

/**
 * Create a study, or load the one in `options.storage` when `loadIfExists` is set.
 * @example
 * ```ts
 * const study = createStudy({ space, direction: "minimize", seed: 42, sampler: createTpeSampler() });
 * const result = await study.optimize(async (p, trial) => train(p, trial), { trials: 50 });
 * ```
 * @param options - see {@link StudyOptions}
 * @returns the study
 * @throws {@link TunerError} `INVALID_ARGUMENT`, `INVALID_SEARCH_SPACE`, `STUDY_EXISTS`,
 *   `STUDY_MISMATCH`, `JOURNAL_CORRUPT`, `JOURNAL_IO`
 */
export function createStudy<const S extends SearchSpaceSpec>(
  options: Omit<StudyOptions, "space"> & { readonly space: S },
): Study<ParamsOf<S>>;
export function createStudy<P extends Params>(options: StudyOptions<P>): Study<P>;
export function createStudy<P extends Params>(options: StudyOptions<P>): Study<P> {
  const fn = "createStudy";
  if (typeof options !== "object" || options === null) bad(fn, "options must be an object");
  const space = defineSearchSpace(options.space as SearchSpace) as SearchSpace<P>;
  const o = withDefaults(STUDY_DEFAULTS, options);
  const { direction, seed, name, pendingWindow } = o;
  if (direction !== "minimize" && direction !== "maximize") {
    bad(fn, `direction must be "minimize" or "maximize", got ${String(direction)}`);
  }
  if (!isValidSeed(seed)) bad(fn, `seed must be a safe integer >= 0, got ${String(seed)}`);
  const sampler = options.sampler ?? createSampler(STUDY_DEFAULTS.sampler);
  if (!isComponent<Sampler>(sampler, "sample"))
    bad(fn, "sampler must be a Sampler (sample() and description)");
  const pruner = options.pruner ?? createPruner(STUDY_DEFAULTS.pruner);
  if (!isComponent<Pruner>(pruner, "prune")) bad(fn, "pruner must be a Pruner (prune() and description)");
  if (typeof name !== "string") bad(fn, `name must be a string, got ${String(name)}`);
  if (!Number.isSafeInteger(pendingWindow) || pendingWindow < 0) {
    bad(fn, `pendingWindow must be an integer >= 0, got ${String(pendingWindow)}`);
  }
  const storage = options.storage ?? createMemoryStorage();
  const resume = resumeOptions(fn, options, STUDY_DEFAULTS);
  // Validate the sampler against the space now (a grid without values for a float fails here).
  sampler.size?.(space);
  const config: Config = { name, seed, direction, pendingWindow, space, sampler, pruner, ...resume };
  const events = storage.read();
  if (events.length === 0) return studyHandle(new StudyCore<P>(config, storage, undefined));
  if (o.loadIfExists !== true) {
    throw new TunerError(
      "STUDY_EXISTS",
      `${fn}: the storage already holds a study; pass loadIfExists: true to resume it, or use loadStudy`,
    );
  }
  checkHeader(storage, readHeader(storage, events), config);
  return studyHandle(new StudyCore<P>(config, storage, events));
}

/**
 * Load the study held by a storage (typically `createJournalStorage(path)` after a crash) and continue
 * it: finished trials are kept, trials that were running are retried or failed per `onInterrupted`,
 * and `optimize` continues with the next trial number. Built-in samplers and pruners are rebuilt from
 * their stored description through `SAMPLERS` and `PRUNERS`.
 * @param options - see {@link LoadStudyOptions}
 * @returns the study
 * @throws {@link TunerError} `STUDY_NOT_FOUND`, `STUDY_MISMATCH` (a sampler or pruner that differs
 *   from the stored one, or an unknown kind not given), `JOURNAL_CORRUPT`, `JOURNAL_IO`
 */
export function loadStudy<P extends Params = Params>(options: LoadStudyOptions): Study<P> {
  const fn = "loadStudy";
  if (typeof options !== "object" || options === null) bad(fn, "options must be an object");
  const { storage } = options;
  if (typeof storage !== "object" || storage === null || typeof storage.read !== "function") {
    bad(fn, "storage must be a StudyStorage");
  }
  const events = storage.read();
  if (events.length === 0) throw new TunerError("STUDY_NOT_FOUND", `${locate(storage)} holds no study`);
  const header = readHeader(storage, events);
  const space = defineSearchSpace(header.space) as SearchSpace<P>;
  const sampler = options.sampler ?? fromDescription<Sampler>(SAMPLERS, header.sampler);
  const pruner = options.pruner ?? fromDescription<Pruner>(PRUNERS, header.pruner);
  for (const [what, component, kind] of [
    ["sampler", sampler, header.sampler.kind],
    ["pruner", pruner, header.pruner.kind],
  ] as const) {
    if (component === undefined) {
      throw new TunerError(
        "STUDY_MISMATCH",
        `the study in ${locate(storage)} uses ${what} kind ${JSON.stringify(kind)}, which is not built in; pass it as options.${what}`,
      );
    }
  }
  const config: Config = {
    name: header.name,
    seed: header.seed,
    direction: header.direction,
    pendingWindow: header.pendingWindow,
    space,
    sampler: sampler!,
    pruner: pruner!,
    ...resumeOptions(fn, options, STUDY_DEFAULTS),
  };
  checkHeader(storage, header, config);
  return studyHandle(new StudyCore<P>(config, storage, events));
}

/** The public face of a study: its configuration and the ask/tell/optimize methods, no internals. */
function studyHandle<P extends Params>(core: StudyCore<P>): Study<P> {
  const { name, direction, seed, space, pendingWindow, sampler, pruner } = core.config;
  return Object.freeze({
    name,
    direction,
    seed,
    space: space as SearchSpace<P>,
    pendingWindow,
    sampler,
    pruner,
    get trials() {
      return core.trials;
    },
    get bestTrial() {
      return core.bestTrial;
    },
    ask: () => core.ask(),
    canAsk: () => core.canAsk(),
    tell: (trial: Parameters<Study<P>["tell"]>[0], result: Parameters<Study<P>["tell"]>[1]) =>
      core.tell(trial, result),
    optimize: ((objective: never, options?: never) =>
      core.optimize(objective, options)) as Study<P>["optimize"],
    result: () => core.result(),
    close: () => core.close(),
  });
}
