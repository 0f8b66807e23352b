#!/usr/bin/env node
// `rlvr-report`: the same command as `rlvr-train report`, through the same parser and error table.
import { runCli } from "./cli.js";
import { processIo } from "./process-io.js";

const argv = process.argv.slice(2);
const first = argv[0];
process.exitCode = await runCli(
  first === "--version" || first === "-v" ? [first] : ["report", ...argv],
  processIo(),
);
