// Objective factories for the worker-pool `factoryData` tests. `makeObjective` runs once per worker:
// it counts its calls in this thread, so a trial can tell whether its worker reused the objective.
let setups = 0;

export async function makeObjective(data) {
  setups += 1;
  await new Promise((resolve) => setTimeout(resolve, 1));
  const { offset, scale } = data;
  return (params) => offset + scale * params.x + 1000 * setups;
}

export function notAFactory(_data) {
  return 42;
}

export function throwingFactory(data) {
  throw new Error(`cannot set up with ${JSON.stringify(data)}`);
}
