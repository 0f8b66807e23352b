// A worker process of the queue benchmark: serves job trials from the queue until SIGTERM.
import { createJobWorker } from "../dist/index.js";

const [redis, queue] = process.argv.slice(2);
const worker = await createJobWorker({ redis, queue });
process.stdout.write("ready\n");
process.once("SIGTERM", () => void worker.close({ handBack: true }));
await worker.done;
