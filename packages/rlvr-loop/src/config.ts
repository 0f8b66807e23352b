import type { TrainConfig } from "./config-schema.js";
import { RlvrLoopError } from "./errors.js";
import { resolveFeaturizerSpec } from "./featurizer-spec.js";
import { compileSchema, describeSchemaError, schemaDefaults } from "./internal/ajv.js";
import { TRAIN_CONFIG_JSON_SCHEMA } from "./internal/config-schema.generated.js";

/** A partial {@link TrainConfig}: any member may be left out, nested objects too. */
export type PartialTrainConfig = {
  readonly [K in keyof TrainConfig]?: TrainConfig[K] extends readonly unknown[] | null
    ? TrainConfig[K]
    : TrainConfig[K] extends object
      ? Partial<TrainConfig[K]>
      : TrainConfig[K];
};

/**
 * JSON Schema of a complete {@link TrainConfig}, derived from its one definition (TypeBox, in
 * config-schema.ts): every member's type, range, `default` and `description`. Every member is
 * required and unknown members are rejected: validate the output of {@link resolveTrainConfig}, or a
 * stored configuration.
 */
export const trainConfigSchema: Readonly<Record<string, unknown>> = TRAIN_CONFIG_JSON_SCHEMA;

/** The default training configuration: the schema's defaults, deeply frozen. */
export const defaultTrainConfig: TrainConfig = deepFreeze(schemaDefaults(trainConfigSchema) as TrainConfig);

/** Members whose value is an object merged member by member over the default. */
const NESTED = Object.entries(trainConfigSchema.properties as Readonly<Record<string, { type?: unknown }>>)
  .filter(([key, schema]) => key !== "featurizer" && schema.type === "object")
  .map(([key]) => key);

const invalid = (problem: string, cause?: unknown): never => {
  throw new RlvrLoopError("INVALID_CONFIG", `training configuration: ${problem}`, {
    details: [problem],
    ...(cause === undefined ? {} : { cause }),
  });
};

/**
 * Check a complete configuration against {@link trainConfigSchema} (plus finiteness); throws
 * `INVALID_CONFIG` naming the JSON pointer of the first problem, the bad value and what was expected
 * (also as the error's one `details` line).
 * @param config - the complete configuration
 */
export function validateTrainConfig(config: unknown): asserts config is TrainConfig {
  const validate = compileSchema(trainConfigSchema);
  if (!validate(config)) invalid(describeSchemaError(validate.errors ?? []));
  const bad = findNonFinite(config, "");
  if (bad !== null) invalid(`${bad.path}: expected a finite number, got ${bad.value}`);
}

function findNonFinite(value: unknown, path: string): { path: string; value: number } | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : { path: path || "/", value };
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const r = findNonFinite(v, `${path}/${k}`);
      if (r !== null) return r;
    }
  }
  return null;
}

/**
 * The complete configuration: `partial` merged over {@link defaultTrainConfig} (nested objects merged
 * member by member, arrays replaced, the featurizer completed by `resolveFeaturizerSpec`), validated,
 * deeply frozen. Members keep the schema's order. Throws `INVALID_CONFIG` naming the JSON pointer of
 * a bad or unknown member, its value and what was expected.
 * @param partial - the members to override
 */
export function resolveTrainConfig(partial: PartialTrainConfig = {}): TrainConfig {
  if (typeof partial !== "object" || partial === null || Array.isArray(partial)) {
    invalid(`/: expected an object, got ${JSON.stringify(partial)}`);
  }
  const merged: Record<string, unknown> = { ...defaultTrainConfig, ...partial };
  for (const key of NESTED) {
    const value = (partial as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      invalid(`/${key}: expected an object, got ${JSON.stringify(value)}`);
    }
    merged[key] = { ...(defaultTrainConfig[key as keyof TrainConfig] as object), ...value };
  }
  if (partial.featurizer !== undefined) {
    const spec: unknown = partial.featurizer;
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
      invalid(`/featurizer: expected an object, got ${JSON.stringify(spec)}`);
    }
    try {
      merged.featurizer = resolveFeaturizerSpec(partial.featurizer);
    } catch (err) {
      const detail = RlvrLoopError.is(err) ? err.details[0] : undefined;
      invalid(`/featurizer${detail ?? `: ${(err as Error).message}`}`, err);
    }
  }
  if (Array.isArray(merged.actions)) merged.actions = [...(merged.actions as string[])];
  if (merged.rewardWeights !== null && typeof merged.rewardWeights === "object") {
    merged.rewardWeights = { ...(merged.rewardWeights as Record<string, number>) };
  }
  validateTrainConfig(merged);
  return deepFreeze(merged as unknown as TrainConfig);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
