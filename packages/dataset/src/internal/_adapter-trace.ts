// The learning-trace and legacy-rlvr adapters: records of the original system, checked against
// their own schema, then mapped to an RlvrExample (whose checks point back at the source fields).
import type { TSchema } from "typebox";
import { Type } from "typebox";
import type { ResolvedReadOptions } from "../options.js";
import { MAX_ID_LENGTH, type RlvrExample } from "../schema.js";
import {
  applyPolicy,
  buildContext,
  type ConvertState,
  type RecordConverter,
  refuseRecord,
  renamer,
  withPropensity,
} from "./_adapter-shared.js";
import { compileChecker, type Location, reportAjvErrors } from "./_ajv.js";
import { checkRlvrExample } from "./_checks.js";
import { hash64 } from "./_hash64.js";
import type { IssueSink } from "./_sink.js";

const enumOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: "string", enum: [...values] });
const id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });
const unit = Type.Number({ minimum: 0, maximum: 1 });
const record = Type.Unsafe<Record<string, unknown>>({ type: "object" });

/** Labels of a learning-trace example (the original system's `TraceLabelSchema`). */
export const TraceLabelsSchema = Type.Object(
  {
    taskOutcome: enumOf(["success", "partial", "fail"]),
    verificationAlignment: enumOf(["aligned", "conflict", "unknown"]),
    policyCompliance: enumOf(["compliant", "non_compliant", "uncertain"]),
    safetyRisk: enumOf(["none", "low", "medium", "high"]),
    rewardHackingSignal: enumOf(["none", "suspected", "confirmed"]),
    notes: Type.Optional(Type.String()),
    reviewerId: Type.Optional(Type.String()),
    reviewedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** One learning-trace example. `id` is optional here (the original requires it). */
export const TraceExampleSchema = Type.Object(
  {
    id: Type.Optional(id),
    requestId: id,
    correlationId: Type.Optional(Type.String({ minLength: 1 })),
    toolName: id,
    source: Type.String({ minLength: 1 }),
    toolInput: record,
    toolOutput: Type.Optional(Type.Unknown()),
    durationMs: Type.Number({ minimum: 0 }),
    reward: unit,
    verificationPassed: Type.Boolean(),
    labels: TraceLabelsSchema,
    metadata: Type.Optional(record),
  },
  { additionalProperties: false },
);
type TraceExample = Type.Static<typeof TraceExampleSchema>;

/** One example of the original system's RLVR training dataset. */
export const LegacyExampleSchema = Type.Object(
  {
    id,
    toolName: id,
    reward: unit,
    source: Type.Optional(Type.String({ minLength: 1 })),
    scenarioId: Type.Optional(id),
    metadata: Type.Optional(record),
  },
  { additionalProperties: false },
);
type LegacyExample = Type.Static<typeof LegacyExampleSchema>;

/** How one schema-checked source format becomes an example. */
interface SchemaAdapter<T> {
  /** The source record's schema. */
  readonly schema: TSchema;
  /** Example pointer → source pointer, for the example's issues. */
  readonly rename: (pointer: string) => string;
  /** The example of a record that passed the schema; undefined when excluded or refused (reported). */
  readonly build: (record: T, at: Location, sink: IssueSink) => RlvrExample | undefined;
}

/** Converter of a schema-checked format: schema, then `build`, then the example's own checks. */
function schemaConverter<T>(o: ResolvedReadOptions, adapter: SchemaAdapter<T>): RecordConverter {
  return (raw, at, sink, surrogates) => {
    const errors = compileChecker(adapter.schema)(raw);
    if (errors !== undefined) {
      const from = sink.issues.length;
      reportAjvErrors(errors, at, sink);
      return refuseRecord(raw, o, at, sink, from);
    }
    const example = adapter.build(raw as T, at, sink);
    if (example === undefined) return undefined;
    return withPropensity(raw, example, o, at, sink, () =>
      checkRlvrExample(example, at, sink, surrogates, adapter.rename),
    );
  };
}

/** Example field → learning-trace field, for pointers in issues. */
const TRACE_RENAMES = [
  ["/groupId", "/requestId"],
  ["/action", "/toolName"],
  ["/verified", "/verificationPassed"],
  ["/metadata/traceMetadata", "/metadata"],
  ["/metadata", ""],
] as const;

/** Example field → legacy-rlvr field, for pointers in issues. */
const LEGACY_RENAMES = [
  ["/groupId", "/scenarioId"],
  ["/action", "/toolName"],
  ["/verified", "/metadata/verificationPassed"],
] as const;

/** The learning-trace converter. */
export function traceConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  return schemaConverter<TraceExample>(o, {
    schema: TraceExampleSchema,
    rename: renamer(TRACE_RENAMES, o.trace.context),
    build(r, at, sink) {
      hash64(r.requestId);
      const k = state.occurrences.addCurrent(0) - 1;
      const signal = r.labels.rewardHackingSignal;
      if (!applyPolicy(signal, o.trace.suspected, state, at, sink, "/labels/rewardHackingSignal"))
        return undefined;
      const metadata: Record<string, unknown> = {
        toolInput: r.toolInput,
        durationMs: r.durationMs,
        labels: r.labels,
      };
      if (r.correlationId !== undefined) metadata["correlationId"] = r.correlationId;
      if (r.toolOutput !== undefined) metadata["toolOutput"] = r.toolOutput;
      if (r.metadata !== undefined) metadata["traceMetadata"] = r.metadata;
      return {
        id: r.id ?? `${r.requestId}#${k}`,
        groupId: r.requestId,
        context: buildContext(r, o.trace.context),
        action: r.toolName,
        reward: r.reward,
        verified: r.verificationPassed,
        source: r.source,
        metadata,
      };
    },
  });
}

/** The legacy-rlvr converter. */
export function legacyConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  return schemaConverter<LegacyExample>(o, {
    schema: LegacyExampleSchema,
    rename: renamer(LEGACY_RENAMES, o.legacy.context),
    build(r, at, sink) {
      const labels = r.metadata?.["labels"];
      const signal =
        typeof labels === "object" && labels !== null
          ? (labels as Record<string, unknown>)["rewardHackingSignal"]
          : undefined;
      const pointer = "/metadata/labels/rewardHackingSignal";
      if (!applyPolicy(signal, o.legacy.suspected, state, at, sink, pointer)) return undefined;
      const passed = r.metadata?.["verificationPassed"];
      const example: RlvrExample = {
        id: r.id,
        groupId: r.scenarioId ?? r.id,
        context: buildContext(r, o.legacy.context),
        action: r.toolName,
        reward: r.reward,
        verified: typeof passed === "boolean" ? passed : r.reward >= o.legacy.verifiedThreshold,
      };
      if (r.source !== undefined) example.source = r.source;
      if (r.metadata !== undefined) example.metadata = r.metadata;
      return example;
    },
  });
}
