// The sample-efficiency suite of the anchor benchmark (bench/anchor.mjs), defined exactly as in
// bench/optuna_anchor.py: minimise, 50 sequential trials per study, and a study's score is the
// noiseless value of the trial with the best observed value (so noise cannot flatter a sampler).
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { createStudy, defineSearchSpace } from "../dist/index.js";

function branin(p) {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (p.x2 - b * p.x1 * p.x1 + c * p.x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(p.x1) + 10;
}

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
function hartmann6(p) {
  const x = [p.x1, p.x2, p.x3, p.x4, p.x5, p.x6];
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += A[i][j] * (x[j] - P[i][j]) ** 2;
    total += ALPHA[i] * Math.exp(-inner);
  }
  return -total;
}

const OPT_PENALTY = { adam: 0, sgd: 0.6, rmsprop: 0.3, adagrad: 0.9 };
function mixedClean(p) {
  return (
    2 * (Math.log10(p.lr) + 3.3) ** 2 +
    10 * (p.dropout - 0.3) ** 2 +
    (p.layers - 11) ** 2 / 8 +
    OPT_PENALTY[p.optimizer]
  );
}

const sphere = (p) => (p.x1 - 1) ** 2 + (p.x2 - 1) ** 2 + (p.x3 - 1) ** 2 + (p.x4 - 1) ** 2;

const f = (low, high) => ({ type: "float", low, high });

/** name → { label, optimum, space, f (noiseless), noise (σ of the Gaussian noise added) } */
export const SUITE = {
  branin: {
    label: "Branin (2 floats)",
    optimum: 0.397887,
    space: defineSearchSpace({ x1: f(-5, 10), x2: f(0, 15) }),
    f: branin,
    noise: 0,
  },
  hartmann6: {
    label: "Hartmann-6 (6 floats)",
    optimum: -3.32237,
    space: defineSearchSpace(Object.fromEntries([1, 2, 3, 4, 5, 6].map((j) => [`x${j}`, f(0, 1)]))),
    f: hartmann6,
    noise: 0,
  },
  "noisy-sphere": {
    label: "noisy sphere (4 floats, σ = 1)",
    optimum: 0,
    space: defineSearchSpace(Object.fromEntries([1, 2, 3, 4].map((j) => [`x${j}`, f(-5, 5)]))),
    f: sphere,
    noise: 1,
  },
  "mixed-noisy": {
    label: "mixed (log float, float, int, categorical; σ = 0.2)",
    optimum: 0,
    space: defineSearchSpace({
      lr: { type: "float", low: 1e-5, high: 1, log: true },
      dropout: f(0, 0.9),
      layers: { type: "int", low: 1, high: 16 },
      optimizer: { type: "categorical", choices: ["adam", "sgd", "rmsprop", "adagrad"] },
    }),
    f: mixedClean,
    noise: 0.2,
  },
};

function gaussian(rng) {
  const u1 = uniformFloat64(rng) || 1e-12;
  const u2 = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Noiseless value of the best observed trial of one study.
 * @param {string} name suite entry
 * @param {() => import("../dist/index.js").Sampler} makeSampler
 * @param {number} seed study seed
 * @param {{ trials?: number, pendingWindow?: number }} [opts]
 */
export function bestClean(name, makeSampler, seed, { trials = 50, pendingWindow = 0 } = {}) {
  const { space, f: fn, noise } = SUITE[name];
  const study = createStudy({ space, seed, sampler: makeSampler(), pendingWindow });
  let best = Number.POSITIVE_INFINITY;
  let bestCleanValue = Number.POSITIVE_INFINITY;
  for (let i = 0; i < trials; i++) {
    const t = study.ask();
    const clean = fn(t.params);
    const observed = noise > 0 ? clean + noise * gaussian(xoroshiro128plus(t.seed)) : clean;
    study.tell(t, observed);
    if (observed < best) {
      best = observed;
      bestCleanValue = clean;
    }
  }
  return bestCleanValue;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
