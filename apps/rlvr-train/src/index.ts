/**
 * `rlvr-train`: the command line of rlvr. The binary is `rlvr-train`; this barrel exposes the same
 * entry point for programs and tests that run it in-process.
 * @packageDocumentation
 */
export { runCli } from "./cli.js";
export type { CliErrorCode } from "./errors.js";
export { CliError, ExitCode } from "./errors.js";
export type { CliIo } from "./io.js";
export { VERSION } from "./version.js";
