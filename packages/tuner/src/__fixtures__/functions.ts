// Standard test functions (minimisation) for the sampler tests and the benchmarks (bench/suite.mjs and
// bench/run.mjs import this file: the one copy).
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { defineSearchSpace } from "../search-space.js";

/** Branin on [-5, 10] × [0, 15]; minimum 0.397887 at three points. */
export const braninSpace = defineSearchSpace({
  x1: { type: "float", low: -5, high: 10 },
  x2: { type: "float", low: 0, high: 15 },
});
export const BRANIN_MIN = 0.397887;
export function branin(p: { x1: number; x2: number }): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (p.x2 - b * p.x1 * p.x1 + c * p.x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(p.x1) + 10;
}

/** Hartmann-6 on [0, 1]^6; minimum -3.32237. */
export const hartmannSpace = defineSearchSpace({
  x1: { type: "float", low: 0, high: 1 },
  x2: { type: "float", low: 0, high: 1 },
  x3: { type: "float", low: 0, high: 1 },
  x4: { type: "float", low: 0, high: 1 },
  x5: { type: "float", low: 0, high: 1 },
  x6: { type: "float", low: 0, high: 1 },
});
export const HARTMANN_MIN = -3.32237;
const ALPHA = [1.0, 1.2, 3.0, 3.2];
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));
export function hartmann6(p: { readonly [k: string]: number }): number {
  const x = [p["x1"]!, p["x2"]!, p["x3"]!, p["x4"]!, p["x5"]!, p["x6"]!];
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += A[i]![j]! * (x[j]! - P[i]![j]!) ** 2;
    total += ALPHA[i]! * Math.exp(-inner);
  }
  return -total;
}

/**
 * A mixed space (log float, float, int, categorical) with a noisy objective: a narrow valley in each
 * parameter, noiseless minimum 0.
 */
export const mixedSpace = defineSearchSpace({
  lr: { type: "float", low: 1e-5, high: 1, log: true },
  dropout: { type: "float", low: 0, high: 0.9 },
  layers: { type: "int", low: 1, high: 16 },
  optimizer: { type: "categorical", choices: ["adam", "sgd", "rmsprop", "adagrad"] },
});
const OPT_PENALTY: Record<string, number> = { adam: 0, sgd: 0.6, rmsprop: 0.3, adagrad: 0.9 };
export interface MixedParams {
  readonly lr: number;
  readonly dropout: number;
  readonly layers: number;
  readonly optimizer: string;
}
export function mixedClean(p: MixedParams): number {
  return (
    2 * (Math.log10(p.lr) + 3.3) ** 2 + 10 * (p.dropout - 0.3) ** 2 + (p.layers - 11) ** 2 / 8 + OPT_PENALTY[p.optimizer]!
  );
}
/** The sphere on [-5, 5]^4, minimum 0 at (1, 1, 1, 1). */
export const sphereSpace = defineSearchSpace({
  x1: { type: "float", low: -5, high: 5 },
  x2: { type: "float", low: -5, high: 5 },
  x3: { type: "float", low: -5, high: 5 },
  x4: { type: "float", low: -5, high: 5 },
});
export function sphere(p: { readonly [k: string]: number }): number {
  return (p["x1"]! - 1) ** 2 + (p["x2"]! - 1) ** 2 + (p["x3"]! - 1) ** 2 + (p["x4"]! - 1) ** 2;
}

/** A standard normal draw (Box-Muller) from `rng`. */
export function gaussian(rng: Parameters<typeof uniformFloat64>[0]): number {
  const u1 = uniformFloat64(rng) || 1e-12;
  const u2 = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** `mixedClean` plus Gaussian noise (σ = 0.2) drawn from the trial seed. */
export function mixedNoisy(p: MixedParams, seed: number): number {
  const rng = xoroshiro128plus(seed);
  const u1 = uniformFloat64(rng) || 1e-12;
  const u2 = uniformFloat64(rng);
  return mixedClean(p) + 0.2 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Median of a list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
