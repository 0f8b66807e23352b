#!/usr/bin/env node
import { runCli } from "./cli.js";

// SIGINT and SIGTERM cancel the job through an AbortSignal: it stops at its next check, is recorded
// as cancelled (resumable with --resume), the registry says cancelled, and the command exits 130.
// A second signal exits at once.
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    const again = signal === "SIGINT" ? "press Ctrl-C again" : "send it again";
    process.stderr.write(`\ninterrupted (${signal}): stopping the job (${again} to quit at once)\n`);
    controller.abort(new Error(`interrupted (${signal})`));
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  signal: controller.signal,
  columns: process.stderr.columns ?? 80,
});
process.exitCode = code;
