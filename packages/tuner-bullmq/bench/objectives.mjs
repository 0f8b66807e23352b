// The benchmark's trial code: the workers register these as runners, the inline baseline calls them.
function burn(iterations, x) {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += Math.sqrt(i + x * acc * 1e-12);
  return acc;
}

/** Work per trial of the CPU-bound objective: square roots. */
export const CPU_ITERATIONS = 6_000_000;

/** The CPU-bound objective (also the worker-thread baseline's module export). */
export function cpu(params) {
  return params.x + burn(CPU_ITERATIONS, params.x) * 1e-30;
}

export const runners = {
  // Returns at once: what is measured is the queue's own cost per trial.
  noop: (params) => params.x,
  // Four reports and four pruning questions: the channel's cost.
  reports: (params, trial) => {
    for (let step = 0; step < 4; step++) {
      trial.report(step, params.x + step);
      if (trial.shouldPrune()) trial.prune();
    }
    return params.x;
  },
  // A fixed amount of floating-point work per trial.
  cpu,
};
