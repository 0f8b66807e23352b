import { createHash } from "node:crypto";
import { DatasetError } from "./errors.js";

/** Name of a split. */
export type SplitName = "train" | "validation" | "test";

/** Options of {@link assignSplit}, {@link createSplitter} and {@link splitByGroup}. */
export interface SplitOptions {
  /** Seed of the split: a safe integer. Another seed gives another, independent split. */
  seed: number;
  /**
   * Expected share of groups in the validation split, in [0, 1].
   * @defaultValue 0.1
   */
  validation?: number;
  /**
   * Expected share of groups in the test split, in [0, 1]; `validation + test` must be at most 1.
   * @defaultValue 0.2
   */
  test?: number;
}

/** Prefix of the text hashed by {@link splitUnit}; names the split definition's version. */
export const SPLIT_PREFIX = "rlvr-split/1\n";

interface ResolvedSplit {
  seed: number;
  validation: number;
  test: number;
}

function resolve(options: SplitOptions): ResolvedSplit {
  if (typeof options !== "object" || options === null) {
    throw new DatasetError("BAD_OPTIONS", "invalid split options: the options must be an object with a seed");
  }
  const { seed, validation = 0.1, test = 0.2 } = options;
  if (!Number.isSafeInteger(seed)) {
    throw new DatasetError(
      "BAD_OPTIONS",
      `invalid split options: seed must be a safe integer (got ${String(seed)})`,
    );
  }
  for (const [name, v] of [
    ["validation", validation],
    ["test", test],
  ] as const) {
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new DatasetError(
        "BAD_OPTIONS",
        `invalid split options: ${name} must be a number in [0, 1] (got ${String(v)})`,
      );
    }
  }
  if (validation + test > 1) {
    throw new DatasetError(
      "BAD_OPTIONS",
      `invalid split options: validation + test must be at most 1 (got ${validation} + ${test} = ${validation + test})`,
    );
  }
  return { seed, validation, test };
}

/**
 * The group's position in [0, 1) for a seed: the first 53 bits of
 * SHA-256(UTF-8 of `rlvr-split/1\n` + decimal seed + `\n` + groupId), read big-endian, divided by 2⁵³.
 * It depends on nothing but the seed and the group id.
 *
 * @param groupId - the group id
 * @param seed - a safe integer
 */
export function splitUnit(groupId: string, seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new DatasetError("BAD_OPTIONS", `the split seed must be a safe integer (got ${String(seed)})`);
  }
  const h = createHash("sha256").update(`${SPLIT_PREFIX}${seed}\n${groupId}`, "utf8").digest();
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

function pick(u: number, o: ResolvedSplit): SplitName {
  if (u < o.test) return "test";
  if (u < o.test + o.validation) return "validation";
  return "train";
}

/**
 * Split of a group: `test` when {@link splitUnit} u < test, `validation` when u < test + validation,
 * else `train`. So every example of a group lands in the same split, adding examples or groups never
 * moves an existing group, raising `validation` only moves groups from train to validation, and
 * raising `test` keeps every test group in test.
 *
 * @param groupId - the group id
 * @param options - seed and fractions
 */
export function assignSplit(groupId: string, options: SplitOptions): SplitName {
  return pick(splitUnit(groupId, options.seed), resolve(options));
}

/**
 * A function from group id to split, as {@link assignSplit}, that validates the options once and
 * caches one answer per group (memory: one map entry per distinct group).
 *
 * @param options - seed and fractions
 */
export function createSplitter(options: SplitOptions): (groupId: string) => SplitName {
  const o = resolve(options);
  const cache = new Map<string, SplitName>();
  return (groupId: string) => {
    let split = cache.get(groupId);
    if (split === undefined) {
      split = pick(splitUnit(groupId, o.seed), o);
      cache.set(groupId, split);
    }
    return split;
  };
}

/** Result of {@link splitByGroup}: the examples of each split, in their original order. */
export interface GroupSplit<T> {
  /** Training examples. */
  train: T[];
  /** Validation examples. */
  validation: T[];
  /** Test examples. */
  test: T[];
}

/**
 * Split examples into train / validation / test by group, with {@link assignSplit}. No group straddles
 * two splits. The shares are expected values: with few groups the actual shares vary.
 *
 * @param examples - examples with a `groupId`
 * @param options - seed and fractions
 */
export function splitByGroup<T extends { readonly groupId: string }>(
  examples: Iterable<T>,
  options: SplitOptions,
): GroupSplit<T> {
  resolve(options);
  const splitter = createSplitter(options);
  const out: GroupSplit<T> = { train: [], validation: [], test: [] };
  for (const example of examples) out[splitter(example.groupId)].push(example);
  return out;
}
