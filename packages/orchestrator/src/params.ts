import type { PartialTrainConfig, TrainConfig } from "@rlvr/rlvr-loop";
import { resolveTrainConfig } from "@rlvr/rlvr-loop";
import { OrchestratorError } from "./errors.js";

/** The label rule lives with the record schema (`@rlvr/job-record`), re-exported here. */
export { labelFromFileStem, sanitizeLabel } from "@rlvr/job-record";

/**
 * Applies tuned parameters to a training configuration. A parameter name is a dotted path to a
 * member of `@rlvr/rlvr-loop`'s `TrainConfig` (`"optimizer.learningRate"`, `"kl.beta"`, `"epochs"`);
 * the result is validated by `resolveTrainConfig`.
 * @param base - the complete base configuration
 * @param params - parameter values by dotted path
 * @returns the complete configuration
 * @throws {@link OrchestratorError} `INVALID_ARGUMENT` for a path that names no configuration
 *   member, or a value the configuration rejects
 */
export function applyParams(
  base: TrainConfig,
  params: Readonly<Record<string, string | number | boolean>>,
): TrainConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const name of Object.keys(params).sort()) {
    const parts = name.split(".");
    let node: Record<string, unknown> = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i] as string];
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        throw new OrchestratorError("INVALID_ARGUMENT", `"${name}" is not a TrainConfig member path`);
      }
      node = next as Record<string, unknown>;
    }
    const leaf = parts[parts.length - 1] as string;
    if (!Object.hasOwn(node, leaf) || (typeof node[leaf] === "object" && node[leaf] !== null)) {
      throw new OrchestratorError("INVALID_ARGUMENT", `"${name}" is not a TrainConfig member path`);
    }
    node[leaf] = params[name];
  }
  try {
    return resolveTrainConfig(out as PartialTrainConfig);
  } catch (error) {
    throw new OrchestratorError("INVALID_ARGUMENT", (error as Error).message, {
      cause: error,
    });
  }
}

/**
 * Checks that every parameter of a search space names a scalar `TrainConfig` member.
 * @returns one `/searchSpace/<name>: message` line per bad name
 */
export function checkParamPaths(base: TrainConfig, names: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of names) {
    let node: unknown = base;
    for (const part of name.split(".")) {
      node =
        typeof node === "object" && node !== null && !Array.isArray(node) && Object.hasOwn(node, part)
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
    if (node === undefined || (typeof node === "object" && node !== null)) {
      problems.push(
        `/searchSpace/${name}: not a path to a scalar TrainConfig member (e.g. "optimizer.learningRate")`,
      );
    }
  }
  return problems;
}
