// CPU-bound objective for the worker-pool benchmark: a fixed amount of floating-point work per trial.
export function objective(params) {
  let acc = 0;
  for (let i = 0; i < 6_000_000; i++) acc += Math.sqrt(i + params.x * acc * 1e-12);
  return (params.x - 0.3) ** 2 + acc * 1e-30;
}
