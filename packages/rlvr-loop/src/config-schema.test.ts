import { describe, expect, it } from "vitest";
import { trainConfigDefinition } from "./config-schema.js";
import { TRAIN_CONFIG_JSON_SCHEMA } from "./internal/config-schema.generated.js";

describe("the configuration's one definition", () => {
  it("matches its generated JSON Schema (run `pnpm --filter @rlvr/rlvr-loop run generate-schema` after a change)", () => {
    expect(JSON.stringify(TRAIN_CONFIG_JSON_SCHEMA)).toBe(JSON.stringify(trainConfigDefinition));
  });
});
