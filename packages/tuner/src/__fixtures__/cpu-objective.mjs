// CPU-bound objective for the worker-pool tests: Branin after a busy loop whose length depends on
// the trial seed (so trials finish out of order), reporting four intermediate values.
export function branin(x1, x2) {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

export function burn(iterations) {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += Math.sqrt(i + acc * 1e-12);
  return acc;
}

export async function objective(params, trial) {
  burn(100_000 + (trial.seed % 8) * 150_000);
  const value = branin(params.x1, params.x2);
  for (let step = 0; step < 4; step++) {
    trial.report(step, value * (1 + (3 - step) * 0.25));
    if (trial.shouldPrune()) trial.prune();
  }
  return value;
}
