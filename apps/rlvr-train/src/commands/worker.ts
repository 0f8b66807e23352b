import { createJobWorker, type JobWorkerOptions } from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { type CliIo, printable } from "../io.js";
import { parseCount, REDIS_ARGS, redisEndpoint } from "../job-args.js";

type WorkerEvent = Parameters<NonNullable<JobWorkerOptions["onEvent"]>>[0];

/** One line of the worker's log on stderr. */
function eventLine(event: WorkerEvent): string {
  switch (event.type) {
    case "started":
      return `trial ${event.trial} started (${printable(event.jobId)})`;
    case "finished":
      return `trial ${event.trial} finished (${printable(event.jobId)})`;
    case "handed-back":
      return `trial ${event.trial} handed back to the queue (${printable(event.jobId)})`;
    case "refused":
      return `refused ${printable(event.jobId)}: [${event.code}] ${printable(event.message)}`;
    default:
      return printable(event.message);
  }
}

/** Milliseconds of a duration flag, from 100 ms to one day. */
function parseMs(text: unknown, flag: string): number | undefined {
  const given = optionalString(text, flag);
  return given === undefined ? undefined : parseCount(given, flag, 86_400_000);
}

/** Resolves when the command's signal (SIGINT or SIGTERM) aborts. */
function whenAborted(signal: AbortSignal | undefined): Promise<"signal"> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve("signal");
    else signal?.addEventListener("abort", () => resolve("signal"), { once: true });
  });
}

/** `rlvr-train worker --redis URL [--concurrency N]`: runs queued tuning trials until stopped. */
export const workerCommand = defineCommand({
  meta: {
    name: "worker",
    description:
      "Run the tuning trials of jobs started with --executor bullmq, from the Redis queue, until stopped (SIGINT or SIGTERM hand the running trials back to the queue, then exit 0). See docs/many-machines.md.",
  },
  args: {
    ...REDIS_ARGS,
    concurrency: {
      type: "string",
      description: "Trials at once in this process (default 1; for more cores, start more processes)",
      valueHint: "N",
    },
    "lock-duration": {
      type: "string",
      description:
        "Milliseconds a trial stays locked without renewal: a killed worker's trial runs elsewhere after it (default 30000)",
      valueHint: "MS",
    },
    "stalled-interval": {
      type: "string",
      description: "Milliseconds between checks for trials of killed workers (default 30000)",
      valueHint: "MS",
    },
    name: {
      type: "string",
      description: "Name of this worker on the trials it runs (default host:pid)",
      valueHint: "NAME",
    },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    if (args._.length > 0) throw new CliError("USAGE", `worker takes no arguments, got '${args._[0]}'`);
    const endpoint = redisEndpoint(args, io.env);
    if (endpoint === null) {
      throw new CliError("USAGE", "worker needs the queue's Redis URL: --redis URL or RLVR_REDIS_URL");
    }
    const concurrencyText = optionalString(args.concurrency, "--concurrency");
    const concurrency = concurrencyText === undefined ? 1 : parseCount(concurrencyText, "--concurrency", 256);
    const name = optionalString(args.name, "--name");
    const lockDurationMs = parseMs(args["lock-duration"], "--lock-duration");
    const stalledIntervalMs = parseMs(args["stalled-interval"], "--stalled-interval");
    const worker = await createJobWorker({
      ...endpoint,
      concurrency,
      ...(name === undefined ? {} : { name }),
      ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
      ...(stalledIntervalMs === undefined ? {} : { stalledIntervalMs }),
      onEvent: (event) => io.stderr(`${eventLine(event)}\n`),
    });
    const queue = endpoint.queue ?? "trials";
    io.stderr(
      `worker ${printable(worker.name)}: serving trials of queue "${printable(queue)}" at ${printable(worker.redisUrl)}, ${concurrency} at a time (stop with Ctrl-C or SIGTERM)\n`,
    );
    const stop = await Promise.race([worker.done.then(() => "done" as const), whenAborted(io.signal)]);
    if (stop === "signal") {
      await worker.close({ handBack: true });
      await worker.done;
      io.stderr("worker stopped; its running trials went back to the queue\n");
    }
    return ExitCode.ok;
  },
});
