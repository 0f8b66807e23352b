/**
 * The built-in samplers, pruners and executors by name: one table each. Study loading rebuilds a
 * stored sampler or pruner from its description through these tables (the description's `kind` is
 * the table name), and the job spec and the command line choose by name. Adding one is one file (its
 * factory, with its defaults beside it) plus one line here; see docs/tuner.md.
 */
import { TunerError } from "./errors.js";
import type { Executor } from "./executor.js";
import { createGridSampler } from "./grid-sampler.js";
import { createInlineExecutor } from "./inline-executor.js";
import { createMedianPruner, createPercentilePruner } from "./median-pruner.js";
import { createNopPruner, type Pruner } from "./pruner.js";
import { createRandomSampler } from "./random-sampler.js";
import type { Sampler } from "./sampler.js";
import { createSuccessiveHalvingPruner } from "./successive-halving-pruner.js";
import { createTpeSampler } from "./tpe-sampler.js";
import { createWorkerPoolExecutor } from "./worker-pool-executor.js";

/** Samplers by name (the `kind` of their description); each entry is the factory. */
export const SAMPLERS = Object.freeze({
  grid: createGridSampler,
  random: createRandomSampler,
  tpe: createTpeSampler,
} satisfies { readonly [name: string]: (options: never) => Sampler });

/**
 * Pruners by canonical name (the `kind` of their description, kebab-case); each entry is the factory.
 * Other spellings are in {@link PRUNER_ALIASES}.
 */
export const PRUNERS = Object.freeze({
  median: createMedianPruner,
  none: createNopPruner,
  percentile: createPercentilePruner,
  "successive-halving": createSuccessiveHalvingPruner,
} satisfies { readonly [name: string]: (options: never) => Pruner });

/**
 * Other accepted spellings of pruner names → canonical name. `successive_halving` is what job files
 * and the job records written so far say.
 */
export const PRUNER_ALIASES = Object.freeze({
  successive_halving: "successive-halving",
} satisfies { readonly [alias: string]: keyof typeof PRUNERS });

/** Executors by name; each entry is the factory. */
export const EXECUTORS = Object.freeze({
  inline: createInlineExecutor,
  "worker-pool": createWorkerPoolExecutor,
} satisfies { readonly [name: string]: (options: never) => Executor });

/** Name of a built-in sampler. */
export type SamplerName = keyof typeof SAMPLERS;
/** Canonical name of a built-in pruner. */
export type PrunerName = keyof typeof PRUNERS;
/** Another accepted spelling of a pruner name (see {@link PRUNER_ALIASES}). */
export type PrunerAlias = keyof typeof PRUNER_ALIASES;
/** Name of a built-in executor. */
export type ExecutorName = keyof typeof EXECUTORS;

/** Options of the sampler named `N` (what its factory takes). */
export type SamplerOptionsOf<N extends SamplerName> = NonNullable<Parameters<(typeof SAMPLERS)[N]>[0]>;
/** Options of the pruner named `N` (what its factory takes). */
export type PrunerOptionsOf<N extends PrunerName> = NonNullable<Parameters<(typeof PRUNERS)[N]>[0]>;
/** Options of the executor named `N` (what its factory takes). */
export type ExecutorOptionsOf<N extends ExecutorName> = NonNullable<Parameters<(typeof EXECUTORS)[N]>[0]>;

function lookup<T>(table: { readonly [name: string]: T }, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function unknownName(what: string, name: unknown, names: readonly string[]): never {
  throw new TunerError(
    "INVALID_ARGUMENT",
    `unknown ${what} ${JSON.stringify(name) ?? String(name)}; expected one of ${names.map((n) => `"${n}"`).join(", ")}`,
  );
}

/**
 * The canonical pruner name of `name` (a canonical name or an alias), or `undefined` if it is neither.
 * @param name - e.g. `"successive_halving"` or `"successive-halving"`
 */
export function resolvePrunerName(name: string): PrunerName | undefined {
  if (lookup(PRUNERS, name) !== undefined) return name as PrunerName;
  return lookup<PrunerName>(PRUNER_ALIASES, name);
}

type Table<T> = { readonly [name: string]: (options: never) => T };

function build<T>(what: string, table: Table<T>, name: string, options: object): T {
  const factory = lookup(table, name) ?? unknownName(what, name, Object.keys(table));
  return (factory as (options: object) => T)(options);
}

/**
 * The sampler named `name` with `options` (the factory's defaults fill the rest).
 * @param name - a key of {@link SAMPLERS}
 * @param options - the sampler's options
 * @throws {@link TunerError} `INVALID_ARGUMENT` for an unknown name or a bad option
 */
export function createSampler(name: string, options: object = {}): Sampler {
  return build("sampler", SAMPLERS, name, options);
}

/**
 * The pruner named `name` (canonical or alias) with `options` (the factory's defaults fill the rest).
 * @param name - a key of {@link PRUNERS} or {@link PRUNER_ALIASES}
 * @param options - the pruner's options
 * @throws {@link TunerError} `INVALID_ARGUMENT` for an unknown name or a bad option
 */
export function createPruner(name: string, options: object = {}): Pruner {
  const canonical = resolvePrunerName(name);
  if (canonical === undefined) {
    unknownName("pruner", name, [...Object.keys(PRUNERS), ...Object.keys(PRUNER_ALIASES)]);
  }
  return build("pruner", PRUNERS, canonical, options);
}

/**
 * The executor named `name` with `options` (the factory's defaults fill the rest).
 * @param name - a key of {@link EXECUTORS}
 * @param options - the executor's options (`module` is required by `"worker-pool"`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for an unknown name or a bad option
 */
export function createExecutor(name: string, options: object = {}): Executor {
  return build("executor", EXECUTORS, name, options);
}
