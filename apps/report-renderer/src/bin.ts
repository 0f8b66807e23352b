#!/usr/bin/env node
import { runReportCli } from "./cli.js";

const code = await runReportCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
