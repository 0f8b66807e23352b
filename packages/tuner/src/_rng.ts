// Seeded random streams. Every stream is a xoroshiro128+ generator whose 128-bit state is a hash of
// (study seed, stream label, index): independent streams without any shared sequential state, so a
// trial's draws depend on its number only, never on how many draws other trials made.
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** murmur3 (x86, 32-bit) over 32-bit words, with a seed. */
function murmurWords(words: readonly number[], seed: number): number {
  let h = seed >>> 0;
  for (const word of words) {
    let k = Math.imul(word | 0, C1);
    k = rotl(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= words.length * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function stringWord(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function keyWords(seed: number, label: string, index: number): number[] {
  return [
    seed >>> 0,
    Math.floor(seed / 0x100000000) >>> 0,
    stringWord(label),
    label.length,
    index >>> 0,
    Math.floor(index / 0x100000000) >>> 0,
  ];
}

/** Whether `seed` is accepted as a study seed: a safe integer >= 0. */
export function isValidSeed(seed: unknown): seed is number {
  return typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0;
}

/** A 32-bit unsigned seed derived from (seed, label, index). */
export function deriveSeed(seed: number, label: string, index: number): number {
  return murmurWords(keyWords(seed, label, index), 0x5eed5eed);
}

/** An independent xoroshiro128+ stream for (seed, label, index). */
export function createStream(seed: number, label: string, index: number): RandomGenerator {
  const words = keyWords(seed, label, index);
  const state = [
    murmurWords(words, 0x243f6a88) | 0,
    murmurWords(words, 0x85a308d3) | 0,
    murmurWords(words, 0x13198a2e) | 0,
    murmurWords(words, 0x03707344) | 0,
  ];
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return xoroshiro128plusFromState(state);
}

/** Uniform in [0, 1) with 53 random bits. */
export function nextFloat(rng: RandomGenerator): number {
  return uniformFloat64(rng);
}

/** Uniform integer in [from, to] (both inclusive). */
export function nextInt(rng: RandomGenerator, from: number, to: number): number {
  return uniformInt(rng, from, to);
}

/** A Fisher-Yates permutation of 0..n-1 drawn from `rng`. */
export function permutation(rng: RandomGenerator, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
