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

const runners = {
  branin: async (params, trial, context) => braninObjective(params, trial, await inputOf(context.input, context)),
  cpu: (params, trial, context) => cpuObjective(params, trial, context.input ?? {}),
};
// One worker per queue named in `queues` (so one process can serve several test queues).
const { queues = [options.queue], ...rest } = options;
const workers = await Promise.all(
  queues.map((queue) =>
    createQueueWorker({
      ...rest,
      queue,
      runners,
      onEvent: (event) => process.stdout.write(`${JSON.stringify({ ...event, queue })}\n`),
    }),
  ),
);
process.stdout.write(`${JSON.stringify({ type: "ready" })}\n`);
process.on("SIGTERM", () => {
  Promise.all(workers.map((w) => w.close({ handBack: true }))).then(() => process.exit(0));
});
for (const worker of workers) {
  worker.done.then(
    () => {},
    (error) => {
      process.stderr.write(`${error.name} ${error.code}: ${error.message}\n`);
      process.exit(3);
    },
  );
}
