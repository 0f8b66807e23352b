import { checkPropensityPointer, DATASET_FORMAT_OPTIONS } from "@rlvr/orchestrator";
import { CliError } from "./errors.js";

/** `--format` values accepted by `validate`, `fingerprint`, `run` and the stage commands. */
export const FORMAT_OPTIONS: readonly string[] = DATASET_FORMAT_OPTIONS;

/** Help text of `--propensity-pointer`, shared by every command that loads datasets. */
export const PROPENSITY_POINTER_HELP =
  'JSON pointer (RFC 6901) to the logging policy\'s probability of the action in each raw learning-trace, legacy-rlvr or completions record, e.g. "/metadata/behaviorProbability"; every example must have one in (0, 1] (see docs/dataset-format.md)';

/**
 * Checks `--propensity-pointer`: the syntax of the pointer, and that an explicit `--format` is not a
 * native one (whose examples carry `behaviorProb` themselves).
 * @returns the pointer, or undefined when the flag is absent
 * @throws {@link CliError} `USAGE` (exit 2)
 */
export function parsePropensityPointer(value: unknown, format: unknown): string | undefined {
  if (value === undefined || value === false) return undefined;
  const problem = checkPropensityPointer(value);
  if (problem !== undefined) throw new CliError("USAGE", `--propensity-pointer ${problem}`);
  if (format === "rlvr" || format === "jsonl") {
    throw new CliError(
      "USAGE",
      `--propensity-pointer applies to learning-trace, legacy-rlvr and completions files; --format ${format} examples carry behaviorProb themselves`,
    );
  }
  return value as string;
}
