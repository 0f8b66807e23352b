// The growable columnar builder behind `buildTrainingData`, the online trainer and the exact
// evaluator, and the same-context test that lets the trainer reuse a forward pass.
import type { RlvrContext } from "@rlvr/dataset";
import { FeatureAccumulator, type Featurizer } from "../featurizer.js";
import type { TrainingData } from "../training-data.js";

/** One example's columns, appended by {@link ColumnarBuilder.addExample}. */
export interface ExampleColumns {
  /** Index of the action taken. */
  readonly action: number;
  readonly reward: number;
  /** Behavior probability, NaN when unknown. */
  readonly behaviorProb: number;
  readonly weight: number;
  /** Mask over the actions (1 = allowed); null: all allowed. */
  readonly allowed: Uint8Array | null;
}

/** The columns of {@link TrainingData} that have no default; {@link columnarData} fills the others. */
export type TrainingDataColumns = Pick<
  TrainingData,
  "actions" | "rows" | "offsets" | "indices" | "values" | "actionIndex" | "rewards" | "groupOffsets"
> &
  Partial<
    Pick<
      TrainingData,
      "behaviorProbs" | "weights" | "allowedMask" | "sameContext" | "sourceIndex" | "groupIds"
    >
  >;

/**
 * {@link TrainingData} from its columns: the counts from the arrays' lengths (n = actionIndex.length,
 * groups = groupOffsets.length − 1), the optional columns null unless given. Checks nothing.
 */
export function columnarData(c: TrainingDataColumns): TrainingData {
  return {
    actions: c.actions,
    rows: c.rows,
    numExamples: c.actionIndex.length,
    numGroups: c.groupOffsets.length - 1,
    offsets: c.offsets,
    indices: c.indices,
    values: c.values,
    actionIndex: c.actionIndex,
    rewards: c.rewards,
    behaviorProbs: c.behaviorProbs ?? null,
    weights: c.weights ?? null,
    allowedMask: c.allowedMask ?? null,
    groupOffsets: c.groupOffsets,
    sameContext: c.sameContext ?? null,
    sourceIndex: c.sourceIndex ?? null,
    groupIds: c.groupIds ?? null,
  };
}

/** The CSR features and masks {@link sameRow} compares. */
export type RowColumns = Pick<TrainingData, "offsets" | "indices" | "values" | "allowedMask">;

/**
 * Growable columnar builder shared by `buildTrainingData`, the online trainer and the exact
 * evaluator: groups are begun, a context is featurized once, then its examples are appended.
 */
export class ColumnarBuilder {
  readonly actions: readonly string[];
  readonly actionIndexOf: ReadonlyMap<string, number>;
  readonly rows: number;
  private readonly acc: FeatureAccumulator;
  n = 0;
  nnz = 0;
  groups = 0;
  offsets: Int32Array = new Int32Array(1025);
  indices: Int32Array = new Int32Array(8192);
  values: Float64Array = new Float64Array(8192);
  actionIndex: Int32Array = new Int32Array(1024);
  rewards: Float64Array = new Float64Array(1024);
  behaviorProbs: Float64Array = new Float64Array(1024);
  weights: Float64Array = new Float64Array(1024);
  mask: Uint8Array;
  sameContext: Uint8Array = new Uint8Array(1024);
  groupOffsets: Int32Array = new Int32Array(257);
  anyBehavior = false;
  anyWeight = false;
  anyMask = false;

  constructor(actions: readonly string[], featurizer: Featurizer) {
    this.actions = actions;
    this.actionIndexOf = new Map(actions.map((a, i) => [a, i]));
    this.rows = featurizer.rows;
    this.acc = new FeatureAccumulator(featurizer.spec);
    this.mask = new Uint8Array(1024 * actions.length);
  }

  reset(): void {
    this.n = 0;
    this.nnz = 0;
    this.groups = 0;
    this.anyBehavior = false;
    this.anyWeight = false;
    this.anyMask = false;
  }

  /** Start a new group (call before adding its examples). */
  beginGroup(): void {
    if (this.groups + 2 > this.groupOffsets.length)
      this.groupOffsets = grow(this.groupOffsets, this.groups + 2);
    this.groupOffsets[this.groups] = this.n;
    this.groups++;
    this.groupOffsets[this.groups] = this.n;
  }

  /** Featurize a context; the following `addExample` calls use its features. */
  setContext(context: RlvrContext): void {
    this.acc.collect(context);
  }

  /** Features of the last `setContext` (views valid until the next call). */
  currentFeatures(): { indices: Int32Array; values: Float64Array; length: number } {
    return { indices: this.acc.indices, values: this.acc.values, length: this.acc.length };
  }

  /** Append one example with the features of the last `setContext`. */
  addExample(example: ExampleColumns): void {
    const { action, reward, behaviorProb, weight, allowed } = example;
    const A = this.actions.length;
    const i = this.n;
    if (i + 1 >= this.actionIndex.length) this.growExamples(i + 2);
    const len = this.acc.length;
    if (this.nnz + len > this.indices.length) {
      this.indices = grow(this.indices, this.nnz + len);
      this.values = growF(this.values, this.nnz + len);
    }
    const start = this.nnz;
    const srcI = this.acc.indices;
    const srcV = this.acc.values;
    const dstI = this.indices;
    const dstV = this.values;
    for (let k = 0; k < len; k++) {
      dstI[start + k] = srcI[k]!;
      dstV[start + k] = srcV[k]!;
    }
    this.nnz += len;
    this.offsets[i] = start;
    this.offsets[i + 1] = this.nnz;
    this.actionIndex[i] = action;
    this.rewards[i] = reward;
    this.behaviorProbs[i] = behaviorProb;
    if (!Number.isNaN(behaviorProb)) this.anyBehavior = true;
    this.weights[i] = weight;
    if (weight !== 1) this.anyWeight = true;
    const base = i * A;
    if (allowed === null) this.mask.fill(1, base, base + A);
    else {
      this.mask.set(allowed.subarray(0, A), base);
      this.anyMask = true;
    }
    // same context as the previous example of this group?
    const same = i > this.groupOffsets[this.groups - 1]! && sameRow(this.columns(), A, i) ? 1 : 0;
    this.sameContext[i] = same;
    this.n++;
    this.groupOffsets[this.groups] = this.n;
  }

  private columns(): RowColumns {
    return { offsets: this.offsets, indices: this.indices, values: this.values, allowedMask: this.mask };
  }

  private growExamples(min: number): void {
    const A = this.actions.length;
    this.offsets = grow(this.offsets, min + 1);
    this.actionIndex = grow(this.actionIndex, min);
    this.rewards = growF(this.rewards, min);
    this.behaviorProbs = growF(this.behaviorProbs, min);
    this.weights = growF(this.weights, min);
    this.sameContext = growU8(this.sameContext, min);
    this.mask = growU8(this.mask, min * A);
  }

  /**
   * The data built so far. With `copy`, trimmed copies (the builder can be reused); without, views
   * into the builder's buffers (valid until the next `reset`/append).
   */
  finish(
    copy: boolean,
    extra: { sourceIndex?: Int32Array | null; groupIds?: readonly string[] | null } = {},
  ): TrainingData {
    const n = this.n;
    const A = this.actions.length;
    const take = <T extends Int32Array | Float64Array | Uint8Array>(a: T, len: number): T =>
      (copy ? a.slice(0, len) : a.subarray(0, len)) as T;
    return columnarData({
      actions: this.actions,
      rows: this.rows,
      offsets: take(this.offsets, n + 1),
      indices: take(this.indices, this.nnz),
      values: take(this.values, this.nnz),
      actionIndex: take(this.actionIndex, n),
      rewards: take(this.rewards, n),
      behaviorProbs: this.anyBehavior ? take(this.behaviorProbs, n) : null,
      weights: this.anyWeight ? take(this.weights, n) : null,
      allowedMask: this.anyMask ? take(this.mask, n * A) : null,
      groupOffsets: take(this.groupOffsets, this.groups + 1),
      sameContext: take(this.sameContext, n),
      sourceIndex: extra.sourceIndex ?? null,
      groupIds: extra.groupIds ?? null,
    });
  }
}

function grow(a: Int32Array, min: number): Int32Array {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
function growF(a: Float64Array, min: number): Float64Array {
  const b = new Float64Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, min: number): Uint8Array {
  const b = new Uint8Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Whether example `i` has the same features (indices and values) and allowed actions as example
 * `i − 1` (`A` actions per mask row): the trainer then reuses the forward pass.
 */
export function sameRow(columns: RowColumns, A: number, i: number): boolean {
  const { offsets, indices, values, allowedMask: mask } = columns;
  const p0 = offsets[i - 1]!;
  const p1 = offsets[i]!;
  const q1 = offsets[i + 1]!;
  if (p1 - p0 !== q1 - p1) return false;
  for (let k = 0; k < p1 - p0; k++) {
    if (indices[p0 + k] !== indices[p1 + k] || values[p0 + k] !== values[p1 + k]) return false;
  }
  if (mask) for (let a = 0; a < A; a++) if (mask[(i - 1) * A + a] !== mask[i * A + a]) return false;
  return true;
}
