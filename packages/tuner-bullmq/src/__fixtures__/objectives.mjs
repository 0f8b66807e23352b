// The synthetic objective of the executor tests and the benchmark: Branin after a busy loop whose
// length depends on the trial seed (so trials finish out of order), reporting four intermediate values
// and asking the pruner after each. `options.delayMs` waits between reports (to kill a worker
// mid-trial); `options.offset` is added to every value (the tests ship it through the blob store).
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

export async function braninObjective(params, trial, options = {}) {
  const { delayMs = 0, offset = 0, work = 20_000 } = options;
  burn(work + (trial.seed % 8) * work);
  const value = branin(params.x1, params.x2) + offset;
  for (let step = 0; step < 4; step++) {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    trial.report(step, value * (1 + (3 - step) * 0.25));
    if (trial.shouldPrune()) trial.prune();
  }
  return value;
}

/** A CPU-bound objective with a fixed amount of work (the benchmark's speed-up measure). */
export function cpuObjective(params, _trial, options = {}) {
  const { iterations = 3_000_000 } = options;
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += Math.sqrt(i + params.x1 * acc * 1e-12);
  return branin(params.x1, params.x2) + acc * 1e-30;
}
