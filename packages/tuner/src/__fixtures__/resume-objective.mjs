// Shared by the crash-and-resume test and its child process: the study options and an objective
// that takes real (asynchronous) time, so that trials are running when the child is killed.
export const SPACE = {
  x: { type: "float", low: -3, high: 3 },
  n: { type: "int", low: 1, high: 6 },
  opt: { type: "categorical", choices: ["a", "b", "c"] },
};
export const SEED = 77;
export const TRIALS = 14;
export const PENDING_WINDOW = 3;

export async function objective(params, trial) {
  const value = (params.x - 1) ** 2 + (params.n - 4) ** 2 / 3 + (params.opt === "b" ? 0 : 0.5);
  for (let step = 0; step < 3; step++) {
    await new Promise((resolve) => setTimeout(resolve, 25 + (trial.seed % 5) * 5));
    trial.report(step, value + (2 - step));
  }
  return value;
}
