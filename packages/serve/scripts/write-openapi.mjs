#!/usr/bin/env node
// Writes openapi.json (the committed OpenAPI document of the serving API) from the built package:
// `pnpm --filter @rlvr/serve run build && pnpm --filter @rlvr/serve run openapi`. A test checks that
// the committed file equals `openApiDocument()`.
import { writeFileSync } from "node:fs";
import { openApiDocument } from "../dist/index.js";

writeFileSync(
  new URL("../schema/openapi.json", import.meta.url),
  `${JSON.stringify(openApiDocument(), null, 2)}\n`,
);
