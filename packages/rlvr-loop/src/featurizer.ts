import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { murmur3 } from "./internal/hash.js";

/**
 * How numeric feature values enter the feature vector: `identity` keeps the value, `signed_log1p`
 * uses sign(v) · ln(1 + |v|) (tames heavy-tailed counts and durations).
 */
export type NumericTransform = "identity" | "signed_log1p";

/**
 * Description of a hashing featurizer. It is stored in checkpoints, so a loaded policy featurizes
 * exactly as the trained one did. Feature keys (hashed with MurmurHash3 x86-32 of their UTF-8 bytes):
 * - string feature `name` with value `v`: key `s:name=v`, value 1;
 * - boolean feature: key `b:name=true` or `b:name=false`, value 1;
 * - numeric feature: key `n:name`, value v (after {@link FeaturizerSpec.numeric});
 * - prompt word unigram `w`: key `u:w`; bigram of consecutive words `w1 w2`: key `g:w1 w2` (value =
 *   count); words are maximal runs of Unicode letters, marks and digits after NFC normalisation;
 * - cross of two features `[a, b]`: key `x:a=va&b=vb` (value 1) when both are categorical, the numeric
 *   value (or product of values) otherwise;
 * - a bias feature with value 1 at index `dimension` (one extra row, never hashed into).
 * A key lands in bucket `murmur3(key, seed) mod dimension`; colliding keys add their values.
 */
export interface FeaturizerSpec {
  /** Featurizer family; only `hashing` exists. */
  readonly kind: "hashing";
  /** Version of the key scheme above; bumped if it ever changes. */
  readonly version: 1;
  /**
   * Number of hash buckets D (the policy has D + 1 feature rows including the bias).
   * @defaultValue 262144 (2^18)
   */
  readonly dimension: number;
  /**
   * Seed of the hash function (changes which keys collide).
   * @defaultValue 0
   */
  readonly seed: number;
  /**
   * Use the named `features` of the context.
   * @defaultValue true
   */
  readonly features: boolean;
  /**
   * Use word unigrams of the prompt.
   * @defaultValue true
   */
  readonly unigrams: boolean;
  /**
   * Use word bigrams of the prompt.
   * @defaultValue true
   */
  readonly bigrams: boolean;
  /**
   * Lower-case the prompt before splitting it into words (`String.prototype.toLowerCase`, locale
   * independent).
   * @defaultValue true
   */
  readonly lowercase: boolean;
  /**
   * Pairs of feature names whose combination becomes a feature of its own (interactions a linear
   * policy cannot otherwise express).
   * @defaultValue []
   */
  readonly crosses: readonly (readonly [string, string])[];
  /**
   * Transform of numeric feature values.
   * @defaultValue "identity"
   */
  readonly numeric: NumericTransform;
}

/** Default {@link FeaturizerSpec}: 2^18 buckets, features + unigrams + bigrams, lower-cased, no crosses. */
export const defaultFeaturizerSpec: FeaturizerSpec = Object.freeze({
  kind: "hashing",
  version: 1,
  dimension: 262144,
  seed: 0,
  features: true,
  unigrams: true,
  bigrams: true,
  lowercase: true,
  crosses: Object.freeze([]) as readonly (readonly [string, string])[],
  numeric: "identity",
});

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

const MAX_DIMENSION = 1 << 26;

/**
 * The complete spec from a partial one, validated.
 * @param partial - members to override in {@link defaultFeaturizerSpec}
 */
export function resolveFeaturizerSpec(partial: Partial<FeaturizerSpec> = {}): FeaturizerSpec {
  if (typeof partial !== "object" || partial === null) {
    throw new RlvrLoopError("INVALID_ARGUMENT", "resolveFeaturizerSpec: spec must be an object");
  }
  const spec = { ...defaultFeaturizerSpec, ...partial };
  const fail = (what: string, value: unknown): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `featurizer spec: ${what}, got ${JSON.stringify(value)}`);
  };
  if (spec.kind !== "hashing") fail('kind must be "hashing"', spec.kind);
  if (spec.version !== 1) fail("version must be 1", spec.version);
  if (!Number.isInteger(spec.dimension) || spec.dimension < 1 || spec.dimension > MAX_DIMENSION) {
    fail(`dimension must be an integer in [1, ${MAX_DIMENSION}]`, spec.dimension);
  }
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) {
    fail("seed must be an integer in [0, 4294967295]", spec.seed);
  }
  for (const key of ["features", "unigrams", "bigrams", "lowercase"] as const) {
    if (typeof spec[key] !== "boolean") fail(`${key} must be a boolean`, spec[key]);
  }
  if (spec.numeric !== "identity" && spec.numeric !== "signed_log1p") {
    fail('numeric must be "identity" or "signed_log1p"', spec.numeric);
  }
  if (!Array.isArray(spec.crosses)) fail("crosses must be an array of [name, name] pairs", spec.crosses);
  const crosses = spec.crosses.map((pair) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== "string" ||
      typeof pair[1] !== "string"
    ) {
      return fail("each cross must be a pair of feature names", pair);
    }
    return Object.freeze([pair[0], pair[1]] as const);
  });
  return Object.freeze({
    kind: "hashing",
    version: 1,
    dimension: spec.dimension,
    seed: spec.seed,
    features: spec.features,
    unigrams: spec.unigrams,
    bigrams: spec.bigrams,
    lowercase: spec.lowercase,
    crosses: Object.freeze(crosses),
    numeric: spec.numeric,
  });
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
        `featurize: feature "${name}" is not a finite number (${value})`,
      );
    }
    return transform === "identity" ? value : Math.sign(value) * Math.log1p(Math.abs(value));
  }
  throw new RlvrLoopError(
    "INVALID_DATA",
    `featurize: feature "${name}" must be a string, finite number or boolean, got ${value === null ? "null" : typeof value}`,
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
    throw new RlvrLoopError("INVALID_DATA", "featurize: context must be an object");
  }
  const features = context.features;
  if (
    features !== undefined &&
    (typeof features !== "object" || features === null || Array.isArray(features))
  ) {
    throw new RlvrLoopError("INVALID_DATA", "featurize: context.features must be an object");
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
      throw new RlvrLoopError("INVALID_DATA", "featurize: context.prompt must be a string");
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

/** Whether two featurizer specs describe the same feature map. */
export function sameFeaturizerSpec(a: FeaturizerSpec, b: FeaturizerSpec): boolean {
  return JSON.stringify(resolveFeaturizerSpec(a)) === JSON.stringify(resolveFeaturizerSpec(b));
}
