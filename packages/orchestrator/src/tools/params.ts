import { resolveTrainConfig } from "@rlvr/rlvr-loop";
import { OrchestratorError } from "../errors.js";
import type { JobFile, JobSpec } from "../job-spec.js";
import { mergeJobSpecs } from "../job-spec-resolve.js";
import { applyParams } from "../params.js";

/** A hyperparameter value: what a search space can produce. */
export type ParamValue = string | number | boolean;

/**
 * The job spec with dotted parameters (`{ "optimizer.learningRate": 0.03 }`, as `tune` writes them)
 * set in its rlvr config, after checking every path and value against the job's complete config.
 * @throws {@link OrchestratorError} `INVALID_SPEC` when the job's rlvr config is invalid,
 *   `INVALID_ARGUMENT` for an unknown path or a bad value (the message names it)
 */
export function specWithParams(spec: JobSpec, params: Readonly<Record<string, ParamValue>>): JobSpec {
  let base: ReturnType<typeof resolveTrainConfig>;
  try {
    base = resolveTrainConfig(spec.rlvr ?? {});
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new OrchestratorError("INVALID_SPEC", `rlvr config: ${message}`, { cause: error });
  }
  try {
    applyParams(base, params);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new OrchestratorError("INVALID_ARGUMENT", message.replace(/^applyParams: /, ""), { cause: error });
  }
  const rlvr: Record<string, unknown> = {};
  for (const name of Object.keys(params).sort()) {
    const parts = name.split(".");
    let node = rlvr;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node[part] = typeof next === "object" && next !== null ? next : {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = params[name];
  }
  return mergeJobSpecs(spec, { rlvr: rlvr as JobFile["rlvr"] }) as JobSpec;
}
