#!/usr/bin/env node
// `rlvr-report`: the same command as `rlvr-train report`, through the same parser and error table.
import { runCli } from "./cli.js";

const argv = process.argv.slice(2);
const first = argv[0];
const code = await runCli(first === "--version" || first === "-v" ? [first] : ["report", ...argv], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  columns: process.stderr.columns ?? 80,
});
process.exitCode = code;
