import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import {
  type CategoricalDomain,
  choiceIndex,
  domainsOf,
  fromInternal,
  type NumericDomain,
  sampleAllUniform,
  toInternal,
} from "./_domain.js";
import {
  boolOption,
  checkOptionsObject,
  describe,
  intOption,
  invalidOption,
  positiveOption,
  withDefaults,
} from "./_options.js";
import { NumericMixture } from "./_parzen.js";
import type { ParzenOptions } from "./_parzen-base.js";
import { CategoricalMixture } from "./_parzen-categorical.js";
import { JointMixture } from "./_parzen-joint.js";
import { goodBandwidthCount, splitHistory } from "./_tpe-groups.js";
import type { ComponentDescription, Sampler, SamplerContext } from "./sampler.js";
import type { Choice, Params } from "./search-space.js";

/**
 * Options of {@link createTpeSampler}. The defaults are Optuna's except four, chosen by measurement
 * (docs/tuner.md): `multivariate` (true), `bandwidthFactor` (0.1 instead of 0.2), in multivariate
 * mode `considerMagicClip` (false), and `shrinkGoodBandwidth` (true); `constantLiar` is on (it only
 * matters with pending trials). `{ multivariate: false }` is Optuna's default TPE; `{ multivariate:
 * true, bandwidthFactor: 0.2, considerMagicClip: true, shrinkGoodBandwidth: false }` is Optuna's
 * multivariate TPE.
 */
export interface TpeSamplerOptions {
  /**
   * Sample uniformly at random while fewer than this many visible trials are finished (complete or
   * pruned).
   * @defaultValue 10
   */
  readonly nStartupTrials?: number;
  /**
   * Number of candidates drawn from the "good" mixture l(x); the one with the largest
   * log l(x) − log g(x) is returned.
   * @defaultValue 24
   */
  readonly nEiCandidates?: number;
  /**
   * Size of the "good" group: `min(ceil(fraction · n), max)` of the n finished trials.
   * @defaultValue `{ fraction: 0.1, max: 25 }`
   */
  readonly gamma?: { readonly fraction?: number; readonly max?: number };
  /**
   * Weight of the prior kernel (centre of the range, σ = range; uniform for categorical parameters)
   * relative to an observation's weight of at most 1. Also the smoothing mass of categorical kernels.
   * @defaultValue 1
   */
  readonly priorWeight?: number;
  /**
   * Clip kernel bandwidths below at range / min(100, kernels + 1). Without it the floor is 1e-12.
   * @defaultValue `!multivariate` (true for the univariate estimator, false for the multivariate one,
   *   whose bandwidth is set by `bandwidthFactor`)
   */
  readonly considerMagicClip?: boolean;
  /**
   * Let the outermost kernels use their distance to the bounds as a bandwidth candidate.
   * @defaultValue false
   */
  readonly considerEndpoints?: boolean;
  /**
   * Model the parameters jointly (product kernels, bandwidth `bandwidthFactor` · n^(−1/(d+4)) · range,
   * so a candidate's parameters are scored together) instead of one independent estimator per
   * parameter.
   * @defaultValue true
   */
  readonly multivariate?: boolean;
  /**
   * Multivariate mode: kernel bandwidth as a share of the range for one observation, shrinking as
   * n^(−1/(d+4)) for n observations in d dimensions (Scott's rule; Optuna uses 0.2).
   * @defaultValue 0.1
   */
  readonly bandwidthFactor?: number;
  /**
   * Multivariate mode: the good mixture l's bandwidth shrinks with the study, as if it were fitted to
   * all n visible finished trials shared by the suggestions made from them, n_l = max(m, n / (1 + p))
   * (m good observations, p pending trials), instead of with its own m observations (Optuna's rule).
   * @defaultValue true
   */
  readonly shrinkGoodBandwidth?: boolean;
  /**
   * Treat pending trials (asked, result not visible; see `pendingWindow`) as "bad" observations, so
   * that concurrent suggestions spread out ("constant liar").
   * @defaultValue true
   */
  readonly constantLiar?: boolean;
}

/**
 * Defaults of {@link createTpeSampler}, filled in there (`considerMagicClip` defaults to
 * `!multivariate`, so it is not listed).
 */
export const TPE_SAMPLER_DEFAULTS = Object.freeze({
  nStartupTrials: 10,
  nEiCandidates: 24,
  gamma: Object.freeze({ fraction: 0.1, max: 25 }),
  priorWeight: 1,
  considerEndpoints: false,
  multivariate: true,
  bandwidthFactor: 0.1,
  shrinkGoodBandwidth: true,
  constantLiar: true,
});

interface Resolved {
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly gammaFraction: number;
  readonly gammaMax: number;
  readonly parzen: ParzenOptions;
  readonly multivariate: boolean;
  readonly bandwidthFactor: number;
  readonly shrinkGoodBandwidth: boolean;
  readonly constantLiar: boolean;
}

const OWNER = "TPE sampler";

function resolveOptions(options: TpeSamplerOptions): Resolved {
  checkOptionsObject(OWNER, options);
  const o = withDefaults(TPE_SAMPLER_DEFAULTS, options);
  checkOptionsObject(OWNER, o.gamma);
  const gamma = withDefaults(TPE_SAMPLER_DEFAULTS.gamma, o.gamma);
  const fraction = gamma.fraction;
  if (typeof fraction !== "number" || !(fraction > 0 && fraction <= 1)) {
    invalidOption(OWNER, `gamma.fraction must be in (0, 1], got ${describe(fraction)}`);
  }
  const multivariate = boolOption(OWNER, "multivariate", o.multivariate);
  return {
    nStartupTrials: intOption(OWNER, "nStartupTrials", o.nStartupTrials, 0),
    nEiCandidates: intOption(OWNER, "nEiCandidates", o.nEiCandidates, 1),
    gammaFraction: fraction,
    gammaMax: intOption(OWNER, "gamma.max", gamma.max, 1),
    parzen: {
      priorWeight: positiveOption(OWNER, "priorWeight", o.priorWeight),
      considerMagicClip: boolOption(OWNER, "considerMagicClip", o.considerMagicClip ?? !multivariate),
      considerEndpoints: boolOption(OWNER, "considerEndpoints", o.considerEndpoints),
    },
    multivariate,
    bandwidthFactor: positiveOption(OWNER, "bandwidthFactor", o.bandwidthFactor),
    shrinkGoodBandwidth: boolOption(OWNER, "shrinkGoodBandwidth", o.shrinkGoodBandwidth),
    constantLiar: boolOption(OWNER, "constantLiar", o.constantLiar),
  };
}

type ActiveDomain = NumericDomain | CategoricalDomain;

function observe(d: ActiveDomain, value: Choice): number {
  return d.kind === "numeric" ? toInternal(d, value as number) : choiceIndex(d, value);
}

/**
 * The Tree-structured Parzen Estimator sampler, as Optuna implements it:
 * random for the first `nStartupTrials`, then per trial it splits the visible finished trials into a
 * "good" group (best `min(⌈0.1 n⌉, 25)`) and the rest, fits a Parzen mixture to each (truncated
 * normals in log space for log parameters, bin masses for discrete ones, smoothed one-hot kernels for
 * categorical ones, each with a prior kernel; older observations down-weighted), draws
 * `nEiCandidates` from the good mixture l and returns the one maximising log l(x) − log g(x). By
 * default the mixtures are joint over all parameters (product kernels of bandwidth
 * 0.1 · n^(−1/(d+4)) · range, n = the group's size for g and max(m, N / (1 + p)) for l: m good of N
 * visible trials, p pending); with `multivariate: false`, one per parameter with bandwidths from
 * neighbour gaps clipped to [range / min(100, m + 2), range]. Pending trials count as bad (constant
 * liar). Every array is a typed array.
 * @param options - see {@link TpeSamplerOptions}
 * @returns the sampler (description `{ kind: "tpe", options: {...every option} }`)
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createTpeSampler(options: TpeSamplerOptions = {}): Sampler {
  const o = resolveOptions(options);
  const description: ComponentDescription = Object.freeze({
    kind: "tpe",
    options: Object.freeze({
      nStartupTrials: o.nStartupTrials,
      nEiCandidates: o.nEiCandidates,
      gamma: Object.freeze({ fraction: o.gammaFraction, max: o.gammaMax }),
      priorWeight: o.parzen.priorWeight,
      considerMagicClip: o.parzen.considerMagicClip,
      considerEndpoints: o.parzen.considerEndpoints,
      multivariate: o.multivariate,
      bandwidthFactor: o.bandwidthFactor,
      shrinkGoodBandwidth: o.shrinkGoodBandwidth,
      constantLiar: o.constantLiar,
    }),
  });
  return Object.freeze({
    description,
    sample: (context: SamplerContext) => sampleTpe(context, o),
  } satisfies Sampler);
}

function sampleTpe(context: SamplerContext, o: Resolved): Params {
  const { space, history, rng, direction } = context;
  let usable = 0;
  for (const t of history) if (t.state === "complete" || t.state === "pruned") usable++;
  if (usable < o.nStartupTrials || usable === 0) return sampleAllUniform(space, rng);

  const { flags, nBelow, nAbove } = splitHistory(history, direction, o.gammaFraction, o.gammaMax);
  const pending = o.constantLiar ? context.pending : [];
  const nAboveAll = nAbove + pending.length;
  const domains = domainsOf(space);
  const active = domains.filter((d): d is ActiveDomain => d.kind !== "fixed");

  // Observations per active parameter, in trial-number order (oldest first).
  const below = active.map(() => new Float64Array(nBelow));
  const above = active.map(() => new Float64Array(nAboveAll));
  let ib = 0;
  let ia = 0;
  for (let i = 0; i < history.length; i++) {
    const f = flags[i]!;
    if (f < 0) continue;
    const params = history[i]!.params;
    const target = f === 1 ? below : above;
    const at = f === 1 ? ib++ : ia++;
    for (let k = 0; k < active.length; k++) {
      const d = active[k]!;
      target[k]![at] = observe(d, params[d.name]!);
    }
  }
  for (const p of pending) {
    for (let k = 0; k < active.length; k++) {
      const d = active[k]!;
      above[k]![ia] = observe(d, p.params[d.name]!);
    }
    ia++;
  }

  const goodCount = o.shrinkGoodBandwidth
    ? goodBandwidthCount(nBelow, nBelow + nAbove, context.pending.length)
    : nBelow;
  const chosen = o.multivariate
    ? sampleJoint(active, { below, above, nBelow, nAbove: nAboveAll, goodCount }, rng, o)
    : active.map((d, k) => sampleIndependent(d, below[k]!, above[k]!, nBelow, nAboveAll, rng, o));

  const out: Record<string, Choice> = {};
  let k = 0;
  for (const d of domains) {
    if (d.kind === "fixed") out[d.name] = d.value;
    else out[d.name] = chosen[k++]!;
  }
  return out;
}

function sampleIndependent(
  d: ActiveDomain,
  below: Float64Array,
  above: Float64Array,
  nBelow: number,
  nAbove: number,
  rng: RandomGenerator,
  o: Resolved,
): Choice {
  const nc = o.nEiCandidates;
  if (d.kind === "categorical") {
    const C = d.choices.length;
    const l = new CategoricalMixture(below, nBelow, C, o.parzen);
    const g = new CategoricalMixture(above, nAbove, C, o.parzen);
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < nc; j++) {
      const c = l.sampleKernel(l.pickKernel(rng), rng);
      const score = Math.log(l.prob[c]!) - Math.log(g.prob[c]!);
      if (best < 0 || score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return d.choices[best]!;
  }
  const l = new NumericMixture(below, nBelow, d.lowI, d.highI, d.discrete, o.parzen);
  const g = new NumericMixture(above, nAbove, d.lowI, d.highI, d.discrete, o.parzen);
  const xs = new Float64Array(nc);
  for (let j = 0; j < nc; j++) xs[j] = l.sampleKernel(l.pickKernel(rng), rng);
  const ll = new Float64Array(nc);
  if (!d.discrete) {
    l.logPdf(xs, nc, ll);
    return fromInternal(d, xs[g.argmaxRatio(nc, ll, xs)]!);
  }
  // Discrete: snap candidates to the grid, score distinct values once by their bin masses.
  const values = new Float64Array(nc);
  const lo = new Float64Array(nc);
  const hi = new Float64Array(nc);
  let nu = 0;
  for (let j = 0; j < nc; j++) {
    const v = fromInternal(d, xs[j]!);
    let seen = false;
    for (let q = 0; q < nu; q++) {
      if (values[q] === v) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    values[nu] = v;
    binInto(d, v, lo, hi, nu);
    nu++;
  }
  l.logPmf(lo, hi, nu, ll);
  return values[g.argmaxRatio(nu, ll, undefined, lo, hi)]!;
}

function binInto(d: NumericDomain, v: number, lo: Float64Array, hi: Float64Array, at: number): void {
  if (d.log) {
    lo[at] = Math.log(v - 0.5);
    hi[at] = Math.log(v + 0.5);
  } else {
    lo[at] = v - d.step / 2;
    hi[at] = v + d.step / 2;
  }
}

type DimMixture = NumericMixture | CategoricalMixture;

/**
 * The per-parameter mixtures of one group over `m` observations, aligned for joint scoring: numeric
 * kernels of bandwidth `bandwidthFactor` · count^(−1/(d+4)) · range (Scott's rule, count = `m` unless
 * given).
 */
function buildJoint(
  active: readonly ActiveDomain[],
  obs: readonly Float64Array[],
  m: number,
  o: Resolved,
  count = m,
): DimMixture[] {
  const dims = active.length;
  const factor = o.bandwidthFactor * Math.max(count, 1) ** (-1 / (dims + 4));
  return active.map((d, k) =>
    d.kind === "categorical"
      ? new CategoricalMixture(obs[k]!, m, d.choices.length, o.parzen)
      : new NumericMixture(obs[k]!, m, d.lowI, d.highI, d.discrete, o.parzen, factor * (d.highI - d.lowI)),
  );
}

/** Observations of the two groups (per active parameter, oldest first) and their counts. */
interface Groups {
  readonly below: readonly Float64Array[];
  readonly above: readonly Float64Array[];
  readonly nBelow: number;
  readonly nAbove: number;
  /** Observation count that sets the good mixture's bandwidth. */
  readonly goodCount: number;
}

function sampleJoint(
  active: readonly ActiveDomain[],
  groups: Groups,
  rng: RandomGenerator,
  o: Resolved,
): Choice[] {
  const dims = active.length;
  if (dims === 0) return [];
  const { below, above, nBelow, nAbove } = groups;
  const l = buildJoint(active, below, nBelow, o, groups.goodCount);
  const g = buildJoint(active, above, nAbove, o);
  const nc = o.nEiCandidates;
  const internal = new Float64Array(nc * dims);
  const external: Choice[] = new Array(nc * dims);
  for (let j = 0; j < nc; j++) {
    const kernel = l[0]!.pickKernel(rng);
    for (let k = 0; k < dims; k++) {
      const d = active[k]!;
      const m = l[k]!;
      if (d.kind === "categorical") {
        const c = (m as CategoricalMixture).sampleKernel(kernel, rng);
        internal[j * dims + k] = c;
        external[j * dims + k] = d.choices[c]!;
      } else {
        const u = (m as NumericMixture).sampleKernel(kernel, rng);
        const v = fromInternal(d, u);
        internal[j * dims + k] = d.discrete ? toInternal(d, v) : u;
        external[j * dims + k] = v;
      }
    }
  }
  const discrete = active.map((d) => d.kind === "numeric" && d.discrete);
  const lJoint = new JointMixture(l, discrete);
  const gJoint = new JointMixture(g, discrete);
  const x = new Float64Array(dims);
  const lo = new Float64Array(dims);
  const hi = new Float64Array(dims);
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < nc; j++) {
    for (let k = 0; k < dims; k++) {
      const d = active[k]!;
      x[k] = internal[j * dims + k]!;
      if (d.kind === "numeric" && d.discrete) binInto(d, external[j * dims + k] as number, lo, hi, k);
    }
    const score = lJoint.logDensity(x, lo, hi) - gJoint.logDensity(x, lo, hi);
    if (j === 0 || score > bestScore) {
      best = j;
      bestScore = score;
    }
  }
  return external.slice(best * dims, best * dims + dims);
}
