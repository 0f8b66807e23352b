#!/usr/bin/env node
// Writes schema/job-record.json and schema/job-file.json from the TypeBox schemas (run after tsc, as
// part of `build`). A test checks that the committed files equal what this script writes.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jobFileJsonSchema, jobRecordSchemaFileText } from "../dist/index.js";

const dir = fileURLToPath(new URL("../schema/", import.meta.url));
for (const [name, text] of [
  ["job-record.json", jobRecordSchemaFileText()],
  ["job-file.json", `${JSON.stringify(jobFileJsonSchema(), null, 2)}\n`],
]) {
  const file = join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
