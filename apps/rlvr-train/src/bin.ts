#!/usr/bin/env node
import { runCli } from "./cli.js";

// SIGINT cancels the job through an AbortSignal: it stops at its next check, is recorded as
// cancelled (resumable with --resume) and the command exits 130. A second SIGINT exits at once.
const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write("\ninterrupted: stopping the job (press Ctrl-C again to quit at once)\n");
  controller.abort(new Error("interrupted (SIGINT)"));
});

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
