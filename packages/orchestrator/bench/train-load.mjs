// Worker of bench/job.mjs: trains the RLVR loop on 50 000 generated decisions (3 × 2 epochs) and
// posts the milliseconds it took. Run alone and as two threads at once, it shows how much two
// trainings slow each other down on this machine.
import { parentPort } from "node:worker_threads";
import { buildTrainingData, createToolRoutingEnvironment, train } from "@rlvr/rlvr-loop";

export async function trainLoad() {
  const { dataset } = createToolRoutingEnvironment().generateLogs({ n: 50_000, seed: 7 });
  const actions = [...new Set(dataset.examples.map((e) => e.action))].sort();
  const data = buildTrainingData(dataset.examples, { actions });
  const t = performance.now();
  // offline GRPO, as when these numbers were recorded (the default target fits reward models first)
  const config = { actions, epochs: 2, offPolicy: { target: "grpo" } };
  for (let i = 0; i < 3; i++) await train({ train: data }, { ...config, seed: i });
  return performance.now() - t;
}

if (parentPort !== null) parentPort.postMessage(await trainLoad());
