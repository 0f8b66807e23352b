import { MAX_ID_LENGTH, RlvrContextSchema } from "@rlvr/dataset";
import { Type } from "typebox";

/**
 * Pattern of an event id chosen by a client: 1 to 128 characters from `A-Z a-z 0-9 . _ : -`, starting
 * with a letter or digit. Ids the server generates start with `_`, so they never collide with these.
 */
export const CLIENT_EVENT_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";

/** Pattern of any event id in a URL: a client id or a generated one (`_` + digits and dots). */
export const EVENT_ID_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9._:-]{0,127}$";

const actionName = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });

/**
 * Pattern of a group id: any text without U+0000 or a lone UTF-16 surrogate (the decision log keeps
 * ids as SQLite text, which ends at U+0000 when read back, and stores Unicode only).
 */
export const GROUP_ID_PATTERN = "^[^\\u0000\\uD800-\\uDFFF]*$";

/** Body of `POST /v1/decisions`. */
export const DecisionRequestSchema = Type.Object(
  {
    context: RlvrContextSchema,
    allowedActions: Type.Optional(
      Type.Array(actionName, {
        minItems: 1,
        maxItems: 1024,
        uniqueItems: true,
        description: "Actions available for this decision (all of the policy's when absent).",
      }),
    ),
    groupId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_ID_LENGTH,
        pattern: GROUP_ID_PATTERN,
        description:
          "The request or task the decision belongs to: decisions with one groupId form one GRPO group on export. Defaults to the event id. No U+0000 and no lone surrogate.",
      }),
    ),
    eventId: Type.Optional(
      Type.String({
        pattern: CLIENT_EVENT_ID_PATTERN,
        description:
          "Your id of this decision. The draw is keyed by it: the same request with the same eventId gets the same decision (a repeat returns the logged one). Generated when absent.",
      }),
    ),
  },
  { additionalProperties: false, title: "DecisionRequest" },
);

/** Static type of {@link DecisionRequestSchema}. */
export type DecisionRequest = Type.Static<typeof DecisionRequestSchema>;

/** Answer of `POST /v1/decisions`. */
export const DecisionResponseSchema = Type.Object(
  {
    eventId: Type.String({
      description: "Id of the decision; post its reward to /v1/decisions/{eventId}/reward.",
    }),
    action: Type.String({ description: "The action to take." }),
    probability: Type.Number({ description: "Probability with which the action was drawn, in (0, 1]." }),
    explored: Type.Boolean({ description: "Whether the action differs from the policy's greedy action." }),
    checkpoint: Type.String({ description: "Content digest of the checkpoint that decided (sha256:...)." }),
  },
  { additionalProperties: false, title: "DecisionResponse" },
);

/** Static type of {@link DecisionResponseSchema}. */
export type DecisionResponse = Type.Static<typeof DecisionResponseSchema>;

/** Path parameters of `POST /v1/decisions/{eventId}/reward`. */
export const RewardParamsSchema = Type.Object(
  { eventId: Type.String({ pattern: EVENT_ID_PATTERN }) },
  { additionalProperties: false },
);

/** Body of `POST /v1/decisions/{eventId}/reward`. */
export const RewardRequestSchema = Type.Object(
  {
    reward: Type.Number({ minimum: 0, maximum: 1, description: "Verifier reward in [0, 1]." }),
    verified: Type.Optional(
      Type.Boolean({ description: "Whether the verifier accepted the outcome; reward ≥ 0.5 when absent." }),
    ),
    rewards: Type.Optional(
      Type.Unsafe<Record<string, number>>({
        type: "object",
        additionalProperties: { type: "number", minimum: 0, maximum: 1 },
        description: "Per-verifier reward components, each in [0, 1].",
      }),
    ),
  },
  { additionalProperties: false, title: "RewardRequest" },
);

/** Static type of {@link RewardRequestSchema}. */
export type RewardRequest = Type.Static<typeof RewardRequestSchema>;

/** Answer of `POST /v1/decisions/{eventId}/reward`. */
export const RewardResponseSchema = Type.Object(
  {
    eventId: Type.String(),
    reward: Type.Number(),
    verified: Type.Boolean(),
  },
  { additionalProperties: false, title: "RewardResponse" },
);

/** Static type of {@link RewardResponseSchema}. */
export type RewardResponse = Type.Static<typeof RewardResponseSchema>;

/** Body of `POST /v1/admin/reload`. */
export const ReloadRequestSchema = Type.Object(
  {
    checkpoint: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          "Checkpoint file to serve from now on, as the server resolves paths; the current file when absent.",
      }),
    ),
  },
  { additionalProperties: false, title: "ReloadRequest" },
);

/** Static type of {@link ReloadRequestSchema}. */
export type ReloadRequest = Type.Static<typeof ReloadRequestSchema>;

/** Answer of `POST /v1/admin/reload`. */
export const ReloadResponseSchema = Type.Object(
  {
    checkpoint: Type.String({ description: "Digest of the checkpoint now served." }),
    previous: Type.String({ description: "Digest of the checkpoint served before." }),
    changed: Type.Boolean(),
  },
  { additionalProperties: false, title: "ReloadResponse" },
);

/** Static type of {@link ReloadResponseSchema}. */
export type ReloadResponse = Type.Static<typeof ReloadResponseSchema>;

/** Answer of `GET /healthz`. */
export const HealthResponseSchema = Type.Object(
  {
    status: Type.Literal("ok"),
    checkpoint: Type.String(),
    actions: Type.Array(Type.String()),
  },
  { additionalProperties: false, title: "HealthResponse" },
);

/** Every failed answer: `{ "error": { code, message, pointer } }`, never a stack trace. */
export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: "Machine-readable reason (ServeErrorCode)." }),
        message: Type.String({ description: "What went wrong and what was expected." }),
        pointer: Type.String({
          description: "RFC 6901 JSON pointer to the offending request member ('' for none).",
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: "ErrorResponse" },
);

/** Static type of {@link ErrorResponseSchema}. */
export type ErrorResponse = Type.Static<typeof ErrorResponseSchema>;

/** Every schema of the API by the name the OpenAPI document gives it (`#/components/schemas/<name>`). */
export const API_SCHEMAS = {
  DecisionRequest: DecisionRequestSchema,
  DecisionResponse: DecisionResponseSchema,
  RewardRequest: RewardRequestSchema,
  RewardResponse: RewardResponseSchema,
  ReloadRequest: ReloadRequestSchema,
  ReloadResponse: ReloadResponseSchema,
  HealthResponse: HealthResponseSchema,
  ErrorResponse: ErrorResponseSchema,
} as const;
