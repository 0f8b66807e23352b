#!/usr/bin/env node
// Writes schema/example.json and schema/dataset.json from the TypeBox schemas (run after tsc, as part
// of `build`). A test checks that the committed files equal what this script writes.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { datasetJsonSchema, exampleJsonSchema, jsonSchemaFileText } from "../dist/index.js";

const dir = fileURLToPath(new URL("../schema/", import.meta.url));
for (const [name, schema] of [
  ["example.json", exampleJsonSchema()],
  ["dataset.json", datasetJsonSchema()],
]) {
  const file = join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, jsonSchemaFileText(schema));
  renameSync(tmp, file);
}
