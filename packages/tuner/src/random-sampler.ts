import { sampleAllUniform } from "./_domain.js";
import type { Sampler } from "./sampler.js";

/**
 * A sampler that draws every parameter independently and uniformly: uniform on `[low, high]` for
 * floats, log-uniform for `log` parameters, uniform over the grid points of stepped ones and over the
 * choices of categorical ones. Trial k's draw depends only on the study seed and k.
 * @returns the sampler (description `{ kind: "random", options: {} }`)
 */
export function createRandomSampler(): Sampler {
  return Object.freeze({
    description: Object.freeze({ kind: "random", options: Object.freeze({}) }),
    sample: (context) => sampleAllUniform(context.space, context.rng),
  } satisfies Sampler);
}
