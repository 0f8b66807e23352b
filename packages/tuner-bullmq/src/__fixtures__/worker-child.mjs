// A worker process for the tests and the benchmark. Run as:
// node --import tsx --conditions=@rlvr/source worker-child.mjs '<options JSON>'
// Prints one JSON line per worker event ({"type":"ready"} first); SIGTERM hands the trial back.
import { createQueueWorker, decodeStructured } from "@rlvr/tuner-bullmq";
import { braninObjective, cpuObjective } from "./objectives.mjs";

const options = JSON.parse(process.argv[2] ?? "{}");

/** The run's input: `{ delayMs, work, offsetBlob }`; the offset comes from the blob store. */
async function inputOf(input, context) {
  const offset =
    typeof input?.offsetBlob === "string" ? decodeStructured(await context.blobs.get(input.offsetBlob))[0] : 0;
  return { ...input, offset };
}

const worker = await createQueueWorker({
  ...options,
  runners: {
    branin: async (params, trial, context) => braninObjective(params, trial, await inputOf(context.input, context)),
    cpu: (params, trial, context) => cpuObjective(params, trial, context.input ?? {}),
  },
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: "ready" })}\n`);
process.on("SIGTERM", () => {
  worker.close({ handBack: true }).then(() => process.exit(0));
});
worker.done.then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.name} ${error.code}: ${error.message}\n`);
    process.exit(3);
  },
);
