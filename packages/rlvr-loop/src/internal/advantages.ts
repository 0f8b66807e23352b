import type { AdvantageConfig, TrainConfig } from "../config-schema.js";
import type { TrainingData } from "../training-data.js";

/** How advantages are formed; see `AdvantageConfig` for the documentation. */
export type AdvantageSettings = AdvantageConfig;

/** Loss aggregation over a minibatch. */
export type Aggregation = TrainConfig["lossAggregation"];

/** The minibatch (groups `groups[start..end)` of `data`) and how its loss is formed. */
export interface BatchInput {
  readonly data: TrainingData;
  readonly groups: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly settings: AdvantageSettings;
  readonly aggregation: Aggregation;
}

/** Per-example outputs of {@link prepareBatch} (indexed by example) and the included groups. */
export interface BatchOutput {
  readonly advantages: Float64Array;
  readonly kappa: Float64Array;
  readonly included: Int32Array;
}

/** Reward statistics of one minibatch (before any update). */
export interface BatchStats {
  /** Mean reward over the minibatch's examples. */
  reward: number;
  /** Mean over groups of the group's sample standard deviation of rewards (0 for a group of one). */
  rewardStd: number;
  /** Fraction of groups with one example or all-equal rewards. */
  fracZeroStd: number;
  /** Examples in the minibatch. */
  numExamples: number;
  /** Groups in the minibatch. */
  numGroups: number;
  /** Groups that enter the loss (all but dropped degenerate groups). */
  includedGroups: number;
}

/**
 * Fill `out.advantages[i]` and the aggregation coefficients `out.kappa[i]` (so that the minibatch loss is
 * Σ_i kappa_i ℓ_i) for the examples of groups `groups[gStart..gEnd)`. Dropped groups get kappa 0 and
 * are not written to `included`; the included groups are written to `included[0..includedGroups)`.
 */
export function prepareBatch(input: BatchInput, out: BatchOutput): BatchStats {
  const { data, groups, start: gStart, end: gEnd, settings, aggregation } = input;
  const { advantages, kappa, included } = out;
  const r = data.rewards;
  const go = data.groupOffsets;
  const w = data.weights;
  const eps = settings.epsilon;
  // batch statistics
  let n = 0;
  let sum = 0;
  for (let q = gStart; q < gEnd; q++) {
    const g = groups[q]!;
    for (let i = go[g]!; i < go[g + 1]!; i++) {
      sum += r[i]!;
      n++;
    }
  }
  const batchMean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let q = gStart; q < gEnd; q++) {
    const g = groups[q]!;
    for (let i = go[g]!; i < go[g + 1]!; i++) {
      const d = r[i]! - batchMean;
      ss += d * d;
    }
  }
  const batchStd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;

  // over the minibatch's groups: degenerate groups, Σ of the groups' std, Σ of the included weights
  const totals = { zeroStd: 0, stdSum: 0, weight: 0 };
  let inc = 0;
  let maxSize = 0;
  for (let q = gStart; q < gEnd; q++) {
    const g = groups[q]!;
    const s = go[g]!;
    const e = go[g + 1]!;
    const size = e - s;
    let gs = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = s; i < e; i++) {
      const v = r[i]!;
      gs += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = gs / size;
    let gv = 0;
    for (let i = s; i < e; i++) {
      const d = r[i]! - mean;
      gv += d * d;
    }
    const std = size > 1 ? Math.sqrt(gv / (size - 1)) : 0;
    totals.stdSum += std;
    const degenerate = size < 2 || min === max;
    if (degenerate) totals.zeroStd++;
    if (degenerate && settings.degenerateGroups === "drop") {
      for (let i = s; i < e; i++) {
        advantages[i] = 0;
        kappa[i] = 0;
      }
      continue;
    }
    included[inc++] = g;
    if (size > maxSize) maxSize = size;
    if (degenerate) {
      if (settings.degenerateGroups === "zero") {
        for (let i = s; i < e; i++) advantages[i] = 0;
      } else {
        const scale = settings.scale === "none" ? 1 : batchStd + eps;
        for (let i = s; i < e; i++) advantages[i] = (r[i]! - batchMean) / scale;
      }
    } else {
      const scale = settings.scale === "group" ? std + eps : settings.scale === "batch" ? batchStd + eps : 1;
      for (let i = s; i < e; i++) {
        const b = settings.baseline === "group" ? mean : (gs - r[i]!) / (size - 1);
        advantages[i] = (r[i]! - b) / scale;
      }
    }
    if (w !== null) for (let i = s; i < e; i++) totals.weight += w[i]!;
    else totals.weight += size;
  }
  // aggregation coefficients
  for (let q = 0; q < inc; q++) {
    const g = included[q]!;
    const s = go[g]!;
    const e = go[g + 1]!;
    let gw = 0;
    if (w !== null) for (let i = s; i < e; i++) gw += w[i]!;
    else gw = e - s;
    for (let i = s; i < e; i++) {
      const wi = w !== null ? w[i]! : 1;
      kappa[i] =
        aggregation === "grpo"
          ? wi / gw / inc
          : aggregation === "bnpo"
            ? wi / totals.weight
            : wi / (inc * maxSize);
    }
  }
  const groupsCount = gEnd - gStart;
  return {
    reward: n > 0 ? sum / n : 0,
    rewardStd: groupsCount > 0 ? totals.stdSum / groupsCount : 0,
    fracZeroStd: groupsCount > 0 ? totals.zeroStd / groupsCount : 0,
    numExamples: n,
    numGroups: groupsCount,
    includedGroups: inc,
  };
}
