import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { domainsOf, gridValue, isInDomain } from "./_domain.js";
import { boolOption, checkOptionsObject, invalidOption, withDefaults } from "./_options.js";
import { createStream, permutation } from "./_rng.js";
import { TunerError } from "./errors.js";
import type { ComponentDescription, JsonValue, Sampler } from "./sampler.js";
import {
  type Choice,
  compareCodeUnits,
  escapePointer,
  type Params,
  type SearchSpace,
} from "./search-space.js";

/** Largest grid the grid sampler accepts (product of the parameters' value counts). */
export const MAX_GRID_SIZE = 2 ** 31 - 1;

/** Largest grid that can be visited in shuffled order (the permutation is held in memory). */
export const MAX_SHUFFLED_GRID_SIZE = 2 ** 24;

/** Options of {@link createGridSampler}. */
export interface GridSamplerOptions {
  /**
   * Explicit values per parameter (each inside the parameter's domain, no duplicates). Required for
   * continuous float parameters (no `step`); optional for the others, whose default values are every
   * grid point (int, stepped float), every choice (categorical) or the value (fixed).
   * @defaultValue `{}`
   */
  readonly values?: { readonly [name: string]: readonly Choice[] };
  /**
   * Visit the grid in an order shuffled by the study seed instead of the lexicographic order.
   * @defaultValue false
   */
  readonly shuffle?: boolean;
}

interface GridPlan {
  readonly axes: readonly (readonly Choice[])[];
  readonly size: number;
  readonly perms: Map<number, Int32Array>;
}

/** Defaults of {@link createGridSampler}, filled in there. */
export const GRID_SAMPLER_DEFAULTS = Object.freeze({
  values: Object.freeze({}) as { readonly [name: string]: readonly Choice[] },
  shuffle: false,
});

const OWNER = "grid sampler";
const fail = (message: string): never => invalidOption(OWNER, message);

/**
 * A sampler that enumerates the full product of the parameters' values in a stable order: parameters
 * in name order, the last name varying fastest (trial k gets grid point k), or in a seeded shuffled
 * order with `shuffle`. Its `size` is the grid size: `optimize` stops when every point was tried.
 * @param options - explicit values and order, see {@link GridSamplerOptions}
 * @returns the sampler (description `{ kind: "grid", options: { values, shuffle } }`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for bad options; when the study starts, for a
 *   continuous parameter without explicit values, a value outside its domain, or a grid too large
 */
export function createGridSampler(options: GridSamplerOptions = {}): Sampler {
  checkOptionsObject(OWNER, options);
  const o = withDefaults(GRID_SAMPLER_DEFAULTS, options);
  const shuffle = boolOption(OWNER, "shuffle", o.shuffle);
  const given = o.values;
  if (typeof given !== "object" || given === null || Array.isArray(given)) fail("values must be an object");
  const values: Record<string, readonly Choice[]> = {};
  for (const name of Object.keys(given).sort(compareCodeUnits)) {
    const list = given[name];
    if (!Array.isArray(list) || list.length === 0) fail(`values.${name} must be a non-empty array`);
    values[name] = Object.freeze([...(list as Choice[])]);
  }
  const plans = new WeakMap<SearchSpace, GridPlan>();

  const planFor = (space: SearchSpace): GridPlan => {
    let plan = plans.get(space);
    if (plan !== undefined) return plan;
    for (const name of Object.keys(values)) {
      if (!space.names.includes(name)) fail(`values.${name}: the search space has no parameter "${name}"`);
    }
    const axes: (readonly Choice[])[] = [];
    let size = 1;
    for (const d of domainsOf(space)) {
      let axis = values[d.name];
      if (axis !== undefined) {
        const seen = new Set<Choice>();
        for (const v of axis) {
          if (!isInDomain(d, v))
            fail(`values.${d.name}: ${JSON.stringify(v)} is outside the parameter's domain`);
          if (seen.has(v)) fail(`values.${d.name}: duplicate value ${JSON.stringify(v)}`);
          seen.add(v);
        }
      } else if (d.kind === "fixed") axis = [d.value];
      else if (d.kind === "categorical") axis = d.choices;
      else if (d.step > 0) {
        if (d.count > MAX_GRID_SIZE)
          fail(
            `search space /${escapePointer(d.name)} has ${d.count} grid points, more than ${MAX_GRID_SIZE}`,
          );
        const list: number[] = [];
        for (let i = 0; i < d.count; i++) list.push(gridValue(d, i));
        axis = list;
      } else if (d.isInt) {
        // log int: every integer in range.
        const n = d.high - d.low + 1;
        if (n > MAX_GRID_SIZE) {
          fail(`search space /${escapePointer(d.name)} has ${n} values, more than ${MAX_GRID_SIZE}`);
        }
        axis = Array.from({ length: n }, (_, i) => d.low + i);
      } else {
        return fail(
          `search space /${escapePointer(d.name)} is a continuous float (no "step"): a grid needs a step or explicit values for it`,
        );
      }
      size *= axis.length;
      if (size > MAX_GRID_SIZE) fail(`the search space has more than ${MAX_GRID_SIZE} grid points`);
      axes.push(axis);
    }
    if (shuffle && size > MAX_SHUFFLED_GRID_SIZE) {
      fail(`shuffle supports grids up to ${MAX_SHUFFLED_GRID_SIZE} points, this one has ${size}`);
    }
    plan = { axes, size, perms: new Map() };
    plans.set(space, plan);
    return plan;
  };

  const pointIndex = (plan: GridPlan, studySeed: number, number: number): number => {
    if (!shuffle) return number;
    let perm = plan.perms.get(studySeed);
    if (perm === undefined) {
      const rng: RandomGenerator = createStream(studySeed, "grid-shuffle", 0);
      perm = permutation(rng, plan.size);
      plan.perms.set(studySeed, perm);
    }
    return perm[number]!;
  };

  const description: ComponentDescription = Object.freeze({
    kind: "grid",
    options: Object.freeze({ values: values as { readonly [key: string]: JsonValue }, shuffle }),
  });

  return Object.freeze({
    description,
    size: (space: SearchSpace) => planFor(space).size,
    sample: (context) => {
      const plan = planFor(context.space);
      if (context.number >= plan.size) {
        throw new TunerError(
          "SEARCH_EXHAUSTED",
          `grid sampler: trial ${context.number} asked but the grid has ${plan.size} points`,
        );
      }
      let rest = pointIndex(plan, context.studySeed, context.number);
      const { names } = context.space;
      const out: Record<string, Choice> = {};
      const picks = new Array<Choice>(names.length);
      for (let i = names.length - 1; i >= 0; i--) {
        const axis = plan.axes[i]!;
        picks[i] = axis[rest % axis.length]!;
        rest = Math.floor(rest / axis.length);
      }
      names.forEach((name, i) => {
        out[name] = picks[i]!;
      });
      return out as Params;
    },
  } satisfies Sampler);
}
