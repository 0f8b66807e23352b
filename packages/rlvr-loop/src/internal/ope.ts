import { deriveRng, STREAM_BOOTSTRAP, uniformIndex } from "../rng.js";
import type { TrainingData } from "../training-data.js";
import { logSoftmaxInto, type Softmax, type SparseRow, scoresInto } from "./linear.js";

/** π_W(·|x_i) of the examples of columnar data under log-linear weights W, one example at a time. */
export class LinearScorer {
  /** The last scored example's scores, log-probabilities and probabilities. */
  readonly softmax: Softmax;
  private readonly W: Float64Array;
  private readonly data: TrainingData;
  private readonly row: SparseRow;

  constructor(W: Float64Array, data: TrainingData) {
    const A = data.actions.length;
    this.W = W;
    this.data = data;
    this.softmax = { z: new Float64Array(A), lp: new Float64Array(A), p: new Float64Array(A) };
    this.row = { indices: data.indices, values: data.values, start: 0, end: 0 };
  }

  /** Scores example `i` (over its allowed actions) into {@link softmax}. */
  score(i: number): Softmax {
    const { row, data } = this;
    row.start = data.offsets[i]!;
    row.end = data.offsets[i + 1]!;
    scoresInto(this.W, row, this.softmax.z);
    logSoftmaxInto(this.softmax, data.allowedMask, i * data.actions.length);
    return this.softmax;
  }
}

/** π(a | x_i) for every example and action of columnar data (n × A), for log-linear weights W. */
export function linearPolicyProbs(W: Float64Array, data: TrainingData, out?: Float64Array): Float64Array {
  const A = data.actions.length;
  const n = data.numExamples;
  const probs = out ?? new Float64Array(n * A);
  const scorer = new LinearScorer(W, data);
  const { sameContext } = data;
  for (let i = 0; i < n; i++) {
    if (!(sameContext !== null && sameContext[i] === 1 && i > 0)) scorer.score(i);
    probs.set(scorer.softmax.p, i * A);
  }
  return probs;
}

/** Per-group sums from which every estimator (and its bootstrap replicate) is a ratio. */
export interface GroupSums {
  readonly numGroups: number;
  /** Examples per group. */
  readonly count: Float64Array;
  /** Σ w_i r_i. */
  readonly wr: Float64Array;
  /** Σ w_i. */
  readonly w: Float64Array;
  /** Σ w_i². */
  readonly w2: Float64Array;
  /** Σ_i Σ_a π(a|x_i) q̂(x_i, a) (NaN without q̂). */
  readonly dm: Float64Array;
  /** Σ_i [Σ_a π q̂ + w_i (r_i − q̂(x_i, a_i))] (NaN without q̂). */
  readonly dr: Float64Array;
  /** Σ r_i (for the logged value). */
  readonly r: Float64Array;
}

/** What {@link groupSums} sums: the target policy, the propensities, the reward model, the clipping. */
export interface GroupSumsInput {
  /** Target probabilities π(a|x_i), n × A. */
  readonly pi: Float64Array;
  /** Propensities p_i of the logged actions (n). */
  readonly propensity: Float64Array;
  /** Reward predictions q̂(x_i, a), n × A; null: no DM/DR sums. */
  readonly qhat: Float64Array | null;
  /** Clip importance weights at this value; null: no clipping. */
  readonly clip: number | null;
}

/** Group sums of `data` from which every estimator (and its bootstrap replicate) is a ratio. */
export function groupSums(data: TrainingData, input: GroupSumsInput): GroupSums {
  const { pi, propensity, qhat, clip } = input;
  const A = data.actions.length;
  const G = data.numGroups;
  const count = new Float64Array(G);
  const wr = new Float64Array(G);
  const w = new Float64Array(G);
  const w2 = new Float64Array(G);
  const dm = new Float64Array(G);
  const dr = new Float64Array(G);
  const r = new Float64Array(G);
  const { groupOffsets, actionIndex, rewards } = data;
  for (let g = 0; g < G; g++) {
    // the sums of group g accumulate in place, example by example (the same additions as in locals)
    for (let i = groupOffsets[g]!; i < groupOffsets[g + 1]!; i++) {
      const a = actionIndex[i]!;
      let wi = pi[i * A + a]! / propensity[i]!;
      if (clip !== null && wi > clip) wi = clip;
      const ri = rewards[i]!;
      count[g] = count[g]! + 1;
      wr[g] = wr[g]! + wi * ri;
      w[g] = w[g]! + wi;
      w2[g] = w2[g]! + wi * wi;
      r[g] = r[g]! + ri;
      if (qhat !== null) {
        let direct = 0;
        for (let b = 0; b < A; b++) direct += pi[i * A + b]! * qhat[i * A + b]!;
        dm[g] = dm[g]! + direct;
        dr[g] = dr[g]! + (direct + wi * (ri - qhat[i * A + a]!));
      }
    }
  }
  if (qhat === null) {
    dm.fill(Number.NaN);
    dr.fill(Number.NaN);
  }
  return { numGroups: G, count, wr, w, w2, dm, dr, r };
}

/** Point estimates of one policy. */
export interface PointEstimates {
  ips: number;
  snips: number;
  dm: number;
  dr: number;
  logged: number;
  ess: number;
}

function total(a: Float64Array): number {
  let s = 0;
  for (let g = 0; g < a.length; g++) s += a[g]!;
  return s;
}

/**
 * IPS, SNIPS, DM, DR, the logged mean reward and the effective sample size (Σw)²/Σw² (0 when every
 * weight is 0: a policy that never takes a logged action has no effective sample).
 */
export function pointEstimates(s: GroupSums): PointEstimates {
  const n = total(s.count);
  const sw = total(s.w);
  return {
    ips: total(s.wr) / n,
    snips: sw > 0 ? total(s.wr) / sw : 0,
    dm: total(s.dm) / n,
    dr: total(s.dr) / n,
    logged: total(s.r) / n,
    ess: sw > 0 ? (sw * sw) / total(s.w2) : 0,
  };
}

/** Bootstrap replicates of each estimator, resampling groups with replacement. */
export interface Replicates {
  ips: Float64Array;
  snips: Float64Array;
  dm: Float64Array;
  dr: Float64Array;
  logged: Float64Array;
}

/**
 * `resamples` percentile-bootstrap replicates over groups. The resamples depend only on the seed and
 * the number of groups, so two policies evaluated with the same seed see the same resamples.
 */
export function bootstrap(s: GroupSums, resamples: number, seed: number): Replicates {
  const rng = deriveRng(seed, STREAM_BOOTSTRAP);
  const G = s.numGroups;
  const out: Replicates = {
    ips: new Float64Array(resamples),
    snips: new Float64Array(resamples),
    dm: new Float64Array(resamples),
    dr: new Float64Array(resamples),
    logged: new Float64Array(resamples),
  };
  // per resample: the sums of count, Σwr, Σw, DM, DR and Σr over the drawn groups, in draw order
  const acc = new Float64Array(6);
  const columns = [s.count, s.wr, s.w, s.dm, s.dr, s.r] as const;
  for (let b = 0; b < resamples; b++) {
    acc.fill(0);
    for (let j = 0; j < G; j++) {
      const g = uniformIndex(rng, G);
      for (let c = 0; c < 6; c++) acc[c] = acc[c]! + columns[c]![g]!;
    }
    const [n, wr, w, dm, dr, r] = acc as unknown as [number, number, number, number, number, number];
    out.ips[b] = wr / n;
    out.snips[b] = w > 0 ? wr / w : 0;
    out.dm[b] = dm / n;
    out.dr[b] = dr / n;
    out.logged[b] = r / n;
  }
  return out;
}

/** Quantile (linear interpolation between order statistics, "type 7") of sorted values. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Percentile interval and bootstrap standard error of replicates. */
export function interval(
  replicates: Float64Array,
  confidence: number,
): { lower: number; upper: number; standardError: number } {
  const sorted = Float64Array.from(replicates).sort();
  const alpha = 1 - confidence;
  let mean = 0;
  for (let b = 0; b < replicates.length; b++) mean += replicates[b]!;
  mean /= replicates.length;
  let ss = 0;
  for (let b = 0; b < replicates.length; b++) ss += (replicates[b]! - mean) ** 2;
  return {
    lower: quantileSorted(sorted, alpha / 2),
    upper: quantileSorted(sorted, 1 - alpha / 2),
    standardError: replicates.length > 1 ? Math.sqrt(ss / (replicates.length - 1)) : 0,
  };
}
