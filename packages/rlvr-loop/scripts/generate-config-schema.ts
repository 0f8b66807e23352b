// Writes src/internal/config-schema.generated.ts, the JSON Schema of the training configuration, from
// its one definition in src/config-schema.ts (TypeBox). Run after changing that file:
//   pnpm --filter @rlvr/rlvr-loop run generate-schema
// config-schema.test.ts fails while the generated file is out of date.
import { writeFileSync } from "node:fs";
import { trainConfigDefinition } from "../src/config-schema.js";

const target = new URL("../src/internal/config-schema.generated.ts", import.meta.url);
// One line per member of the configuration and of the featurizer spec (plain JSON, key order kept).
const { properties, ...rest } = trainConfigDefinition as unknown as {
  properties: Record<string, Record<string, unknown>>;
};
const member = (name: string, schema: unknown) => `    ${JSON.stringify(name)}: ${JSON.stringify(schema)},`;
const lines = Object.entries(properties).flatMap(([name, schema]) => {
  if (name !== "featurizer") return [member(name, schema)];
  return [
    `    "featurizer": {`,
    ...Object.entries(schema).flatMap(([k, v]) =>
      k === "properties"
        ? [`      "properties": {`, ...Object.entries(v).map(([p, q]) => `    ${member(p, q)}`), "      },"]
        : [`  ${member(k, v)}`],
    ),
    "    },",
  ];
});
const { type, required, ...annotations } = rest as Record<string, unknown>;
const text = `// Generated from src/config-schema.ts by scripts/generate-config-schema.ts; do not edit.
// JSON Schema of a complete training configuration (the featurizer spec is its "featurizer" member).
// biome-ignore format: generated, one line per member
export const TRAIN_CONFIG_JSON_SCHEMA: Readonly<Record<string, unknown>> = {
  "type": ${JSON.stringify(type)},
  "required": ${JSON.stringify(required)},
  "properties": {
${lines.join("\n")}
  },
${Object.entries(annotations)
  .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
  .join("\n")}
};
`;
writeFileSync(target, text);
console.log(`wrote ${target.pathname}`);
