import { OrchestratorError, type ParamValue, specWithParams } from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError } from "../errors.js";
import { readUserJson } from "../files.js";
import type { CliIo } from "../io.js";
import { buildJobSpec, JOB_ARGS, SHIP_ARGS } from "../job-args.js";
import { executeJob } from "../job-runner.js";

type Scalar = ParamValue;

/**
 * Reads a parameters file: `tune`'s `<label>.params.json` (`{ "params": {...} }`) or a plain object
 * of dotted TrainConfig paths to values (`{ "optimizer.learningRate": 0.03, "epochs": 4 }`).
 */
export async function readParams(file: string, cwd: string): Promise<Record<string, Scalar>> {
  const value = await readUserJson(file, cwd, "parameters");
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw new CliError("BAD_INPUT", `${file}: expected a JSON object of parameters`);
  const params = isObject(value.params) ? value.params : value;
  const problems: string[] = [];
  for (const [name, v] of Object.entries(params)) {
    const ok =
      typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
    if (!ok) problems.push(`  ${file}: /${name}: expected a string, finite number or boolean`);
  }
  if (Object.keys(params).length === 0) problems.push(`  ${file}: no parameters`);
  if (problems.length > 0)
    throw new CliError("BAD_INPUT", `${file}: invalid parameters file`, { details: problems });
  return params as Record<string, Scalar>;
}

/** `rlvr-train train --dataset <file...> --params params.json` */
export const trainCommand = defineCommand({
  meta: {
    name: "train",
    description:
      "Train the final policy with given parameters (no search), evaluate it on test and write the checkpoint, record and reports.",
  },
  args: {
    ...JOB_ARGS,
    ...SHIP_ARGS,
    params: {
      type: "string",
      description:
        "Parameters: tune's <label>.params.json or { dotted.path: value } (default: the job's rlvr config as is)",
      valueHint: "file",
    },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    for (const flag of ["trials", "concurrency"] as const) {
      if (optionalString(args[flag], `--${flag}`) !== undefined) {
        throw new CliError("USAGE", `train runs no search: --${flag} does not apply (use tune or run)`);
      }
    }
    const paramsFile = optionalString(args.params, "--params");
    const params = paramsFile === undefined ? null : await readParams(paramsFile, io.cwd);
    const spec = await buildJobSpec(args, io.cwd);
    let withParams = spec;
    if (params !== null && paramsFile !== undefined) {
      try {
        withParams = specWithParams(spec, params);
      } catch (error) {
        // a bad path or value in the parameters file: name the file
        if (!OrchestratorError.is(error) || error.code !== "INVALID_ARGUMENT") throw error;
        throw new CliError("BAD_INPUT", `${paramsFile}: ${error.message}`, { cause: error });
      }
    }
    return executeJob(
      io,
      { ...withParams, mode: "train" },
      {
        resume: args.resume === true,
        json: args.json === true,
      },
    );
  },
});
