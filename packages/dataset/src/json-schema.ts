import { RlvrDatasetSchema, RlvrExampleSchema } from "./schema.js";

/** JSON Schema dialect of the exported schema files (the `$schema` member). */
export const JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";

function document(schema: object): Record<string, unknown> {
  // A plain JSON copy: TypeBox's own (non-enumerable) markers are left behind.
  return { $schema: JSON_SCHEMA_DIALECT, ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}

/**
 * The JSON Schema (draft-07) of one example, as published in `@rlvr/dataset/schema/example.json`.
 * Rules that JSON Schema cannot express (finite numbers, `allowedActions` containing `action`, unique
 * ids, forbidden keys, nesting depth) are enforced by the validator only; see docs/dataset-format.md.
 */
export function exampleJsonSchema(): Record<string, unknown> {
  return document(RlvrExampleSchema);
}

/** The JSON Schema (draft-07) of a dataset document, as published in `@rlvr/dataset/schema/dataset.json`. */
export function datasetJsonSchema(): Record<string, unknown> {
  return document(RlvrDatasetSchema);
}

/** The exact text of a published schema file: 2-space indented JSON and a final newline. */
export function jsonSchemaFileText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
