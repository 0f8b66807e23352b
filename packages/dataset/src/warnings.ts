import type { DatasetStats } from "./stats.js";

/**
 * Machine-readable codes of {@link DatasetWarning}. Stable across versions; new codes may be added.
 * The first group is about reading a file, the second ({@link datasetWarnings}) about what the data can
 * teach.
 */
export const WarningCode = {
  /** Blank lines of a JSONL file were skipped. */
  BLANK_LINES: "BLANK_LINES",
  /** The file name says JSON lines but the content is one document, or the other way round. */
  LAYOUT_MISMATCH: "LAYOUT_MISMATCH",
  /** The content looks like another format than the one requested with the `format` option. */
  FORMAT_MISMATCH: "FORMAT_MISMATCH",
  /** No line of the file start parses as JSON, so the format could not be detected; read as `jsonl`. */
  FORMAT_GUESSED: "FORMAT_GUESSED",
  /** Examples labelled `rewardHackingSignal: "suspected"` were kept (policy `keep`). */
  SUSPECTED_KEPT: "SUSPECTED_KEPT",
  /** Examples were excluded on purpose (a reward-hacking label); counted in `excluded`. */
  EXAMPLES_EXCLUDED: "EXAMPLES_EXCLUDED",
  /** Every reward is the same number: no learnable signal. */
  NO_REWARD_VARIANCE: "NO_REWARD_VARIANCE",
  /** Every example took the same action: there is nothing to choose between. */
  SINGLE_ACTION: "SINGLE_ACTION",
  /** Every group holds one example and no example carries `behaviorProb`. */
  SINGLETON_GROUPS: "SINGLETON_GROUPS",
  /** More than {@link MANY_ACTIONS} distinct actions. */
  MANY_ACTIONS: "MANY_ACTIONS",
} as const;

/** One of the {@link WarningCode} values. */
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

/**
 * Something worth knowing that does not make the data invalid: a machine-readable `code` and a
 * sentence with the numbers (`every one of the 1200 rewards is 1`).
 */
export interface DatasetWarning {
  /** Machine-readable reason, one of {@link WarningCode}. */
  code: WarningCode;
  /** What was seen and what it means, in a sentence without the file. */
  message: string;
  /** The file concerned; absent for a warning about the whole dataset of several files. */
  file?: string;
}

/** Above this many distinct actions, {@link datasetWarnings} warns (`MANY_ACTIONS`). */
export const MANY_ACTIONS = 10_000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Warnings about what a dataset can teach, from its statistics alone (pure; the same stats give the
 * same warnings in the same order). Nothing for an empty dataset. In order:
 * - `NO_REWARD_VARIANCE` when `rewardMin === rewardMax` over two or more examples: every advantage is
 *   zero, training cannot prefer any action;
 * - `SINGLE_ACTION` when exactly one action occurs over two or more examples: a policy over one action
 *   has nothing to choose (list the other actions in `allowedActions` or log them being tried);
 * - `SINGLETON_GROUPS` when there are two or more groups, every group holds one example and no example
 *   carries `behaviorProb`: GRPO has no within-group contrast (it falls back to the batch-mean
 *   baseline, see `advantage.degenerateGroups`) and nothing corrects for how the logged actions were
 *   chosen;
 * - `MANY_ACTIONS` above {@link MANY_ACTIONS} distinct actions.
 *
 * @param stats - statistics of the examples (from `computeStats`, or a report's `stats`)
 * @returns the warnings, without `file`
 */
export function datasetWarnings(stats: DatasetStats): DatasetWarning[] {
  const out: DatasetWarning[] = [];
  const n = stats.examples;
  if (n === 0) return out;
  if (n > 1 && stats.rewardMin === stats.rewardMax) {
    out.push({
      code: WarningCode.NO_REWARD_VARIANCE,
      message: `every one of the ${n} rewards is ${stats.rewardMin}: no learnable signal (every advantage is zero)`,
    });
  }
  const actions = Object.keys(stats.actions);
  if (n > 1 && actions.length === 1) {
    out.push({
      code: WarningCode.SINGLE_ACTION,
      message: `every one of the ${n} examples took the action ${JSON.stringify(actions[0])}: a policy over one action has nothing to choose`,
    });
  }
  if (stats.groups > 1 && stats.singletonGroups === stats.groups && stats.fracWithBehaviorProb === 0) {
    out.push({
      code: WarningCode.SINGLETON_GROUPS,
      message: `every one of the ${stats.groups} groups holds a single example and no example carries behaviorProb: no within-group contrast (advantages fall back to the batch-mean baseline) and nothing corrects for how the logged actions were chosen`,
    });
  }
  if (actions.length > MANY_ACTIONS) {
    out.push({
      code: WarningCode.MANY_ACTIONS,
      message: `${plural(actions.length, "distinct action")}: a one-step policy over so many actions is unlikely to learn`,
    });
  }
  return out;
}
