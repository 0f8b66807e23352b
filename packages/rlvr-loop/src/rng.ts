import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { RlvrLoopError } from "./errors.js";

/**
 * A source of random 32-bit integers, uniform in [-2^31, 2^31 - 1]. Every pure-rand generator
 * (`pure-rand/generator/*`) satisfies it; {@link createRng} makes one. Calls to `next` advance the
 * generator in place.
 */
export interface Rng {
  /** Next value, uniform in [-2^31, 2^31 - 1]; advances the generator. */
  next(): number;
}

/** Check that `seed` is an integer in [0, 2^32 - 1]; `where` names the caller for the message. */
export function assertSeed(seed: unknown, where: string): asserts seed is number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `${where}: seed must be an integer in [0, 4294967295], got ${String(seed)}`,
    );
  }
}

/**
 * A new xoroshiro128+ generator (pure-rand) seeded with `seed`.
 * @param seed - integer in [0, 2^32 - 1]
 */
export function createRng(seed: number): Rng {
  assertSeed(seed, "random generator");
  return xoroshiro128plus(seed);
}

/**
 * Independent stream number `stream` (0, 1, 2, ...) of the generator seeded with `seed`: the base
 * xoroshiro128+ generator jumped `stream + 1` times (each jump skips 2^64 draws), so streams never
 * overlap in practice and adding a stream never changes the others.
 * @param seed - integer in [0, 2^32 - 1]
 * @param stream - non-negative integer naming the purpose (see the `STREAM_*` constants)
 */
export function deriveRng(seed: number, stream: number): Rng {
  assertSeed(seed, "random stream");
  if (!Number.isInteger(stream) || stream < 0 || stream > 1024) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `random stream: the stream number must be an integer in [0, 1024], got ${stream}`,
    );
  }
  const g = xoroshiro128plus(seed);
  for (let i = 0; i <= stream; i++) g.jump();
  return g;
}

/** Uniform double in [0, 1), 53 random bits from two draws (same construction as pure-rand's uniformFloat64). */
export function uniformFloat(rng: Rng): number {
  const hi = rng.next() & 0x3ffffff; // 26 bits
  const lo = rng.next() & 0x7ffffff; // 27 bits
  return (hi * 134217728 + lo) / 9007199254740992;
}

/** Uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias (rejection sampling). */
export function uniformIndex(rng: Rng, n: number): number {
  if (n <= 1) return 0;
  const limit = Math.floor(4294967296 / n) * n;
  let u = rng.next() + 2147483648;
  while (u >= limit) u = rng.next() + 2147483648;
  return u % n;
}

/**
 * Index drawn from the discrete distribution `probs[0..count)` (non-negative, summing to ~1), by
 * inversion of one uniform draw. Falls back to the last index with positive mass on rounding.
 */
export function sampleIndex(rng: Rng, probs: ArrayLike<number>, count: number): number {
  const u = uniformFloat(rng);
  let acc = 0;
  let last = -1;
  for (let a = 0; a < count; a++) {
    const p = probs[a]!;
    if (p > 0) {
      acc += p;
      last = a;
      if (u < acc) return a;
    }
  }
  return Math.max(last, 0);
}

/** In-place Fisher-Yates shuffle of `array[0..length)` driven by `rng`. */
export function shuffleInPlace(rng: Rng, array: Int32Array, length = array.length): void {
  for (let i = length - 1; i > 0; i--) {
    const j = uniformIndex(rng, i + 1);
    const t = array[i]!;
    array[i] = array[j]!;
    array[j] = t;
  }
}

/** Stream used by `train` to shuffle groups into minibatches. */
export const STREAM_SHUFFLE = 0;
/** Stream used by `train` (online mode) to sample tasks from the environment. */
export const STREAM_TASKS = 1;
/** Stream used by `train` (online mode) to sample actions from the policy. */
export const STREAM_ACTIONS = 2;
/** Stream used by `train` (online mode) to run the environment's tools and verifier. */
export const STREAM_ENVIRONMENT = 3;
/** Stream used by model fitting (reward and behavior models) to shuffle examples. */
export const STREAM_FIT = 4;
/** Stream used by `evaluate` for the bootstrap resamples. */
export const STREAM_BOOTSTRAP = 5;
/** Stream used for cross-fitting folds in `evaluate`. */
export const STREAM_FOLDS = 6;
/** Stream used by `generateLogs` to draw group sizes from a distribution. */
export const STREAM_GROUP_SIZES = 7;
