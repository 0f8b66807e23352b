// The sample-efficiency suite of the anchor benchmark (bench/anchor.mjs), defined exactly as in
// bench/optuna_anchor.py: minimise, 50 sequential trials per study, and a study's score is the
// noiseless value of the trial with the best observed value (so noise cannot flatter a sampler).
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { createStudy } from "../dist/index.js";
// The test functions are the tests' own (one copy), loaded from TypeScript by tsx (`node --import tsx`).
import {
  BRANIN_MIN,
  branin,
  braninSpace,
  gaussian,
  HARTMANN_MIN,
  hartmann6,
  hartmannSpace,
  median,
  mixedClean,
  mixedSpace,
  sphere,
  sphereSpace,
} from "../src/__fixtures__/functions.ts";

export { median };

/** name → { label, optimum, space, f (noiseless), noise (σ of the Gaussian noise added) } */
export const SUITE = {
  branin: { label: "Branin (2 floats)", optimum: BRANIN_MIN, space: braninSpace, f: branin, noise: 0 },
  hartmann6: {
    label: "Hartmann-6 (6 floats)",
    optimum: HARTMANN_MIN,
    space: hartmannSpace,
    f: hartmann6,
    noise: 0,
  },
  "noisy-sphere": {
    label: "noisy sphere (4 floats, σ = 1)",
    optimum: 0,
    space: sphereSpace,
    f: sphere,
    noise: 1,
  },
  "mixed-noisy": {
    label: "mixed (log float, float, int, categorical; σ = 0.2)",
    optimum: 0,
    space: mixedSpace,
    f: mixedClean,
    noise: 0.2,
  },
};

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
