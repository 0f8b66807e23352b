import { API_SCHEMAS, EVENT_ID_PATTERN } from "./schemas.js";
import { VERSION } from "./version.js";

/** A JSON value (what the OpenAPI document is made of). */
export type OpenApiJson = string | number | boolean | null | OpenApiJson[] | { [key: string]: OpenApiJson };

/** A schema as plain JSON (TypeBox's symbol-keyed members dropped). */
const plain = (schema: unknown): OpenApiJson => JSON.parse(JSON.stringify(schema)) as OpenApiJson;

const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const error = (description: string) => ({ description, content: json("ErrorResponse") });

/**
 * The OpenAPI 3.1 document of the serving API, generated from the same TypeBox schemas the server
 * validates with (committed as `schema/openapi.json`, exported as `@rlvr/serve/openapi.json`, served at `GET /openapi.json`).
 */
export function openApiDocument(): { [key: string]: OpenApiJson } {
  return {
    openapi: "3.1.0",
    info: {
      title: "rlvr policy server",
      version: VERSION,
      description:
        "Decisions from an rlvr policy with known exploration probabilities, rewards joined to them, a durable decision log. See docs/serving.md.",
    },
    paths: {
      "/v1/decisions": {
        post: {
          operationId: "decide",
          summary: "Choose an action for a context",
          description:
            "Answered after the decision is committed to the log. The draw is keyed by the server seed and the event id.",
          requestBody: { required: true, content: json("DecisionRequest") },
          responses: {
            "200": { description: "The decision", content: json("DecisionResponse") },
            "400": error("INVALID_REQUEST or UNKNOWN_ACTION"),
            "409": error("EVENT_EXISTS: the event id was decided for another request"),
            "413": error("BODY_TOO_LARGE"),
            "415": error("UNSUPPORTED_MEDIA_TYPE"),
            "503": error("LOG_WRITE_FAILED or SHUTTING_DOWN"),
          },
        },
      },
      "/v1/decisions/{eventId}/reward": {
        post: {
          operationId: "reward",
          summary: "Join the outcome of a decision",
          parameters: [
            {
              name: "eventId",
              in: "path",
              required: true,
              schema: { type: "string", pattern: EVENT_ID_PATTERN },
            },
          ],
          requestBody: { required: true, content: json("RewardRequest") },
          responses: {
            "200": { description: "The reward, committed", content: json("RewardResponse") },
            "400": error("INVALID_REQUEST"),
            "404": error("EVENT_NOT_FOUND"),
            "409": error("REWARD_EXISTS"),
            "410": error("REWARD_TOO_LATE: after the decision's wait time"),
            "503": error("LOG_WRITE_FAILED or SHUTTING_DOWN"),
          },
        },
      },
      "/v1/admin/reload": {
        post: {
          operationId: "reload",
          summary: "Serve a new checkpoint without dropping requests",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json("ReloadRequest") },
          responses: {
            "200": { description: "The checkpoint now served", content: json("ReloadResponse") },
            "401": error("UNAUTHORIZED"),
            "403": error("ADMIN_DISABLED"),
            "422": error("RELOAD_FAILED: the old checkpoint stays"),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          summary: "Liveness and the checkpoint served",
          responses: { "200": { description: "Serving", content: json("HealthResponse") } },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          responses: { "200": { description: "The OpenAPI document", content: { "application/json": {} } } },
        },
      },
      "/metrics": {
        get: {
          operationId: "metrics",
          summary: "Counters and latency histograms in the Prometheus text format",
          responses: {
            "200": { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } },
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: Object.fromEntries(Object.entries(API_SCHEMAS).map(([name, schema]) => [name, plain(schema)])),
    },
  };
}
