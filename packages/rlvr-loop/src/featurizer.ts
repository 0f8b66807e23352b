import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { type FeaturizerSpec, type NumericTransform, resolveFeaturizerSpec } from "./featurizer-spec.js";
import { _murmur3TaggedInt32, _Utf8Buffer } from "./internal/hash.js";
import { _WordScanner } from "./internal/words.js";

/**
 * A sparse feature vector: strictly increasing `indices` (the bias, index `dimension`, last) and their
 * values. The arrays of {@link Featurizer.featurize} may be views into a buffer shared with other
 * vectors (as Node's small Buffers are): go through `byteOffset` and `byteLength` when using `.buffer`.
 */
export interface SparseFeatures {
  /** Strictly increasing feature-row indices in [0, dimension]. */
  readonly indices: Int32Array;
  /** Value of each index (same length as `indices`). */
  readonly values: Float64Array;
}

/** A featurizer: maps a decision context to a {@link SparseFeatures} vector. Create it with {@link createFeaturizer}. */
export interface Featurizer {
  /** The complete specification (defaults filled in). */
  readonly spec: FeaturizerSpec;
  /** Number of feature rows of a policy using this featurizer: `dimension + 1`. */
  readonly rows: number;
  /** Index of the bias feature: `dimension`. */
  readonly biasIndex: number;
  /** The sparse feature vector of `context`. Throws `INVALID_DATA` for a non-finite or non-scalar feature. */
  featurize(context: RlvrContext): SparseFeatures;
  /** The feature keys of `context` before hashing, with their values (for inspection and debugging). */
  keys(context: RlvrContext): { key: string; value: number }[];
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Words of a prompt as the featurizer sees them. */
export function tokenize(prompt: string, lowercase: boolean): string[] {
  const text = lowercase ? prompt.normalize("NFC").toLowerCase() : prompt.normalize("NFC");
  return text.match(WORD) ?? [];
}

type Scalar = string | number | boolean;

function checkFeature(name: string, value: unknown, transform: NumericTransform): Scalar {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RlvrLoopError(
        "INVALID_DATA",
        `context feature ${JSON.stringify(name)} is ${value}; expected a finite number, a string or a boolean`,
      );
    }
    return transform === "identity" ? value : Math.sign(value) * Math.log1p(Math.abs(value));
  }
  throw new RlvrLoopError(
    "INVALID_DATA",
    `context feature ${JSON.stringify(name)} is ${value === null ? "null" : `a ${typeof value}`}; expected a string, a finite number or a boolean`,
  );
}

/** Two-character key tags as two bytes, first | (second << 8). */
const TAG = {
  numeric: tag("n:"),
  string: tag("s:"),
  boolean: tag("b:"),
  cross: tag("x:"),
  unigram: tag("u:"),
  bigram: tag("g:"),
} as const;

function tag(text: string): number {
  return text.charCodeAt(0) | (text.charCodeAt(1) << 8);
}

/**
 * Where {@link emitKeys} sends the keys of a context: each key is a two-character tag, then pieces
 * of text, then its value; the words of the prompt go to {@link KeySink.prompt} whole.
 */
interface KeySink {
  /** Start a key with its tag (two bytes, see {@link TAG}). */
  begin(tag: number): void;
  /** Append text to the key. */
  text(text: string): void;
  /** End the key with its value. */
  end(value: number): void;
  /** Emit the unigram keys `u:w`, then the bigram keys `g:v w`, of the prompt's words. */
  prompt(prompt: string): void;
}

/** Emit the keys of a context in a canonical order (feature names sorted by code unit). */
function emitKeys(spec: FeaturizerSpec, context: RlvrContext, sink: KeySink): void {
  if (typeof context !== "object" || context === null) {
    throw new RlvrLoopError(
      "INVALID_DATA",
      `the context must be an object with prompt and/or features, got ${String(context)}`,
    );
  }
  const features = context.features;
  if (
    features !== undefined &&
    (typeof features !== "object" || features === null || Array.isArray(features))
  ) {
    throw new RlvrLoopError(
      "INVALID_DATA",
      `the context's features must be an object of named values, got ${JSON.stringify(features)}`,
    );
  }
  if (spec.features && features !== undefined) {
    for (const name of sortedNames(features)) {
      const value = checkFeature(name, features[name], spec.numeric);
      if (typeof value === "number") {
        sink.begin(TAG.numeric);
        sink.text(name);
        sink.end(value);
      } else {
        sink.begin(typeof value === "string" ? TAG.string : TAG.boolean);
        sink.text(name);
        sink.text("=");
        sink.text(String(value));
        sink.end(1);
      }
    }
  }
  if (features !== undefined) {
    for (const [a, b] of spec.crosses) {
      if (!(a in features) || !(b in features)) continue;
      emitCross(
        sink,
        [a, checkFeature(a, features[a], spec.numeric)],
        [b, checkFeature(b, features[b], spec.numeric)],
      );
    }
  }
  const prompt = context.prompt;
  if (prompt !== undefined) {
    if (typeof prompt !== "string")
      throw new RlvrLoopError(
        "INVALID_DATA",
        `the context's prompt must be a string, got ${JSON.stringify(prompt)}`,
      );
    if (spec.unigrams || spec.bigrams) sink.prompt(prompt);
  }
}

/**
 * The key of a cross of features a and b: `x:a&b` (value va·vb) when both are numbers,
 * `x:a&b=vb` (value va) when only a is, `x:b&a=va` (value vb) when only b is, else `x:a=va&b=vb` (1).
 */
function emitCross(sink: KeySink, [a, va]: [string, Scalar], [b, vb]: [string, Scalar]): void {
  sink.begin(TAG.cross);
  if (typeof va === "number" && typeof vb === "number") {
    sink.text(`${a}&${b}`);
    sink.end(va * vb);
  } else if (typeof va === "number") {
    sink.text(`${a}&${b}=${String(vb)}`);
    sink.end(va);
  } else if (typeof vb === "number") {
    sink.text(`${b}&${a}=${String(va)}`);
    sink.end(vb);
  } else {
    sink.text(`${a}=${String(va)}&${b}=${String(vb)}`);
    sink.end(1);
  }
}

/** The keys as strings (for {@link Featurizer.keys}): the prompt's words from {@link tokenize}. */
class StringKeySink implements KeySink {
  readonly out: { key: string; value: number }[] = [];
  private key = "";
  constructor(private readonly spec: FeaturizerSpec) {}
  begin(tag: number): void {
    this.key = String.fromCharCode(tag & 0xff, tag >>> 8);
  }
  text(text: string): void {
    this.key += text;
  }
  end(value: number): void {
    this.out.push({ key: this.key, value });
  }
  prompt(prompt: string): void {
    const words = tokenize(prompt, this.spec.lowercase);
    if (this.spec.unigrams) for (const w of words) this.out.push({ key: `u:${w}`, value: 1 });
    if (this.spec.bigrams)
      for (let i = 1; i < words.length; i++)
        this.out.push({ key: `g:${words[i - 1]} ${words[i]}`, value: 1 });
  }
}

/** The names of `features` sorted by code unit (insertion sort for the usual handful: no comparator calls). */
function sortedNames(features: object): string[] {
  const names = Object.keys(features);
  if (names.length > 16) return names.sort(compareCodeUnits);
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

/** Compare strings by UTF-16 code units (never locale-dependent). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reusable accumulator that hashes keys into buckets, then sorts and merges them. Not exported from
 * the package: used by the featurizer and by the columnar data builder. It hashes each key's UTF-8
 * bytes as they are produced (a {@link KeySink}): no key string is built, and the prompt's words are
 * scanned once by {@link _WordScanner}, each unigram and bigram hashed straight from its bytes.
 * @internal
 */
export class FeatureAccumulator implements KeySink {
  indices = new Int32Array(64);
  values = new Float64Array(64);
  length = 0;
  readonly spec: FeaturizerSpec;
  private readonly words = new _WordScanner();
  private readonly key = new _Utf8Buffer();
  private tag = 0;
  /** Scratch of {@link sortAndMerge}: the entries distributed by bucket, and the buckets' starts. */
  private sortIndices = new Int32Array(64);
  private sortValues = new Float64Array(64);
  private readonly bucketStarts = new Int32Array(1025);

  /** `dimension − 1` when the dimension is a power of two (then h mod dimension is h & mask), else −1. */
  private readonly mask: number;
  /** Bits of the largest index (the bias, `dimension`). */
  private readonly indexBits: number;

  constructor(spec: FeaturizerSpec) {
    this.spec = spec;
    const d = spec.dimension;
    this.mask = (d & (d - 1)) === 0 ? d - 1 : -1;
    this.indexBits = 32 - Math.clz32(d);
  }

  /**
   * The feature row of a key whose 32-bit hash is h (signed): the unsigned hash modulo `dimension`,
   * by a mask when the dimension is a power of two (an integer division costs tens of cycles).
   */
  private row(h: number): number {
    return this.mask >= 0 ? h & this.mask : (h >>> 0) % this.spec.dimension;
  }

  /** Clear, then collect the features of `context` (bias included), sorted and merged. */
  collect(context: RlvrContext): void {
    this.length = 0;
    emitKeys(this.spec, context, this);
    this.push(this.spec.dimension, 1);
    this.sortAndMerge();
  }

  /** @internal {@link KeySink.begin} */
  begin(tag: number): void {
    this.tag = tag;
    this.key.length = 0;
  }

  /** @internal {@link KeySink.text} */
  text(text: string): void {
    this.key.text(text);
  }

  /** @internal {@link KeySink.end} */
  end(value: number): void {
    const { seed } = this.spec;
    this.push(this.row(_murmur3TaggedInt32(this.tag, this.key.bytes, 0, this.key.length, seed)), value);
  }

  /** @internal {@link KeySink.prompt} */
  prompt(prompt: string): void {
    const { seed, unigrams, bigrams } = this.spec;
    const w = this.words;
    w.scan(prompt, this.spec.lowercase);
    const { starts, ends, count } = w;
    const bytes = w.utf8.bytes;
    if (unigrams) {
      for (let i = 0; i < count; i++)
        this.push(this.row(_murmur3TaggedInt32(TAG.unigram, bytes, starts[i]!, ends[i]!, seed)), 1);
    }
    if (bigrams) {
      for (let i = 1; i < count; i++)
        this.push(this.row(_murmur3TaggedInt32(TAG.bigram, bytes, starts[i - 1]!, ends[i]!, seed)), 1);
    }
  }

  private push(index: number, value: number): void {
    if (this.length === this.indices.length) {
      const indices = new Int32Array(this.length * 2);
      indices.set(this.indices);
      const values = new Float64Array(this.length * 2);
      values.set(this.values);
      this.indices = indices;
      this.values = values;
    }
    this.indices[this.length] = index;
    this.values[this.length] = value;
    this.length++;
  }

  /**
   * Sort the entries by index, stably (equal indices keep the order they were pushed in, so their
   * values are summed in that order), then merge equal indices. A short list is insertion-sorted in
   * place; a longer one is first distributed by its top index bits into about as many buckets as
   * entries (a stable counting sort into the scratch arrays: hashed indices are spread evenly), then
   * insertion-sorted there (nearly sorted: O(n) expected instead of O(n²)) and merged back.
   */
  private sortAndMerge(): void {
    const n = this.length;
    if (n < 16) {
      insertionSort(this.indices, this.values, n);
      this.length = mergeInto(this.indices, this.values, this.indices, this.values, n);
      return;
    }
    if (this.sortIndices.length < n) {
      this.sortIndices = new Int32Array(this.indices.length);
      this.sortValues = new Float64Array(this.indices.length);
    }
    const idx = this.indices;
    const val = this.values;
    const sIdx = this.sortIndices;
    const sVal = this.sortValues;
    // 2^k buckets by the top k of the index's bits, 2^k ≥ n, at most 1024
    const bits = this.indexBits;
    const k = Math.min(32 - Math.clz32(n - 1), 10, bits);
    const shift = bits - k;
    const B = 1 << k;
    const starts = this.bucketStarts;
    for (let b = 0; b <= B; b++) starts[b] = 0;
    for (let i = 0; i < n; i++) starts[(idx[i]! >>> shift) + 1]!++;
    for (let b = 1; b <= B; b++) starts[b] = starts[b]! + starts[b - 1]!;
    for (let i = 0; i < n; i++) {
      const o = starts[idx[i]! >>> shift]!++;
      sIdx[o] = idx[i]!;
      sVal[o] = val[i]!;
    }
    insertionSort(sIdx, sVal, n);
    this.length = mergeInto(sIdx, sVal, idx, val, n);
  }
}

/** Stable insertion sort of `idx[0, n)` by value, moving `val` along (short lists, no allocation). */
function insertionSort(idx: Int32Array, val: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const ki = idx[i]!;
    const vi = val[i]!;
    let j = i - 1;
    while (j >= 0 && idx[j]! > ki) {
      idx[j + 1] = idx[j]!;
      val[j + 1] = val[j]!;
      j--;
    }
    idx[j + 1] = ki;
    val[j + 1] = vi;
  }
}

/**
 * Merge the runs of equal indices of the sorted `idx[0, n)` (their values summed in order) into
 * `outIdx` and `outVal` (which may be the same arrays); returns the number of distinct indices.
 */
function mergeInto(
  idx: Int32Array,
  val: Float64Array,
  outIdx: Int32Array,
  outVal: Float64Array,
  n: number,
): number {
  let out = 0;
  for (let i = 0; i < n; i++) {
    if (out > 0 && outIdx[out - 1] === idx[i]) {
      outVal[out - 1] = outVal[out - 1]! + val[i]!;
    } else {
      outIdx[out] = idx[i]!;
      outVal[out] = val[i]!;
      out++;
    }
  }
  return out;
}

/** Size of the pool that {@link Featurizer.featurize}'s outputs are cut from. */
const POOL_BYTES = 16384;
let pool = new ArrayBuffer(POOL_BYTES);
let poolOffset = 0;

/**
 * A copy of the accumulator's features as views into a shared pool buffer, as Node's Buffer pool does:
 * two views into one ArrayBuffer cost a fraction of two typed arrays with buffers of their own (V8
 * allocates a typed array over 64 bytes outside its heap). A vector over half the pool gets its own.
 */
function pooledCopy(acc: FeatureAccumulator): SparseFeatures {
  const n = acc.length;
  const bytes = (n * 12 + 7) & ~7;
  if (bytes > POOL_BYTES / 2) {
    return { indices: acc.indices.slice(0, n), values: acc.values.slice(0, n) };
  }
  if (poolOffset + bytes > POOL_BYTES) {
    pool = new ArrayBuffer(POOL_BYTES);
    poolOffset = 0;
  }
  const values = new Float64Array(pool, poolOffset, n);
  const indices = new Int32Array(pool, poolOffset + n * 8, n);
  poolOffset += bytes;
  for (let i = 0; i < n; i++) {
    indices[i] = acc.indices[i]!;
    values[i] = acc.values[i]!;
  }
  return { indices, values };
}

/**
 * A hashing featurizer (see {@link FeaturizerSpec} for the exact key scheme).
 * @param spec - a complete or partial spec; missing members take the defaults of {@link defaultFeaturizerSpec}
 */
export function createFeaturizer(spec: Partial<FeaturizerSpec> = {}): Featurizer {
  const resolved = resolveFeaturizerSpec(spec);
  const acc = new FeatureAccumulator(resolved);
  const featurizer: Featurizer = Object.freeze({
    spec: resolved,
    rows: resolved.dimension + 1,
    biasIndex: resolved.dimension,
    featurize(context: RlvrContext): SparseFeatures {
      acc.collect(context);
      return pooledCopy(acc);
    },
    keys(context: RlvrContext): { key: string; value: number }[] {
      const sink = new StringKeySink(resolved);
      emitKeys(resolved, context, sink);
      return sink.out;
    },
  });
  accumulators.set(featurizer, acc);
  return featurizer;
}

/** The accumulator behind each featurizer of {@link createFeaturizer}. */
const accumulators = new WeakMap<Featurizer, FeatureAccumulator>();

/**
 * The features of `context` left in the accumulator of a featurizer made by {@link createFeaturizer}
 * (entries `[0, length)` of its `indices` and `values`, valid until the featurizer's next call), or
 * `undefined` for any other featurizer. The same features as {@link Featurizer.featurize} without
 * copying them out: for callers that use them at once (a policy scoring one decision).
 * @internal
 */
export function _featuresInPlace(
  featurizer: Featurizer,
  context: RlvrContext,
): FeatureAccumulator | undefined {
  const acc = accumulators.get(featurizer);
  acc?.collect(context);
  return acc;
}
