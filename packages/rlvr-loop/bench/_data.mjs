// The synthetic data of the trainer benchmarks (train.mjs, torch-anchor.mjs): typed arrays only.
// |A| actions, F active features per example (bias included) drawn Zipf(1) from a vocabulary hashed
// into D buckets, groups of GROUP examples, uniform behavior; one action per context pays 0.8.
import { createRng, trainingDataFromArrays } from "../dist/index.js";

export const A = 16;
export const D = 2 ** 18;
export const F = 30; // active features per example, bias included
export const GROUP = 4;
export const VOCABULARY = 100_000; // distinct feature keys, Zipf(1) frequencies, hashed into D buckets

/**
 * `n` examples; with `sharedContexts` the examples of a group share one context (the GRPO case),
 * otherwise every example has its own (the worst case).
 */
export function makeData(sharedContexts, vocabulary, n) {
  const rng = createRng(2024);
  const u = () => (rng.next() >>> 0) / 4294967296;
  // Zipf(1) ranks by inversion of the continuous approximation of the harmonic numbers
  const harmonic = Math.log(vocabulary) + 0.5772156649;
  const zipfRank = () =>
    Math.min(vocabulary, Math.max(1, Math.floor(Math.exp(u() * harmonic - 0.5772156649))));
  const offsets = new Int32Array(n + 1);
  const indices = new Int32Array(n * F);
  const values = new Float64Array(n * F);
  const actionIndex = new Int32Array(n);
  const rewards = new Float64Array(n);
  const behaviorProbs = new Float64Array(n).fill(1 / A);
  const row = new Int32Array(F);
  for (let i = 0; i < n; i++) {
    if (!sharedContexts || i % GROUP === 0) {
      let c = 0;
      while (c < F - 1) {
        const f = (Math.imul(zipfRank(), 0x9e3779b1) >>> 0) % D;
        let dup = false;
        for (let j = 0; j < c; j++) if (row[j] === f) dup = true;
        if (!dup) row[c++] = f;
      }
      row[F - 1] = D; // bias
      row.sort();
    }
    for (let j = 0; j < F; j++) {
      indices[i * F + j] = row[j];
      values[i * F + j] = 1;
    }
    offsets[i + 1] = (i + 1) * F;
    const a = Math.floor(u() * A);
    actionIndex[i] = a;
    rewards[i] = u() < (a === row[0] % A ? 0.8 : 0.3) ? 1 : 0;
  }
  const groupOffsets = new Int32Array(n / GROUP + 1);
  for (let g = 0; g < groupOffsets.length; g++) groupOffsets[g] = g * GROUP;
  const actions = Array.from({ length: A }, (_, i) => `action-${String(i).padStart(2, "0")}`);
  return trainingDataFromArrays({
    actions,
    rows: D + 1,
    offsets,
    indices,
    values,
    actionIndex,
    rewards,
    groupOffsets,
    behaviorProbs,
  });
}
