// The envelope of a dataset document: its own members (id, label, createdAt, metadata, schemaVersion)
// checked per format, and where its examples are.
import type { ValidateFunction } from "ajv";
import { Type } from "typebox";
import type { DatasetFormat } from "../formats.js";
import { IssueCode } from "../issues.js";
import { MAX_ID_LENGTH, RlvrDatasetSchema, SCHEMA_VERSION } from "../schema.js";
import { compileOnce, type Location, reportAjvErrors } from "./_ajv.js";
import { checkTree } from "./_checks.js";
import type { FileContext } from "./_file-context.js";
import type { IssueSink } from "./_sink.js";

/** The identity a document gives the dataset. */
export interface DocInfo {
  id?: string;
  label?: string;
  createdAt?: string;
  metadata?: Record<string, unknown>;
}

const datasetEnvelope = {
  ...RlvrDatasetSchema,
  properties: { ...RlvrDatasetSchema.properties, schemaVersion: {}, examples: { type: "array" } },
};

const createdAtField = Type.Unknown();
const traceEnvelope = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }),
    label: Type.String(),
    createdAt: createdAtField,
    examples: Type.Unsafe<unknown[]>({ type: "array" }),
  },
  { additionalProperties: false },
);
const legacyEnvelope = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }),
    label: Type.String(),
    createdAt: createdAtField,
    examples: Type.Unsafe<unknown[]>({ type: "array" }),
    metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: "object" })),
  },
  { additionalProperties: false },
);
const dateTime = { type: "string", format: "date-time" };

let dateTimeValidator: ValidateFunction | undefined;

/** Whether `v` is an RFC 3339 date-time string. */
export function isDateTime(v: unknown): boolean {
  dateTimeValidator ??= compileOnce(dateTime);
  return dateTimeValidator(v);
}

const EPOCH_MS_MAX = 8.64e15;

function createdAtOf(v: unknown, at: Location, sink: IssueSink): string | undefined {
  const expected = "epoch milliseconds (integer ≥ 0) or an RFC 3339 date-time string";
  const pointer = `${at.base}/createdAt`;
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0 && v <= EPOCH_MS_MAX) return new Date(v).toISOString();
    sink.report(IssueCode.OUT_OF_RANGE, at.file, at.line, pointer, "not a valid time", v, expected);
    return undefined;
  }
  if (typeof v === "string") {
    if (isDateTime(v)) return v;
    sink.report(IssueCode.INVALID_VALUE, at.file, at.line, pointer, "not a valid date-time", v, expected);
    return undefined;
  }
  if (v !== undefined)
    sink.report(IssueCode.WRONG_TYPE, at.file, at.line, pointer, "wrong type", v, expected);
  return undefined;
}

/** The examples of a document (undefined when there are none to read), where they are, and its identity. */
export interface Envelope {
  examples: unknown[] | undefined;
  base: string;
  doc: DocInfo;
}

/**
 * Checks the envelope of a `format` document parsed to `root`, reporting into `ctx.sink`;
 * `surrogates`: the text may hold lone surrogates.
 */
export function checkEnvelope(
  ctx: FileContext,
  format: DatasetFormat,
  parsed: { root: unknown; surrogates: boolean },
): Envelope {
  const { root, surrogates } = parsed;
  const { path: file, sink } = ctx;
  let base = "";
  let value = root;
  if (format === "learning-trace" && typeof root === "object" && root !== null && !Array.isArray(root)) {
    const keys = Object.keys(root);
    if (keys.length === 1 && keys[0] === "dataset") {
      base = "/dataset";
      value = (root as Record<string, unknown>)["dataset"];
    }
  }
  const at: Location = { file, line: undefined, base };
  const doc: DocInfo = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    sink.report(
      IssueCode.WRONG_TYPE,
      file,
      undefined,
      base,
      "the dataset is not a JSON object",
      value,
      "a dataset object with examples",
    );
    return { examples: undefined, base, doc };
  }
  const v = value as Record<string, unknown>;
  const schema =
    format === "rlvr" ? datasetEnvelope : format === "learning-trace" ? traceEnvelope : legacyEnvelope;
  const validate = compileOnce(schema);
  if (!validate(v)) reportAjvErrors(validate.errors ?? [], at, sink);
  if (format === "rlvr") {
    const version = v["schemaVersion"];
    if (version !== undefined && version !== SCHEMA_VERSION) {
      sink.report(
        IssueCode.UNSUPPORTED_VERSION,
        file,
        undefined,
        `${base}/schemaVersion`,
        `schemaVersion ${JSON.stringify(version)} is not supported by this version of @rlvr/dataset`,
        version,
        String(SCHEMA_VERSION),
      );
    }
    if (typeof v["createdAt"] === "string") doc.createdAt = v["createdAt"];
  } else {
    const createdAt = createdAtOf(v["createdAt"], at, sink);
    if (createdAt !== undefined) doc.createdAt = createdAt;
  }
  if (typeof v["id"] === "string") doc.id = v["id"];
  if (typeof v["label"] === "string") doc.label = v["label"];
  const metadata = v["metadata"];
  if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
    if (checkTree(metadata, { depth: 2, pointer: `${base}/metadata` }, { at, sink, surrogates }))
      doc.metadata = metadata as Record<string, unknown>;
  }
  const examples = v["examples"];
  if (!Array.isArray(examples)) return { examples: undefined, base, doc };
  if (examples.length === 0) {
    sink.report(
      IssueCode.EMPTY_DATASET,
      file,
      undefined,
      `${base}/examples`,
      "the dataset has no examples",
      examples,
      "at least one example",
    );
  }
  return { examples, base, doc };
}
