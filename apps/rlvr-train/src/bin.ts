#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// `validate` streams a file of any size through short-lived objects. With V8's defaults its young
// generation grows to 2 × 16 MiB and garbage piles up in the old generation to ×4 the live heap before
// a full collection: most of the command's peak memory. So, for this process only and before the CLI's
// modules load: keep the young generation at its initial 2 × 1 MiB, collect the old generation once it
// has grown by half, and scavenge those small young generations on the main thread (parallel tasks
// cost more than they save there). Measured in docs/benchmarks.md (@rlvr/dataset, memory): peak
// about 40 % lower, CPU time 4–8 % higher.
if (process.argv[2] === "validate") {
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--heap-growing-percent=50");
  setFlagsFromString("--no-parallel-scavenge");
}
const { runCli } = await import("./cli.js");
const { processIo } = await import("./process-io.js");

// SIGINT and SIGTERM cancel the job through an AbortSignal: it stops at its next check, is recorded
// as cancelled (resumable with --resume), the registry says cancelled, and the command exits 130
// (`worker` hands its trials back and exits 0). A second signal exits at once.
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    const again = signal === "SIGINT" ? "press Ctrl-C again" : "send it again";
    process.stderr.write(`\ninterrupted (${signal}): stopping (${again} to quit at once)\n`);
    controller.abort(new Error(`interrupted (${signal})`));
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIo(controller.signal));
