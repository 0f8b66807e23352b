import type { CliIo } from "./io.js";

/** The real process as the CLI's IO: stdout, stderr, environment, working folder, terminal facts. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
    ...(signal === undefined ? {} : { signal }),
  };
}
