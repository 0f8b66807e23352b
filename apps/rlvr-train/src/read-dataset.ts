import { isAbsolute, resolve } from "node:path";
import { type ValidateFilesOptions, type ValidationSummary, validateFiles } from "@rlvr/orchestrator";
import { CliError } from "./errors.js";

/**
 * Validates the files together (streaming; ids must be unique across them). Paths are reported as
 * the user typed them when they are relative to the process's own working folder.
 */
export async function readDatasetSummary(
  files: readonly string[],
  cwd: string,
  options: Omit<ValidateFilesOptions, "files">,
): Promise<ValidationSummary> {
  if (files.length === 0) throw new CliError("USAGE", "no dataset file given");
  const paths = files.map((f) => (isAbsolute(f) || cwd === process.cwd() ? f : resolve(cwd, f)));
  return validateFiles({ ...options, files: paths });
}
