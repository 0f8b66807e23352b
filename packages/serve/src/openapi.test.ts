import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi.js";

describe("openApiDocument", () => {
  it("matches the committed openapi.json (regenerate: pnpm --filter @rlvr/serve run build && run openapi)", () => {
    const committed = readFileSync(new URL("../schema/openapi.json", import.meta.url), "utf8");
    expect(committed).toBe(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
  });

  it("describes every route with the request schemas the server validates with", () => {
    const doc = openApiDocument() as {
      paths: Record<string, unknown>;
      components: {
        schemas: Record<
          string,
          { additionalProperties?: unknown; required?: unknown; properties: Record<string, unknown> }
        >;
      };
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/healthz",
      "/metrics",
      "/openapi.json",
      "/v1/admin/reload",
      "/v1/decisions",
      "/v1/decisions/{eventId}/reward",
    ]);
    expect(doc.components.schemas.DecisionRequest!.additionalProperties).toBe(false);
    expect(doc.components.schemas.DecisionRequest!.required).toEqual(["context"]);
    expect(doc.components.schemas.RewardRequest!.properties.reward).toMatchObject({ minimum: 0, maximum: 1 });
  });
});
