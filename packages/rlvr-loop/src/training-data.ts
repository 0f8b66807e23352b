import type { RlvrDataset, RlvrExample } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { compareCodeUnits, createFeaturizer, type Featurizer } from "./featurizer.js";
import type { FeaturizerSpec } from "./featurizer-spec.js";
import { preview } from "./internal/ajv.js";
import { ColumnarBuilder, columnarData, type ExampleColumns, sameRow } from "./internal/columnar.js";

/**
 * Logged decisions in columnar form: what the trainer, the model fitters and the estimators loop
 * over. Features are a CSR sparse matrix (`offsets`, `indices`, `values`); everything else is one
 * typed-array entry per example. Examples are stored group by group: group `g` is rows
 * `groupOffsets[g] .. groupOffsets[g + 1] - 1`. Build it with {@link buildTrainingData} (from
 * {@link RlvrExample}s) or {@link trainingDataFromArrays} (from arrays you already have).
 */
export interface TrainingData {
  /** Sorted action list; `actionIndex` values index into it. */
  readonly actions: readonly string[];
  /** Number of feature rows (hash buckets + 1 for the bias). */
  readonly rows: number;
  /** Number of examples n. */
  readonly numExamples: number;
  /** Number of groups. */
  readonly numGroups: number;
  /** CSR row pointers, length n + 1. */
  readonly offsets: Int32Array;
  /** CSR feature-row indices (strictly increasing within an example), length nnz. */
  readonly indices: Int32Array;
  /** CSR values, length nnz. */
  readonly values: Float64Array;
  /** Index of the action taken, per example. */
  readonly actionIndex: Int32Array;
  /** Scalar reward r_i per example (after `rewardWeights`). */
  readonly rewards: Float64Array;
  /** Logged behavior probability per example (NaN where unknown), or null when none is known. */
  readonly behaviorProbs: Float64Array | null;
  /** Sample weight per example, or null when every weight is 1. */
  readonly weights: Float64Array | null;
  /** Allowed-action mask, n × |actions| bytes (1 = allowed), or null when every action is always allowed. */
  readonly allowedMask: Uint8Array | null;
  /** Group boundaries, length numGroups + 1. */
  readonly groupOffsets: Int32Array;
  /**
   * 1 where an example has the same features and allowed actions as the previous example of its group
   * (the trainer then reuses the forward pass), or null when not computed.
   */
  readonly sameContext: Uint8Array | null;
  /** Original position (in the input) of each stored example, or null when the order is unchanged. */
  readonly sourceIndex: Int32Array | null;
  /** Group id of each group, when known. */
  readonly groupIds: readonly string[] | null;
}

/** Options of {@link buildTrainingData}. */
export interface BuildTrainingDataOptions {
  /**
   * The featurizer, or a (partial) spec for one.
   * @defaultValue the default featurizer, {@link defaultFeaturizerSpec}
   */
  featurizer?: Featurizer | Partial<FeaturizerSpec>;
  /**
   * The action list. Unsorted lists are sorted. An example whose action is not in it is an error;
   * allowed actions outside it are ignored.
   * @defaultValue the sorted union of the examples' actions and allowed actions
   */
  actions?: readonly string[];
  /**
   * Combine reward components: r_i = Σ_k c_k · rewards[k]. Every example must carry every named component.
   * @defaultValue undefined: use `reward`
   */
  rewardWeights?: Readonly<Record<string, number>>;
}

/** The examples of a dataset or of an array. */
export function examplesOf(data: RlvrDataset | readonly RlvrExample[]): readonly RlvrExample[] {
  if (Array.isArray(data)) return data as readonly RlvrExample[];
  if (typeof data === "object" && data !== null && Array.isArray((data as RlvrDataset).examples)) {
    return (data as RlvrDataset).examples;
  }
  throw new RlvrLoopError("INVALID_ARGUMENT", "expected an RlvrDataset or an array of RlvrExample");
}

/** The sorted, de-duplicated action list of a set of examples (actions taken and allowed). */
export function collectActions(examples: readonly RlvrExample[]): string[] {
  const set = new Set<string>();
  for (const e of examples) {
    set.add(e.action);
    if (e.allowedActions) for (const a of e.allowedActions) set.add(a);
  }
  return [...set].sort(compareCodeUnits);
}

/**
 * Validate and sort an action list (unique non-empty strings, sorted by UTF-16 code units); `where`
 * names the list in messages (e.g. `policy.actions`).
 */
export function normalizeActions(actions: readonly string[], where: string): string[] {
  if (!Array.isArray(actions) || actions.length === 0) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `${where}: expected a non-empty array of action names, got ${preview(actions)}`,
    );
  }
  const sorted = [...actions].sort(compareCodeUnits);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    if (typeof a !== "string" || a.length === 0) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `${where}: every action must be a non-empty string, got ${JSON.stringify(a)}`,
      );
    }
    if (i > 0 && sorted[i - 1] === a) {
      throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: action ${JSON.stringify(a)} is listed twice`);
    }
  }
  return sorted;
}

function invalid(i: number, e: RlvrExample | undefined, message: string): never {
  const id = e && typeof e === "object" && typeof e.id === "string" ? ` (id ${JSON.stringify(e.id)})` : "";
  throw new RlvrLoopError("INVALID_DATA", `example ${i}${id}: ${message}`);
}

/** The scalar reward of an example under `rewardWeights` (validated). */
export function exampleReward(
  e: RlvrExample,
  i: number,
  rewardWeights: Readonly<Record<string, number>> | undefined,
): number {
  if (rewardWeights === undefined) {
    if (typeof e.reward !== "number" || !Number.isFinite(e.reward))
      invalid(i, e, `reward must be a finite number, got ${String(e.reward)}`);
    return e.reward;
  }
  let r = 0;
  for (const name of Object.keys(rewardWeights).sort(compareCodeUnits)) {
    const c = rewardWeights[name]!;
    const v = e.rewards?.[name];
    if (typeof v !== "number" || !Number.isFinite(v))
      invalid(i, e, `rewards.${name} is required by rewardWeights and must be a finite number`);
    r += c * v;
  }
  return r;
}

/**
 * Turn examples into columnar {@link TrainingData}: featurize every context once, map actions to
 * indices, gather rewards, behavior probabilities, weights and allowed actions, and store the examples
 * group by group (groups in order of first appearance, examples in input order within a group).
 * Throws `INVALID_DATA` naming the example for an unknown action, a non-finite reward, a behavior
 * probability outside (0, 1], a non-positive weight, or an `allowedActions` list without the action.
 * @param data - the examples, or a dataset
 * @param options - featurizer, action list, reward weights
 */
export function buildTrainingData(
  data: RlvrDataset | readonly RlvrExample[],
  options: BuildTrainingDataOptions = {},
): TrainingData {
  const examples = examplesOf(data);
  if (examples.length === 0)
    throw new RlvrLoopError("INVALID_DATA", "the data have no examples; expected at least one");
  const featurizer = isFeaturizer(options.featurizer)
    ? options.featurizer
    : createFeaturizer(options.featurizer ?? {});
  const actions = options.actions
    ? normalizeActions(options.actions, "the action list")
    : collectActions(examples);
  const A = actions.length;
  const builder = new ColumnarBuilder(actions, featurizer);

  // group order: first appearance
  const groupOf = new Map<string, number>();
  const groupIds: string[] = [];
  const groupOfExample = new Int32Array(examples.length);
  for (let i = 0; i < examples.length; i++) {
    const e = examples[i];
    if (typeof e !== "object" || e === null) invalid(i, undefined, "not an object");
    if (typeof e.groupId !== "string") invalid(i, e, "groupId must be a string");
    let g = groupOf.get(e.groupId);
    if (g === undefined) {
      g = groupIds.length;
      groupOf.set(e.groupId, g);
      groupIds.push(e.groupId);
    }
    groupOfExample[i] = g;
  }
  // counting sort of examples by group, stable
  const counts = new Int32Array(groupIds.length + 1);
  for (let i = 0; i < examples.length; i++) counts[groupOfExample[i]! + 1]!++;
  for (let g = 0; g < groupIds.length; g++) counts[g + 1] = counts[g + 1]! + counts[g]!;
  const order = new Int32Array(examples.length);
  const cursor = counts.slice(0, groupIds.length);
  for (let i = 0; i < examples.length; i++) {
    const g = groupOfExample[i]!;
    order[cursor[g]!] = i;
    cursor[g] = cursor[g]! + 1;
  }

  const allowed = new Uint8Array(A);
  const entry: { -readonly [K in keyof ExampleColumns]: ExampleColumns[K] } = {
    action: 0,
    reward: 0,
    behaviorProb: Number.NaN,
    weight: 1,
    allowed: null,
  };
  let lastContext: unknown;
  let currentGroup = -1;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const e = examples[i]!;
    const g = groupOfExample[i]!;
    if (g !== currentGroup) {
      builder.beginGroup();
      currentGroup = g;
    }
    const a = builder.actionIndexOf.get(e.action);
    if (a === undefined) invalid(i, e, `action ${JSON.stringify(e.action)} is not in the action list`);
    const r = exampleReward(e, i, options.rewardWeights);
    let p = Number.NaN;
    if (e.behaviorProb !== undefined) {
      if (typeof e.behaviorProb !== "number" || !(e.behaviorProb > 0 && e.behaviorProb <= 1)) {
        invalid(i, e, `behaviorProb must be in (0, 1], got ${String(e.behaviorProb)}`);
      }
      p = e.behaviorProb;
    }
    let w = 1;
    if (e.weight !== undefined) {
      if (typeof e.weight !== "number" || !(e.weight > 0) || !Number.isFinite(e.weight)) {
        invalid(i, e, `weight must be a positive finite number, got ${String(e.weight)}`);
      }
      w = e.weight;
    }
    let mask: Uint8Array | null = null;
    if (e.allowedActions !== undefined) {
      if (!Array.isArray(e.allowedActions)) invalid(i, e, "allowedActions must be an array");
      allowed.fill(0);
      for (const name of e.allowedActions) {
        const j = builder.actionIndexOf.get(name);
        if (j !== undefined) allowed[j] = 1;
      }
      if (allowed[a] !== 1)
        invalid(i, e, `allowedActions does not contain the action ${JSON.stringify(e.action)}`);
      mask = allowed;
    }
    if (e.context !== lastContext) {
      try {
        builder.setContext(e.context);
      } catch (err) {
        if (RlvrLoopError.is(err)) invalid(i, e, err.message);
        throw err;
      }
      lastContext = e.context;
    }
    entry.action = a;
    entry.reward = r;
    entry.behaviorProb = p;
    entry.weight = w;
    entry.allowed = mask;
    builder.addExample(entry);
  }
  let identity = true;
  for (let k = 0; k < order.length; k++) {
    if (order[k] !== k) {
      identity = false;
      break;
    }
  }
  return builder.finish(true, { sourceIndex: identity ? null : order, groupIds });
}

function isFeaturizer(value: unknown): value is Featurizer {
  return typeof value === "object" && value !== null && typeof (value as Featurizer).featurize === "function";
}

/** Arrays accepted by {@link trainingDataFromArrays}; optional members default as in {@link TrainingData}. */
export interface TrainingDataArrays {
  /** Sorted, unique action names. */
  actions: readonly string[];
  /** Number of feature rows (hash buckets + 1); every index must be below it. */
  rows: number;
  /** CSR row pointers (n + 1, non-decreasing, starting at 0). */
  offsets: Int32Array;
  /** CSR indices (strictly increasing within each example). */
  indices: Int32Array;
  /** CSR values (finite). */
  values: Float64Array;
  /** Action taken per example. */
  actionIndex: Int32Array;
  /** Reward per example (finite). */
  rewards: Float64Array;
  /** Group boundaries (numGroups + 1, strictly increasing, from 0 to n). */
  groupOffsets: Int32Array;
  /** Behavior probability per example, in (0, 1] or NaN. @defaultValue null */
  behaviorProbs?: Float64Array | null;
  /** Positive weight per example. @defaultValue null (all 1) */
  weights?: Float64Array | null;
  /** n × |actions| allowed mask. @defaultValue null (all allowed) */
  allowedMask?: Uint8Array | null;
  /** Group ids. @defaultValue null */
  groupIds?: readonly string[] | null;
}

/**
 * Wrap arrays you already hold as {@link TrainingData}, after checking every invariant (lengths,
 * ranges, sortedness, finiteness). The arrays are used as they are, not copied. `sameContext` is
 * computed (one pass over the features).
 * @param arrays - the columns
 */
export function trainingDataFromArrays(arrays: TrainingDataArrays): TrainingData {
  const bad = (message: string): never => {
    throw new RlvrLoopError("INVALID_DATA", `columnar training data: ${message}`);
  };
  const actions = normalizeActions(arrays.actions, "columnar training data: actions");
  if (actions.some((a, i) => a !== arrays.actions[i])) bad("actions must be sorted by UTF-16 code units");
  const A = actions.length;
  const { offsets, indices, values, actionIndex, rewards, groupOffsets, rows } = arrays;
  if (!Number.isInteger(rows) || rows < 1) bad(`rows must be a positive integer, got ${rows}`);
  const n = actionIndex.length;
  if (n === 0) bad("no examples");
  if (offsets.length !== n + 1 || offsets[0] !== 0) bad("offsets must have n + 1 entries starting at 0");
  if (rewards.length !== n) bad("rewards must have one entry per example");
  if (offsets[n] !== indices.length || indices.length !== values.length)
    bad("indices/values length must equal offsets[n]");
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    if (e < s) bad(`offsets decrease at example ${i}`);
    let prev = -1;
    for (let k = s; k < e; k++) {
      const f = indices[k]!;
      if (f <= prev || f >= rows) bad(`example ${i}: indices must be strictly increasing and below rows`);
      if (!Number.isFinite(values[k]!)) bad(`example ${i}: non-finite feature value`);
      prev = f;
    }
    const a = actionIndex[i]!;
    if (!(a >= 0 && a < A)) bad(`example ${i}: action index ${a} out of range`);
    if (!Number.isFinite(rewards[i]!)) bad(`example ${i}: non-finite reward`);
  }
  const G = groupOffsets.length - 1;
  if (G < 1 || groupOffsets[0] !== 0 || groupOffsets[G] !== n) bad("groupOffsets must run from 0 to n");
  for (let g = 0; g < G; g++) if (groupOffsets[g + 1]! <= groupOffsets[g]!) bad(`group ${g} is empty`);
  const behaviorProbs = arrays.behaviorProbs ?? null;
  if (behaviorProbs) {
    if (behaviorProbs.length !== n) bad("behaviorProbs must have one entry per example");
    for (let i = 0; i < n; i++) {
      const p = behaviorProbs[i]!;
      if (!Number.isNaN(p) && !(p > 0 && p <= 1))
        bad(`example ${i}: behavior probability ${p} not in (0, 1]`);
    }
  }
  const weights = arrays.weights ?? null;
  if (weights) {
    if (weights.length !== n) bad("weights must have one entry per example");
    for (let i = 0; i < n; i++)
      if (!(weights[i]! > 0 && Number.isFinite(weights[i]!))) bad(`example ${i}: weight must be positive`);
  }
  const allowedMask = arrays.allowedMask ?? null;
  if (allowedMask) {
    if (allowedMask.length !== n * A) bad("allowedMask must have n × |actions| entries");
    for (let i = 0; i < n; i++)
      if (allowedMask[i * A + actionIndex[i]!] !== 1) bad(`example ${i}: action not allowed`);
  }
  const sameContext = new Uint8Array(n);
  const columns = { offsets, indices, values, allowedMask };
  for (let g = 0; g < G; g++) {
    for (let i = groupOffsets[g]! + 1; i < groupOffsets[g + 1]!; i++) {
      sameContext[i] = sameRow(columns, A, i) ? 1 : 0;
    }
  }
  const groupIds = arrays.groupIds ?? null;
  return columnarData({
    ...columns,
    actions,
    rows,
    actionIndex,
    rewards,
    behaviorProbs,
    weights,
    groupOffsets,
    sameContext,
    groupIds,
  });
}
