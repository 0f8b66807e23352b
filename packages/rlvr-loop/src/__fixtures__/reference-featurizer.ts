// The featurizer as it was before the single-pass rewrite (regex tokenizer, key strings, TextEncoder
// bytes, the textbook MurmurHash3): the reference the property tests compare the fast one against.
// Written for clarity, not speed; it must never share code with featurizer.ts or internal/hash.ts.
import type { RlvrContext } from "@rlvr/dataset";
import type { FeaturizerSpec } from "../featurizer-spec.js";

/** The textbook MurmurHash3 x86-32 of `bytes` with `seed`. */
export function referenceMurmur3(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const nblocks = n >> 2;
  for (let i = 0; i < nblocks; i++) {
    let k = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = nblocks * 4;
  if ((n & 3) >= 3) k ^= bytes[tail + 2]! << 16;
  if ((n & 3) >= 2) k ^= bytes[tail + 1]! << 8;
  if ((n & 3) >= 1) {
    k ^= bytes[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The words of a prompt: runs of letters, marks and numbers after NFC, optionally lower-cased. */
export function referenceTokenize(prompt: string, lowercase: boolean): string[] {
  const text = lowercase ? prompt.normalize("NFC").toLowerCase() : prompt.normalize("NFC");
  return text.match(WORD) ?? [];
}

type Scalar = string | number | boolean;

function checkFeature(name: string, value: unknown, spec: FeaturizerSpec): Scalar {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(
        `context feature ${JSON.stringify(name)} is ${value}; expected a finite number, a string or a boolean`,
      );
    }
    return spec.numeric === "identity" ? value : Math.sign(value) * Math.log1p(Math.abs(value));
  }
  throw new Error(
    `context feature ${JSON.stringify(name)} is ${value === null ? "null" : `a ${typeof value}`}; expected a string, a finite number or a boolean`,
  );
}

/** The (key, value) pairs of a context, in the featurizer's order. */
export function referenceKeys(spec: FeaturizerSpec, context: RlvrContext): { key: string; value: number }[] {
  const out: { key: string; value: number }[] = [];
  const emit = (key: string, value: number): void => {
    out.push({ key, value });
  };
  const features = context.features;
  if (spec.features && features !== undefined) {
    const names = Object.keys(features).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const value = checkFeature(name, features[name], spec);
      if (typeof value === "number") emit(`n:${name}`, value);
      else if (typeof value === "string") emit(`s:${name}=${value}`, 1);
      else emit(`b:${name}=${value}`, 1);
    }
  }
  if (features !== undefined) {
    for (const [a, b] of spec.crosses) {
      if (!(a in features) || !(b in features)) continue;
      const va = checkFeature(a, features[a], spec);
      const vb = checkFeature(b, features[b], spec);
      if (typeof va === "number" && typeof vb === "number") emit(`x:${a}&${b}`, va * vb);
      else if (typeof va === "number") emit(`x:${a}&${b}=${String(vb)}`, va);
      else if (typeof vb === "number") emit(`x:${b}&${a}=${String(va)}`, vb);
      else emit(`x:${a}=${String(va)}&${b}=${String(vb)}`, 1);
    }
  }
  if (context.prompt !== undefined && (spec.unigrams || spec.bigrams)) {
    const words = referenceTokenize(context.prompt, spec.lowercase);
    if (spec.unigrams) for (const w of words) emit(`u:${w}`, 1);
    if (spec.bigrams) for (let i = 1; i < words.length; i++) emit(`g:${words[i - 1]} ${words[i]}`, 1);
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * The sparse features of a context: each key's bucket `murmur3(utf8(key), seed) mod dimension`,
 * colliding keys summed in emission order, the bias (index `dimension`, value 1) last, sorted.
 */
export function referenceFeaturize(
  spec: FeaturizerSpec,
  context: RlvrContext,
): { indices: number[]; values: number[] } {
  const sums = new Map<number, number>();
  for (const { key, value } of referenceKeys(spec, context)) {
    const bucket = referenceMurmur3(encoder.encode(key), spec.seed) % spec.dimension;
    const sum = sums.get(bucket);
    sums.set(bucket, sum === undefined ? value : sum + value);
  }
  sums.set(spec.dimension, 1);
  const indices = [...sums.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => sums.get(i)!) };
}
