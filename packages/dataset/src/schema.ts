import { Type } from "typebox";

/**
 * Version of the dataset format described by {@link RlvrDataset}. Bumped only on a breaking change of
 * the example or dataset schema; readers reject other versions.
 */
export const SCHEMA_VERSION = 1;

/** Longest accepted `id`, `groupId` and `action` string, in Unicode code points (as JSON Schema counts). */
export const MAX_ID_LENGTH = 256;

/** A JSON value: what `metadata` holds once parsed (typed as `unknown` in the schemas' static types). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Scalar value of a context feature. */
export type FeatureValue = string | number | boolean;

const idString = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, description });

const unitInterval = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

/** An optional member holding a free-form JSON object. */
const freeFormObject = (description: string) =>
  Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: "object", description }));

/**
 * Schema of the decision context: what the policy sees before it acts. It must not depend on the
 * action taken. Both members are optional and an empty context is allowed (the policy then learns
 * one distribution over actions, a bandit without context).
 */
export const RlvrContextSchema = Type.Object(
  {
    prompt: Type.Optional(Type.String({ description: "Free text the decision was made on." })),
    features: Type.Optional(
      Type.Unsafe<Record<string, FeatureValue>>({
        type: "object",
        additionalProperties: { type: ["string", "number", "boolean"] },
        description: "Named scalar features (string, finite number or boolean).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "What the policy sees before acting; must not depend on the action taken.",
  },
);

/** Static type of {@link RlvrContextSchema}. */
export type RlvrContext = Type.Static<typeof RlvrContextSchema>;

/**
 * TypeBox schema of one logged decision, {@link RlvrExample}. Unknown members are rejected
 * (`additionalProperties: false`). Semantic rules that JSON Schema cannot express (finite numbers,
 * `allowedActions` containing `action`, unique ids, forbidden keys, nesting depth) are checked by the
 * validator in addition to this schema.
 */
export const RlvrExampleSchema = Type.Object(
  {
    id: idString("Unique id of the example within a dataset."),
    groupId: idString(
      "Group of the example: the prompt, request or scenario. GRPO groups are formed from it.",
    ),
    context: RlvrContextSchema,
    action: idString("The action taken (tool, strategy, model, prompt template)."),
    reward: unitInterval("Verifier reward in [0, 1]."),
    rewards: Type.Optional(
      Type.Unsafe<Record<string, number>>({
        type: "object",
        additionalProperties: { type: "number", minimum: 0, maximum: 1 },
        description: "Per-verifier reward components, each in [0, 1].",
      }),
    ),
    verified: Type.Boolean({ description: "Whether the verifier accepted the action." }),
    behaviorProb: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: "Probability the logging (behavior) policy gave the action taken, in (0, 1].",
      }),
    ),
    allowedActions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }), {
        minItems: 1,
        uniqueItems: true,
        description: "Actions that were available for this decision; must contain `action`.",
      }),
    ),
    weight: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        default: 1,
        description: "Positive sample weight; 1 when absent.",
      }),
    ),
    source: Type.Optional(Type.String({ description: "Where the example came from (system, log, file)." })),
    metadata: freeFormObject("Free-form JSON data carried along; never read by training."),
  },
  { additionalProperties: false, title: "RlvrExample", description: "One logged, verified decision." },
);

/** One logged decision: context, action taken, verifier reward. Static type of {@link RlvrExampleSchema}. */
export type RlvrExample = Type.Static<typeof RlvrExampleSchema>;

/** TypeBox schema of a whole dataset file, {@link RlvrDataset}. */
export const RlvrDatasetSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION, { description: "Format version; always 1." }),
    id: idString("Dataset id."),
    label: Type.String({ description: "Human-readable name." }),
    createdAt: Type.String({ format: "date-time", description: "RFC 3339 creation time." }),
    examples: Type.Array(RlvrExampleSchema, { minItems: 1, description: "The examples, at least one." }),
    metadata: freeFormObject("Free-form JSON data about the dataset."),
  },
  { additionalProperties: false, title: "RlvrDataset", description: "A dataset of RLVR examples." },
);

/** A dataset of examples with its identity. Static type of {@link RlvrDatasetSchema}. */
export type RlvrDataset = Type.Static<typeof RlvrDatasetSchema>;
