// A worker process of the benchmark (built package): node bench/worker.mjs <redis URL> <queue>
import { createQueueWorker } from "../dist/index.js";
import { runners } from "./objectives.mjs";

const [redis, queue] = process.argv.slice(2);
const worker = await createQueueWorker({ redis, queue, runners });
process.stdout.write("ready\n");
process.on("SIGTERM", () => void worker.close({ handBack: true }).then(() => process.exit(0)));
