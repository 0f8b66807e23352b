import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { type FeaturizerSpec, type NumericTransform, resolveFeaturizerSpec } from "./featurizer-spec.js";
import { murmur3 } from "./internal/hash.js";

/** A sparse feature vector: strictly increasing `indices` (the bias, index `dimension`, last) and their values. */
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

function categoricalKey(name: string, value: string | boolean): string {
  return typeof value === "string" ? `s:${name}=${value}` : `b:${name}=${value}`;
}

/** Emit the (key, value) pairs of a context in a canonical order (feature names sorted by code unit). */
function emitKeys(
  spec: FeaturizerSpec,
  context: RlvrContext,
  emit: (key: string, value: number) => void,
): void {
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
    const names = Object.keys(features).sort(compareCodeUnits);
    for (const name of names) {
      const value = checkFeature(name, features[name], spec.numeric);
      if (typeof value === "number") emit(`n:${name}`, value);
      else emit(categoricalKey(name, value), 1);
    }
  }
  if (features !== undefined) {
    for (const [a, b] of spec.crosses) {
      if (!(a in features) || !(b in features)) continue;
      const va = checkFeature(a, features[a], spec.numeric);
      const vb = checkFeature(b, features[b], spec.numeric);
      if (typeof va === "number" && typeof vb === "number") emit(`x:${a}&${b}`, va * vb);
      else if (typeof va === "number") emit(`x:${a}&${b}=${String(vb)}`, va);
      else if (typeof vb === "number") emit(`x:${b}&${a}=${String(va)}`, vb);
      else emit(`x:${a}=${String(va)}&${b}=${String(vb)}`, 1);
    }
  }
  const prompt = context.prompt;
  if (prompt !== undefined) {
    if (typeof prompt !== "string")
      throw new RlvrLoopError(
        "INVALID_DATA",
        `the context's prompt must be a string, got ${JSON.stringify(prompt)}`,
      );
    if (spec.unigrams || spec.bigrams) {
      const words = tokenize(prompt, spec.lowercase);
      if (spec.unigrams) for (const w of words) emit(`u:${w}`, 1);
      if (spec.bigrams) for (let i = 1; i < words.length; i++) emit(`g:${words[i - 1]} ${words[i]}`, 1);
    }
  }
}

/** Compare strings by UTF-16 code units (never locale-dependent). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reusable accumulator that hashes keys into buckets, then sorts and merges them. Not exported from
 * the package: used by the featurizer and by the columnar data builder.
 * @internal
 */
export class FeatureAccumulator {
  indices = new Int32Array(64);
  values = new Float64Array(64);
  length = 0;
  readonly spec: FeaturizerSpec;

  constructor(spec: FeaturizerSpec) {
    this.spec = spec;
  }

  /** Clear, then collect the features of `context` (bias included), sorted and merged. */
  collect(context: RlvrContext): void {
    this.length = 0;
    const { dimension, seed } = this.spec;
    emitKeys(this.spec, context, (key, value) => this.push(murmur3(key, seed) % dimension, value));
    this.push(dimension, 1);
    this.sortAndMerge();
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

  private sortAndMerge(): void {
    const idx = this.indices;
    const val = this.values;
    const n = this.length;
    // insertion sort: short lists, stable, allocation-free
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
    let out = 0;
    for (let i = 0; i < n; i++) {
      if (out > 0 && idx[out - 1] === idx[i]) {
        val[out - 1] = val[out - 1]! + val[i]!;
      } else {
        idx[out] = idx[i]!;
        val[out] = val[i]!;
        out++;
      }
    }
    this.length = out;
  }
}

/**
 * A hashing featurizer (see {@link FeaturizerSpec} for the exact key scheme).
 * @param spec - a complete or partial spec; missing members take the defaults of {@link defaultFeaturizerSpec}
 */
export function createFeaturizer(spec: Partial<FeaturizerSpec> = {}): Featurizer {
  const resolved = resolveFeaturizerSpec(spec);
  const acc = new FeatureAccumulator(resolved);
  return Object.freeze({
    spec: resolved,
    rows: resolved.dimension + 1,
    biasIndex: resolved.dimension,
    featurize(context: RlvrContext): SparseFeatures {
      acc.collect(context);
      return { indices: acc.indices.slice(0, acc.length), values: acc.values.slice(0, acc.length) };
    },
    keys(context: RlvrContext): { key: string; value: number }[] {
      const out: { key: string; value: number }[] = [];
      emitKeys(resolved, context, (key, value) => out.push({ key, value }));
      return out;
    },
  });
}
