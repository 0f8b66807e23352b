// Resolved form of a search space: per parameter, how to sample it uniformly and how it maps to the
// internal (TPE) representation: numbers in log space for log parameters, category index for
// categorical ones. Computed once per space and cached.
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { nextFloat, nextInt } from "./_rng.js";
import type { Choice, Params, SearchSpace } from "./search-space.js";

/** A numeric parameter (float or int). */
export interface NumericDomain {
  readonly kind: "numeric";
  readonly name: string;
  readonly isInt: boolean;
  readonly log: boolean;
  /** External bounds. */
  readonly low: number;
  readonly high: number;
  /** Grid step (external units) when the parameter is discrete and not log; 0 otherwise. */
  readonly step: number;
  /** Number of grid points for a discrete non-log parameter; 0 otherwise. */
  readonly count: number;
  /** Whether values are discrete (stepped float, or any int). */
  readonly discrete: boolean;
  /** Internal bounds of the kernels (log space; widened by half a step for discrete ones). */
  readonly lowI: number;
  readonly highI: number;
}

/** A categorical parameter. */
export interface CategoricalDomain {
  readonly kind: "categorical";
  readonly name: string;
  readonly choices: readonly Choice[];
}

/** A fixed parameter. */
export interface FixedDomain {
  readonly kind: "fixed";
  readonly name: string;
  readonly value: Choice;
}

/** One resolved parameter. */
export type Domain = NumericDomain | CategoricalDomain | FixedDomain;

const cache = new WeakMap<SearchSpace, readonly Domain[]>();

/** The resolved parameters of `space`, in `space.names` order. */
export function domainsOf(space: SearchSpace): readonly Domain[] {
  let out = cache.get(space);
  if (out === undefined) {
    out = space.names.map((name) => resolve(name, space));
    cache.set(space, out);
  }
  return out;
}

function resolve(name: string, space: SearchSpace): Domain {
  const p = space.spec[name]!;
  switch (p.type) {
    case "fixed":
      return { kind: "fixed", name, value: p.value };
    case "categorical":
      return { kind: "categorical", name, choices: p.choices };
    case "float":
    case "int": {
      const isInt = p.type === "int";
      const log = p.log === true;
      const rawStep = p.step ?? (isInt ? 1 : 0);
      const step = log ? 0 : rawStep;
      const count = step > 0 ? Math.round((p.high - p.low) / step) + 1 : 0;
      const discrete = isInt || rawStep > 0;
      let lowI: number;
      let highI: number;
      if (log) {
        lowI = Math.log(isInt ? p.low - 0.5 : p.low);
        highI = Math.log(isInt ? p.high + 0.5 : p.high);
      } else if (step > 0) {
        lowI = p.low - step / 2;
        highI = p.high + step / 2;
      } else {
        lowI = p.low;
        highI = p.high;
      }
      return {
        kind: "numeric",
        name,
        isInt,
        log,
        low: p.low,
        high: p.high,
        step,
        count,
        discrete,
        lowI,
        highI,
      };
    }
  }
}

/**
 * The value of grid point `i` of a stepped parameter: `low + i * step`, rounded to 15 significant
 * digits so that decimal steps give decimal values (0.3, not 0.30000000000000004), clamped to the
 * bounds, and exactly `high` for the last point.
 */
export function gridValue(d: NumericDomain, i: number): number {
  if (i <= 0) return d.low;
  if (i >= d.count - 1) return d.high;
  if (d.isInt) return d.low + i * d.step;
  const v = Number((d.low + i * d.step).toPrecision(15));
  return v < d.low ? d.low : Math.min(v, d.high);
}

/** Internal value of an external numeric value. */
export function toInternal(d: NumericDomain, value: number): number {
  return d.log ? Math.log(value) : value;
}

/** The external value nearest to internal value `u` (snapped to the grid for discrete parameters). */
export function fromInternal(d: NumericDomain, u: number): number {
  if (d.log) {
    const x = Math.exp(u);
    if (d.isInt) {
      const r = Math.round(x);
      return r < d.low ? d.low : Math.min(r, d.high);
    }
    return x < d.low ? d.low : Math.min(x, d.high);
  }
  if (d.step > 0) {
    let i = Math.round((u - d.low) / d.step);
    if (i < 0) i = 0;
    if (i > d.count - 1) i = d.count - 1;
    return gridValue(d, i);
  }
  return u < d.low ? d.low : Math.min(u, d.high);
}

/** A uniform draw of one numeric parameter (log-uniform for log ones, uniform over grid points). */
export function sampleNumeric(d: NumericDomain, rng: RandomGenerator): number {
  if (d.log) {
    const u = d.lowI + nextFloat(rng) * (d.highI - d.lowI);
    return fromInternal(d, u);
  }
  if (d.step > 0) return gridValue(d, nextInt(rng, 0, d.count - 1));
  const v = d.low + nextFloat(rng) * (d.high - d.low);
  return Math.min(v, d.high);
}

/** A uniform draw of one parameter. */
export function sampleUniform(d: Domain, rng: RandomGenerator): Choice {
  switch (d.kind) {
    case "fixed":
      return d.value;
    case "categorical":
      return d.choices[nextInt(rng, 0, d.choices.length - 1)]!;
    case "numeric":
      return sampleNumeric(d, rng);
  }
}

/** A uniform draw of every parameter, in `space.names` order. */
export function sampleAllUniform(space: SearchSpace, rng: RandomGenerator): Params {
  const out: Record<string, Choice> = {};
  for (const d of domainsOf(space)) out[d.name] = sampleUniform(d, rng);
  return out;
}

/** Index of `value` among a categorical domain's choices (-1 when absent). */
export function choiceIndex(d: CategoricalDomain, value: Choice): number {
  return d.choices.indexOf(value);
}

/**
 * Whether `value` is a legal value of `d` (inside the bounds, on the grid within a relative 1e-9,
 * one of the choices, or the fixed value).
 */
export function isInDomain(d: Domain, value: unknown): boolean {
  switch (d.kind) {
    case "fixed":
      return value === d.value;
    case "categorical":
      return (
        (typeof value === "string" || typeof value === "number" || typeof value === "boolean") &&
        choiceIndex(d, value) >= 0
      );
    case "numeric": {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      if (value < d.low || value > d.high) return false;
      if (d.isInt && !Number.isInteger(value)) return false;
      if (d.step > 0) {
        const r = (value - d.low) / d.step;
        return Math.abs(r - Math.round(r)) <= 1e-9 * Math.max(1, r);
      }
      return true;
    }
  }
}
