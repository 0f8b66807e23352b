import type { FeaturizerSpec } from "./config-schema.js";
import { RlvrLoopError } from "./errors.js";
import { compileSchema, describeSchemaError, schemaDefaults } from "./internal/ajv.js";
import { TRAIN_CONFIG_JSON_SCHEMA } from "./internal/config-schema.generated.js";

export type { FeaturizerSpec, NumericTransform } from "./config-schema.js";

/**
 * JSON Schema of a complete {@link FeaturizerSpec}, derived from its definition in config-schema.ts
 * (every member required, unknown members rejected).
 */
export const featurizerSpecSchema: Readonly<Record<string, unknown>> = (
  TRAIN_CONFIG_JSON_SCHEMA.properties as Readonly<Record<string, Readonly<Record<string, unknown>>>>
).featurizer!;

/** Default {@link FeaturizerSpec} (the schema's defaults): 2^18 buckets, features + unigrams + bigrams, lower-cased, no crosses. */
export const defaultFeaturizerSpec: FeaturizerSpec = freezeSpec(
  schemaDefaults(featurizerSpecSchema) as FeaturizerSpec,
);

function freezeSpec(spec: FeaturizerSpec): FeaturizerSpec {
  const crosses = spec.crosses.map((pair) => Object.freeze([pair[0], pair[1]] as const));
  return Object.freeze({ ...spec, crosses: Object.freeze(crosses) });
}

/**
 * The complete spec from a partial one: `partial` merged over {@link defaultFeaturizerSpec}, checked
 * against {@link featurizerSpecSchema}, deeply frozen, members in the schema's order. Throws
 * `INVALID_ARGUMENT` naming the JSON pointer of the bad member, its value and what was expected (also
 * the error's one `details` line).
 * @param partial - members to override in {@link defaultFeaturizerSpec}
 */
export function resolveFeaturizerSpec(partial: Partial<FeaturizerSpec> = {}): FeaturizerSpec {
  const fail = (problem: string): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `featurizer spec: ${problem}`, { details: [problem] });
  };
  if (typeof partial !== "object" || partial === null || Array.isArray(partial)) {
    fail(`/: expected an object, got ${JSON.stringify(partial)}`);
  }
  const merged = { ...defaultFeaturizerSpec, ...partial };
  const validate = compileSchema(featurizerSpecSchema);
  if (!validate(merged)) fail(describeSchemaError(validate.errors ?? []));
  const spec: Record<string, unknown> = {};
  for (const key of Object.keys(defaultFeaturizerSpec)) spec[key] = merged[key as keyof FeaturizerSpec];
  return freezeSpec(spec as FeaturizerSpec);
}

/** Whether two featurizer specs describe the same feature map. */
export function sameFeaturizerSpec(a: FeaturizerSpec, b: FeaturizerSpec): boolean {
  return JSON.stringify(resolveFeaturizerSpec(a)) === JSON.stringify(resolveFeaturizerSpec(b));
}
