import { GroupTable } from "./internal/_hash-table.js";
import { hash64 } from "./internal/_hash64.js";
import type { RlvrExample } from "./schema.js";

/**
 * Summary statistics of a set of examples. Every number is finite (0 for an empty set), so that the
 * statistics can enter canonical JSON and fingerprints.
 */
export interface DatasetStats {
  /** Number of examples. */
  examples: number;
  /** Number of distinct `groupId`s. */
  groups: number;
  /** Group size → number of groups of that size, keys in ascending size. */
  groupSizeHistogram: Record<string, number>;
  /**
   * Action → number of examples that took it, keys inserted in UTF-16 code-unit order (JavaScript
   * still lists array-index-like keys such as `"7"` first when enumerating).
   */
  actions: Record<string, number>;
  /** Mean reward over examples (unweighted). */
  rewardMean: number;
  /** Population standard deviation of the reward over examples (unweighted). */
  rewardStd: number;
  /** Smallest reward. */
  rewardMin: number;
  /** Largest reward. */
  rewardMax: number;
  /**
   * Share of all groups that have at least two examples whose rewards are all equal: such groups carry
   * no GRPO signal (`frac_reward_zero_std`). Groups of size 1 are counted in {@link singletonGroups}.
   */
  fracZeroStdGroups: number;
  /** Number of groups with exactly one example (no group signal either). */
  singletonGroups: number;
  /** Share of all groups that have exactly one example. */
  fracSingletonGroups: number;
  /** Share of examples that carry a logged `behaviorProb`. */
  fracWithBehaviorProb: number;
  /** Share of examples with `verified: true`. */
  verifiedFraction: number;
}

/** Streaming statistics over examples, from {@link createStatsAccumulator}. */
export interface StatsAccumulator {
  /** Add one example. */
  add(example: RlvrExample): void;
  /** Examples added so far. */
  readonly count: number;
  /** Statistics of the examples added so far (the accumulator can keep going). */
  result(): DatasetStats;
}

/**
 * Create a streaming statistics accumulator. Memory: a typed-array hash table of about 21–42 bytes
 * per distinct group (64-bit hash of the group id, size, first reward, all-equal flag) plus one map
 * entry per distinct action; no per-example storage. Two distinct group ids whose 64-bit hashes
 * coincide would be counted as one group (probability about g²/2⁶⁵ for g groups).
 */
export function createStatsAccumulator(): StatsAccumulator {
  const groups = new GroupTable();
  const actions = new Map<string, number>();
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let withProb = 0;
  let verified = 0;
  return {
    add(example: RlvrExample): void {
      const r = example.reward;
      n++;
      const delta = r - mean;
      mean += delta / n;
      m2 += delta * (r - mean);
      if (r < min) min = r;
      if (r > max) max = r;
      if (example.behaviorProb !== undefined) withProb++;
      if (example.verified === true) verified++;
      actions.set(example.action, (actions.get(example.action) ?? 0) + 1);
      hash64(example.groupId);
      groups.addCurrent(r);
    },
    get count() {
      return n;
    },
    result(): DatasetStats {
      const sizes = new Map<number, number>();
      let zeroStd = 0;
      let singletons = 0;
      groups.forEach((size, allEqual) => {
        sizes.set(size, (sizes.get(size) ?? 0) + 1);
        if (size === 1) singletons++;
        else if (allEqual) zeroStd++;
      });
      const groupSizeHistogram: Record<string, number> = {};
      for (const size of [...sizes.keys()].sort((a, b) => a - b)) groupSizeHistogram[size] = sizes.get(size)!;
      const actionCounts: Record<string, number> = {};
      for (const action of [...actions.keys()].sort()) {
        // defineProperty: an action named "__proto__" must become a member, not a prototype.
        Object.defineProperty(actionCounts, action, {
          value: actions.get(action)!,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const g = groups.size;
      return {
        examples: n,
        groups: g,
        groupSizeHistogram,
        actions: actionCounts,
        rewardMean: n > 0 ? mean : 0,
        rewardStd: n > 0 ? Math.sqrt(Math.max(0, m2 / n)) : 0,
        rewardMin: n > 0 ? min : 0,
        rewardMax: n > 0 ? max : 0,
        fracZeroStdGroups: g > 0 ? zeroStd / g : 0,
        singletonGroups: singletons,
        fracSingletonGroups: g > 0 ? singletons / g : 0,
        fracWithBehaviorProb: n > 0 ? withProb / n : 0,
        verifiedFraction: n > 0 ? verified / n : 0,
      };
    },
  };
}

/**
 * Statistics of examples; see {@link DatasetStats}.
 *
 * @param examples - the examples
 */
export function computeStats(examples: Iterable<RlvrExample>): DatasetStats {
  const acc = createStatsAccumulator();
  for (const example of examples) acc.add(example);
  return acc.result();
}
