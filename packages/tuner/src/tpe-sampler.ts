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
 * Options of {@link createTpeSampler}. The defaults are Optuna's except these, chosen by measurement
 * (docs/tuner.md): `multivariate` (true), `bandwidthFactor` (0.1 instead of 0.2), in multivariate
 * mode `considerMagicClip` (false), `shrinkGoodBandwidth` (true), and with pending trials (they only
 * matter then) `pendingWeight` (0.15 instead of 1) and `startupCountsPending` (true); `constantLiar`
 * is on. `{ multivariate: false }` is Optuna's default TPE; `{ multivariate:
 * true, bandwidthFactor: 0.2, considerMagicClip: true, shrinkGoodBandwidth: false }` is Optuna's
 * multivariate TPE (with `pendingWeight: 1, startupCountsPending: false` for Optuna's constant liar).
 */
export interface TpeSamplerOptions {
  /**
   * Sample uniformly at random while fewer than this many visible trials are finished (complete or
   * pruned), counting the pending trials too with `startupCountsPending`.
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
  /**
   * With `constantLiar`, the weight of each pending trial's kernel in the bad mixture g, relative to a
   * finished trial's (Optuna: 1). Below 1, concurrent suggestions still spread out but are pushed
   * less far from the good region.
   * @defaultValue `multivariate ? 0.15 : 1` (the univariate estimator's wide kernels need the full
   *   weight to spread concurrent suggestions)
   */
  readonly pendingWeight?: number;
  /**
   * `nStartupTrials` counts the pending trials with the visible finished ones, so a study with a
   * pending window w starts TPE at the same trial as a sequential one (trial `nStartupTrials`, with
   * w fewer results) instead of w trials later. At least one visible trial must be finished.
   * @defaultValue `multivariate` (the univariate estimator, Optuna's, counts finished trials only)
   */
  readonly startupCountsPending?: boolean;
}

/**
 * Defaults of {@link createTpeSampler}, filled in there (`considerMagicClip` defaults to
 * `!multivariate`, `pendingWeight` to `multivariate ? 0.15 : 1` and `startupCountsPending` to
 * `multivariate`, so they are not listed).
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
  readonly pendingWeight: number;
  readonly startupCountsPending: boolean;
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
    pendingWeight: positiveOption(OWNER, "pendingWeight", o.pendingWeight ?? (multivariate ? 0.15 : 1)),
    startupCountsPending: boolOption(OWNER, "startupCountsPending", o.startupCountsPending ?? multivariate),
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
 * liar), each with weight `pendingWeight` (0.15) in g, and towards `nStartupTrials`. Every array is a
 * typed array.
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
      pendingWeight: o.pendingWeight,
      startupCountsPending: o.startupCountsPending,
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
  const started = o.startupCountsPending ? usable + context.pending.length : usable;
  if (started < o.nStartupTrials || usable === 0) return sampleAllUniform(space, rng);

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
  // The pending trials are g's newest observations.
  const gParzen = { ...o.parzen, newestCount: pending.length, newestWeight: o.pendingWeight };
  const chosen = o.multivariate
    ? sampleJoint(active, { below, above, nBelow, nAbove: nAboveAll, goodCount, gParzen }, rng, o)
    : active.map((d, k) =>
        sampleIndependent(
          { d, below: below[k]!, above: above[k]!, nBelow, nAbove: nAboveAll, gParzen },
          rng,
          o,
        ),
      );

  const out: Record<string, Choice> = {};
  let k = 0;
  for (const d of domains) {
    if (d.kind === "fixed") out[d.name] = d.value;
    else out[d.name] = chosen[k++]!;
  }
  return out;
}

/** One parameter's observations in the two groups, and the bad mixture's estimator options. */
interface OneParameter {
  readonly d: ActiveDomain;
  readonly below: Float64Array;
  readonly above: Float64Array;
  readonly nBelow: number;
  readonly nAbove: number;
  readonly gParzen: ParzenOptions;
}

function sampleIndependent(p: OneParameter, rng: RandomGenerator, o: Resolved): Choice {
  const { d, below, above, nBelow, nAbove, gParzen } = p;
  const nc = o.nEiCandidates;
  if (d.kind === "categorical") {
    const C = d.choices.length;
    const l = new CategoricalMixture(below, nBelow, C, o.parzen);
    const g = new CategoricalMixture(above, nAbove, C, gParzen);
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
  const g = new NumericMixture(above, nAbove, d.lowI, d.highI, d.discrete, gParzen);
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

/** One group for {@link buildJoint}: observations per active parameter, how many, and how to fit them. */
interface JointGroup {
  readonly obs: readonly Float64Array[];
  readonly m: number;
  /** Observation count that sets the bandwidth (Scott's rule). */
  readonly count: number;
  readonly parzen: ParzenOptions;
}

/**
 * The per-parameter mixtures of one group over `m` observations, aligned for joint scoring: numeric
 * kernels of bandwidth `bandwidthFactor` · count^(−1/(d+4)) · range (Scott's rule).
 */
function buildJoint(active: readonly ActiveDomain[], group: JointGroup, o: Resolved): DimMixture[] {
  const { obs, m, count, parzen } = group;
  const dims = active.length;
  const factor = o.bandwidthFactor * Math.max(count, 1) ** (-1 / (dims + 4));
  return active.map((d, k) =>
    d.kind === "categorical"
      ? new CategoricalMixture(obs[k]!, m, d.choices.length, parzen)
      : new NumericMixture(obs[k]!, m, d.lowI, d.highI, d.discrete, parzen, factor * (d.highI - d.lowI)),
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
  /** Estimator options of the bad mixture (the pending trials' weight). */
  readonly gParzen: ParzenOptions;
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
  const l = buildJoint(active, { obs: below, m: nBelow, count: groups.goodCount, parzen: o.parzen }, o);
  const g = buildJoint(active, { obs: above, m: nAbove, count: nAbove, parzen: groups.gParzen }, o);
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
