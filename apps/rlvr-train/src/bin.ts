#!/usr/bin/env node
import { runCli } from "./cli.js";
import { processIo } from "./process-io.js";

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
