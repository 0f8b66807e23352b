// What crosses Redis, as TypeBox schemas checked with Ajv on arrival: the job payload (executor →
// worker), the job result (worker → executor), the channel's requests and replies, and a blob's
// manifest. Anything else is refused with the pointer of the first problems.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { type Static, type TSchema, Type } from "typebox";

/** Version of every message below; a message of another version is refused. */
export const WIRE_VERSION = 1;

/** Run ids: the id prefix of a study's jobs in the queue. */
export const RUN_ID_PATTERN = "^[A-Za-z0-9_.-]{1,128}$";

const Obj = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });
const Version = Type.Literal(WIRE_VERSION);
const Step = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Report = Type.Tuple([Step, Type.Number()]);
const ErrorInfo = Obj({
  name: Type.String({ maxLength: 1000 }),
  message: Type.String({ maxLength: 100_000 }),
  code: Type.Optional(Type.String({ maxLength: 200 })),
});

/** The data of a queue job: one trial of one run. */
export const TrialPayloadSchema = Obj({
  v: Version,
  kind: Type.Literal("rlvr-trial"),
  runId: Type.String({ pattern: RUN_ID_PATTERN }),
  /** Name of the trial runner, looked up in the worker's own table. */
  runner: Type.String({ minLength: 1, maxLength: 128 }),
  /** The run's input for the runner (JSON), the same for every trial of the run. */
  input: Type.Unknown(),
  task: Obj({
    number: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    seed: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    params: Type.Record(
      Type.String({ minLength: 1, maxLength: 128 }),
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
    ),
  }),
});
/** {@link TrialPayloadSchema}'s type. */
export type TrialPayload = Static<typeof TrialPayloadSchema>;

/** How a trial ended (the tuner's `TrialOutcome`). */
export const OutcomeSchema = Type.Union([
  Obj({ state: Type.Literal("complete"), value: Type.Number() }),
  Obj({ state: Type.Literal("pruned") }),
  Obj({ state: Type.Literal("failed"), error: ErrorInfo }),
]);

/** The return value of a finished queue job: the outcome and every report of the attempt. */
export const TrialResultSchema = Obj({
  v: Version,
  kind: Type.Literal("rlvr-trial-result"),
  outcome: OutcomeSchema,
  reports: Type.Array(Report, { maxItems: 1_000_000 }),
});
/** {@link TrialResultSchema}'s type. */
export type TrialResult = Static<typeof TrialResultSchema>;

/** Who asks and where the answer goes (the reply key's last part, chosen by the worker). */
const Envelope = {
  v: Version,
  reply: Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,200}$" }),
  jobId: Type.String({ minLength: 1, maxLength: 300 }),
};

/** A request from a running trial to its study. */
export const ChannelRequestSchema = Type.Union([
  Obj({
    ...Envelope,
    kind: Type.Literal("report"),
    /** Index (in the attempt's reports) of the first of `reports`. */
    from: Step,
    reports: Type.Array(Report, { minItems: 1, maxItems: 1_000_000 }),
  }),
  Obj({
    ...Envelope,
    kind: Type.Literal("prune"),
    /** Number of reports made before the question. */
    seq: Step,
  }),
]);
/** {@link ChannelRequestSchema}'s type. */
export type ChannelRequest = Static<typeof ChannelRequestSchema>;

/** The study's answer to a {@link ChannelRequest}. */
export const ChannelReplySchema = Type.Union([
  Obj({ v: Version, ok: Type.Literal(true), prune: Type.Optional(Type.Boolean()) }),
  /** The report was refused (e.g. `INVALID_REPORT`): thrown to the objective. */
  Obj({ v: Version, error: ErrorInfo }),
  /** The study holds fewer reports than the request assumed: send again from this index. */
  Obj({ v: Version, resync: Step }),
  /** The study no longer wants this trial (it was aborted). */
  Obj({ v: Version, cancel: Type.Literal(true) }),
]);
/** {@link ChannelReplySchema}'s type. */
export type ChannelReply = Static<typeof ChannelReplySchema>;

/** The manifest of a stored blob. */
export const BlobManifestSchema = Obj({
  v: Version,
  size: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  chunkBytes: Type.Integer({ minimum: 1, maximum: 512 * 2 ** 20 }),
  chunks: Type.Integer({ minimum: 0, maximum: 2 ** 31 }),
});
/** {@link BlobManifestSchema}'s type. */
export type BlobManifest = Static<typeof BlobManifestSchema>;

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  const lines = (errors ?? []).slice(0, 3).map((e) => {
    const where = e.instancePath === "" ? "/" : e.instancePath;
    if (e.keyword === "additionalProperties") {
      return `${where === "/" ? "" : where}/${(e.params as { additionalProperty: string }).additionalProperty}: unknown member`;
    }
    return `${where}: ${e.message ?? "is invalid"}`;
  });
  return [...new Set(lines)].join("; ");
}

/** A compiled check: `undefined` when `value` matches, else the reason (JSON pointers). */
export type Check<T> = (
  value: unknown,
) => { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });

function compile<S extends TSchema>(schema: S): Check<Static<S>> {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= ajv.compile(schema);
    return validate(value)
      ? { ok: true, value: value as Static<S> }
      : { ok: false, reason: describe(validate.errors) };
  };
}

/** Checks a job payload. */
export const checkPayload = compile(TrialPayloadSchema);
/** Checks a job result. */
export const checkResult = compile(TrialResultSchema);
/** Checks a channel request. */
export const checkRequest = compile(ChannelRequestSchema);
/** Checks a channel reply. */
export const checkReply = compile(ChannelReplySchema);
/** Checks a blob manifest. */
export const checkManifest = compile(BlobManifestSchema);

/** Parses JSON text and checks it; a parse error is a failed check too. */
export function parseChecked<T>(text: unknown, check: Check<T>): ReturnType<Check<T>> {
  if (typeof text !== "string") return check(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  return check(value);
}
