import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import type { Params, SearchSpace } from "./search-space.js";
import type { Direction, FrozenTrial, PendingTrial } from "./trial.js";

/** A JSON value (for sampler and pruner descriptions). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * What a sampler or pruner is, as data: stored in the study journal, compared on resume, and used by
 * `loadStudy` to rebuild the built-in ones (`kind` `grid`, `random`, `tpe`, `median`, `percentile`,
 * `successive-halving`, `none`).
 */
export interface ComponentDescription {
  /** Kind; custom components should use a prefixed name such as `custom:my-sampler`. */
  readonly kind: string;
  /** Every option that changes its decisions, with defaults filled in. */
  readonly options: { readonly [key: string]: JsonValue };
}

/**
 * Everything a sampler may use to choose trial `number`'s parameters. It is fixed by the study design
 * (seed, number, `pendingWindow`), never by timing, so samplers that use only this are deterministic.
 */
export interface SamplerContext<P extends Params = Params> {
  /** The search space. */
  readonly space: SearchSpace<P>;
  /** Optimisation direction. */
  readonly direction: Direction;
  /** The study seed. */
  readonly studySeed: number;
  /** Number of the trial being sampled. */
  readonly number: number;
  /** A random stream private to this trial (derived from the study seed and `number`). */
  readonly rng: RandomGenerator;
  /**
   * The finished trials whose results are visible: every trial numbered below
   * `number - pendingWindow`, ascending (states `complete`, `pruned` or `failed`).
   */
  readonly history: readonly FrozenTrial<P>[];
  /** The trials between the visible ones and this one: parameters known, results not visible. */
  readonly pending: readonly PendingTrial<P>[];
}

/**
 * Chooses the parameters of each trial. Must be a pure function of its context (use `context.rng` for
 * randomness) so that studies are reproducible.
 */
export interface Sampler {
  /** What the sampler is (kind and options), stored in the journal. */
  readonly description: ComponentDescription;
  /**
   * Number of trials the sampler can produce for `space` (a grid's size), or `undefined` when
   * unbounded. `optimize` stops there and `ask` throws `SEARCH_EXHAUSTED` beyond it.
   */
  size?(space: SearchSpace): number | undefined;
  /**
   * The parameters of trial `context.number`: a value for every parameter of the space, inside its
   * domain (the study checks).
   */
  sample(context: SamplerContext): Params;
}
