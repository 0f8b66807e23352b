import { isAbsolute, resolve } from "node:path";
import { DatasetError, type ReadOptions, type ValidationSummary, validateDatasetFiles } from "@rlvr/dataset";
import { CliError } from "./errors.js";

/**
 * Validates the files together (streaming; ids must be unique across them), turning I/O problems and
 * bad options into CLI errors (exit 2). Paths are reported as the user typed them when they are
 * relative to the process's own working folder.
 */
export async function readDatasetSummary(
  files: readonly string[],
  cwd: string,
  options: ReadOptions,
): Promise<ValidationSummary> {
  if (files.length === 0) throw new CliError("USAGE", "no dataset file given");
  const paths = files.map((f) => (isAbsolute(f) || cwd === process.cwd() ? f : resolve(cwd, f)));
  try {
    return await validateDatasetFiles(paths, options);
  } catch (error) {
    if (DatasetError.is(error)) throw new CliError("BAD_INPUT", error.message, { cause: error });
    throw error;
  }
}
