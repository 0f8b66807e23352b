// Record converters: one source record (a parsed JSON value) in, one checked RlvrExample out, or
// nothing (invalid: issues reported; or excluded: counted).
import { createHash } from "node:crypto";
import type { ErrorObject } from "ajv";
import { Type } from "typebox";
import { type DatasetIssue, IssueCode } from "../issues.js";
import type {
  DatasetFormat,
  ResolvedContextMapping,
  ResolvedReadOptions,
  SuspectedPolicy,
} from "../options.js";
import { PROPENSITY_EXPECTED } from "../propensity.js";
import { MAX_ID_LENGTH, type RlvrContext, type RlvrExample } from "../schema.js";
import { compileChecker, FORBIDDEN_KEYS, type Location, reportAjvErrors } from "./_ajv.js";
import { canonicalJson } from "./_canonical-json.js";
import { checkRlvrExample } from "./_checks.js";
import { GroupTable } from "./_hash-table.js";
import { hash64 } from "./_hash64.js";
import { resolveTokens } from "./_pointer.js";
import { type IssueSink, NO_VALUE } from "./_sink.js";
import { codePoints } from "./_text.js";

/** State shared by the converters of one load (several files). */
export interface ConvertState {
  /** Excluded examples by reason. */
  excluded: Record<string, number>;
  /** Examples kept although labelled `rewardHackingSignal: "suspected"`. */
  suspectedKept: number;
  /** Occurrences per group, to number examples that carry no id of their own. */
  occurrences: GroupTable;
}

/** Fresh shared state. */
export function createConvertState(): ConvertState {
  return { excluded: {}, suspectedKept: 0, occurrences: new GroupTable() };
}

/** Converts source records of one format. */
export type RecordConverter = (
  raw: unknown,
  at: Location,
  sink: IssueSink,
  surrogates: boolean,
) => RlvrExample | undefined;

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

let traceChecker: ((value: unknown) => readonly ErrorObject[] | undefined) | undefined;
let legacyChecker: ((value: unknown) => readonly ErrorObject[] | undefined) | undefined;

function startsWithToken(p: string, prefix: string): boolean {
  return p === prefix || (p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47);
}

function replacePrefix(p: string, prefix: string, by: string): string | undefined {
  return startsWithToken(p, prefix) ? by + p.slice(prefix.length) : undefined;
}

function buildContext(source: unknown, m: ResolvedContextMapping): RlvrContext {
  const context: Record<string, unknown> = {};
  if (m.prompt !== undefined) {
    const prompt = resolveTokens(source, m.prompt.tokens);
    if (prompt !== undefined) context["prompt"] = prompt;
  }
  let features: unknown;
  if (m.features !== undefined) {
    const f = resolveTokens(source, m.features.tokens);
    features = typeof f === "object" && f !== null && !Array.isArray(f) ? { ...f } : f;
  }
  for (const field of m.featureFields) {
    const v = resolveTokens(source, field.tokens);
    if (v === undefined) continue;
    if (features === undefined) features = {};
    if (typeof features === "object" && features !== null && !Array.isArray(features)) {
      (features as Record<string, unknown>)[field.name] = v;
    }
  }
  if (features !== undefined) context["features"] = features;
  return context as RlvrContext;
}

function contextRename(p: string, m: ResolvedContextMapping): string | undefined {
  if (startsWithToken(p, "/context/prompt")) return (m.prompt?.pointer ?? "/context/prompt") + p.slice(15);
  if (startsWithToken(p, "/context/features")) {
    const rest = p.slice(17);
    const name = rest.slice(1).split("/")[0]!.replace(/~1/g, "/").replace(/~0/g, "~");
    const field = rest === "" ? undefined : m.featureFields.find((f) => f.name === name);
    if (field !== undefined) return field.pointer + rest.slice(1 + rest.slice(1).split("/")[0]!.length);
    return (m.features?.pointer ?? "/context/features") + rest;
  }
  return undefined;
}

function applyPolicy(
  signal: unknown,
  policy: SuspectedPolicy,
  state: ConvertState,
  at: Location,
  sink: IssueSink,
  pointer: string,
): boolean {
  if (signal === "confirmed") {
    state.excluded["rewardHackingConfirmed"] = (state.excluded["rewardHackingConfirmed"] ?? 0) + 1;
    return false;
  }
  if (signal !== "suspected") return true;
  if (policy === "keep") {
    state.suspectedKept++;
    return true;
  }
  if (policy === "exclude") {
    state.excluded["rewardHackingSuspected"] = (state.excluded["rewardHackingSuspected"] ?? 0) + 1;
    return false;
  }
  sink.report(
    IssueCode.REWARD_HACKING_SUSPECTED,
    at.file,
    at.line,
    at.base + pointer,
    'example labelled rewardHackingSignal "suspected" (policy "reject")',
    signal,
    '"none", or another suspected policy ("keep" or "exclude")',
  );
  return false;
}

/** A propensity read through the `propensityPointer` option: the number, or what is wrong with it. */
type Propensity =
  | { readonly value: number }
  | { readonly code: IssueCode; readonly message: string; readonly found: unknown };

/** Evaluates the propensity pointer on a raw record; `undefined` when the option is not given. */
function readPropensity(raw: unknown, o: ResolvedReadOptions): Propensity | undefined {
  const p = o.propensity;
  if (p === undefined) return undefined;
  const v = resolveTokens(raw, p.tokens);
  const where = `the propensity pointer ${p.pointer}`;
  if (v === undefined) {
    return {
      code: IssueCode.MISSING_FIELD,
      message: `missing propensity: ${where} resolves to nothing (every example must have one when the pointer is given)`,
      found: NO_VALUE,
    };
  }
  if (typeof v !== "number") {
    return {
      code: IssueCode.WRONG_TYPE,
      message: `propensity is not a number: ${where} resolves to ${v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`}`,
      found: v,
    };
  }
  if (!Number.isFinite(v))
    return { code: IssueCode.NOT_FINITE, message: "propensity is not a finite number", found: v };
  if (!(v > 0 && v <= 1))
    return { code: IssueCode.OUT_OF_RANGE, message: "propensity out of range", found: v };
  return { value: v };
}

/**
 * Reports a bad propensity at the pointer's place in the file, unless an issue added since `from`
 * already points there or to a value that contains it (the schema checks saw it first).
 */
function reportPropensity(
  prop: Propensity | undefined,
  o: ResolvedReadOptions,
  at: Location,
  sink: IssueSink,
  from: number,
): boolean {
  if (prop === undefined || "value" in prop) return true;
  const pointer = at.base + (o.propensity as { pointer: string }).pointer;
  const seen = (issue: DatasetIssue) =>
    issue.file === at.file && (issue.pointer === pointer || pointer.startsWith(`${issue.pointer}/`));
  if (!sink.issues.slice(from).some(seen)) {
    sink.report(prop.code, at.file, at.line, pointer, prop.message, prop.found, PROPENSITY_EXPECTED);
  }
  return false;
}

/**
 * Sets the example's `behaviorProb` from the propensity pointer (it wins over anything the record says),
 * runs the example's checks, then reports a bad propensity. The example when everything is valid.
 */
function withPropensity(
  raw: unknown,
  example: RlvrExample,
  o: ResolvedReadOptions,
  at: Location,
  sink: IssueSink,
  check: () => boolean,
): RlvrExample | undefined {
  const prop = readPropensity(raw, o);
  if (prop !== undefined && "value" in prop) example.behaviorProb = prop.value;
  const from = sink.issues.length;
  const ok = check();
  return reportPropensity(prop, o, at, sink, from) && ok ? example : undefined;
}

function traceConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  const m = o.trace.context;
  const rename = (p: string): string =>
    contextRename(p, m) ??
    replacePrefix(p, "/groupId", "/requestId") ??
    replacePrefix(p, "/action", "/toolName") ??
    replacePrefix(p, "/verified", "/verificationPassed") ??
    replacePrefix(p, "/metadata/traceMetadata", "/metadata") ??
    replacePrefix(p, "/metadata", "") ??
    p;
  return (raw, at, sink, surrogates) => {
    traceChecker ??= compileChecker(TraceExampleSchema);
    const errors = traceChecker(raw);
    if (errors !== undefined) {
      const from = sink.issues.length;
      reportAjvErrors(errors, at, sink);
      reportPropensity(readPropensity(raw, o), o, at, sink, from);
      return undefined;
    }
    const r = raw as TraceExample;
    hash64(r.requestId);
    const k = state.occurrences.addCurrent(0) - 1;
    if (
      !applyPolicy(
        r.labels.rewardHackingSignal,
        o.trace.suspected,
        state,
        at,
        sink,
        "/labels/rewardHackingSignal",
      )
    ) {
      return undefined;
    }
    const metadata: Record<string, unknown> = {
      toolInput: r.toolInput,
      durationMs: r.durationMs,
      labels: r.labels,
    };
    if (r.correlationId !== undefined) metadata["correlationId"] = r.correlationId;
    if (r.toolOutput !== undefined) metadata["toolOutput"] = r.toolOutput;
    if (r.metadata !== undefined) metadata["traceMetadata"] = r.metadata;
    const example: RlvrExample = {
      id: r.id ?? `${r.requestId}#${k}`,
      groupId: r.requestId,
      context: buildContext(r, m),
      action: r.toolName,
      reward: r.reward,
      verified: r.verificationPassed,
      source: r.source,
      metadata,
    };
    return withPropensity(raw, example, o, at, sink, () =>
      checkRlvrExample(example, at, sink, surrogates, rename),
    );
  };
}

function legacyConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  const m = o.legacy.context;
  const rename = (p: string): string =>
    contextRename(p, m) ??
    replacePrefix(p, "/groupId", "/scenarioId") ??
    replacePrefix(p, "/action", "/toolName") ??
    replacePrefix(p, "/verified", "/metadata/verificationPassed") ??
    p;
  return (raw, at, sink, surrogates) => {
    legacyChecker ??= compileChecker(LegacyExampleSchema);
    const errors = legacyChecker(raw);
    if (errors !== undefined) {
      const from = sink.issues.length;
      reportAjvErrors(errors, at, sink);
      reportPropensity(readPropensity(raw, o), o, at, sink, from);
      return undefined;
    }
    const r = raw as LegacyExample;
    const labels = r.metadata?.["labels"];
    const signal =
      typeof labels === "object" && labels !== null
        ? (labels as Record<string, unknown>)["rewardHackingSignal"]
        : undefined;
    if (!applyPolicy(signal, o.legacy.suspected, state, at, sink, "/metadata/labels/rewardHackingSignal")) {
      return undefined;
    }
    const passed = r.metadata?.["verificationPassed"];
    const example: RlvrExample = {
      id: r.id,
      groupId: r.scenarioId ?? r.id,
      context: buildContext(r, m),
      action: r.toolName,
      reward: r.reward,
      verified: typeof passed === "boolean" ? passed : r.reward >= o.legacy.verifiedThreshold,
    };
    if (r.source !== undefined) example.source = r.source;
    if (r.metadata !== undefined) example.metadata = r.metadata;
    return withPropensity(raw, example, o, at, sink, () =>
      checkRlvrExample(example, at, sink, surrogates, rename),
    );
  };
}

/** Members of a completions record that the adapter maps; all others go to `metadata`. */
export const COMPLETIONS_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "group_id",
  "prompt_id",
  "completion_id",
  "prompt",
  "completion",
  "reward",
  "rewards",
  "verified",
  "weight",
  "source",
  "features",
]);

const MESSAGES = "a string or a non-empty array of {role, content} messages with string content";

function messagesText(v: unknown, separator: "all" | "last"): string | undefined {
  if (typeof v === "string") return v;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const parts: string[] = [];
  for (const m of v) {
    if (typeof m !== "object" || m === null) return undefined;
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== "string" || typeof content !== "string") return undefined;
    parts.push(separator === "all" ? `${role}: ${content}` : content);
  }
  return separator === "all" ? parts.join("\n") : parts.at(-1);
}

function completionsConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  const { rewardMin, rewardMax, verifiedThreshold } = o.completions;
  const span = rewardMax - rewardMin;
  return (raw, at, sink, surrogates) => {
    const report = (code: IssueCode, pointer: string, message: string, value: unknown, expected: string) =>
      sink.report(code, at.file, at.line, at.base + pointer, message, value, expected);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      report(
        IssueCode.WRONG_TYPE,
        "",
        "a completions record must be an object",
        raw,
        "object with prompt, completion and reward",
      );
      return undefined;
    }
    const r = raw as Record<string, unknown>;
    const from = sink.issues.length;
    let ok = true;
    const idField = (name: string): string | undefined => {
      const v = r[name];
      if (v === undefined) return undefined;
      if (
        (typeof v === "string" && v.length > 0 && codePoints(v) <= MAX_ID_LENGTH) ||
        Number.isSafeInteger(v)
      ) {
        return String(v);
      }
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        `/${name}`,
        `${name} must be a string or an integer`,
        v,
        `string of 1 to ${MAX_ID_LENGTH} characters, or integer`,
      );
      return undefined;
    };
    for (const name of ["prompt", "completion", "reward"]) {
      if (r[name] === undefined) {
        ok = false;
        report(
          IssueCode.MISSING_FIELD,
          `/${name}`,
          `missing required field "${name}"`,
          undefined,
          name === "reward" ? "number" : MESSAGES,
        );
      }
    }
    const promptText = r["prompt"] === undefined ? undefined : messagesText(r["prompt"], "all");
    if (r["prompt"] !== undefined && promptText === undefined) {
      ok = false;
      report(IssueCode.WRONG_TYPE, "/prompt", "prompt has the wrong shape", r["prompt"], MESSAGES);
    }
    const completionText = r["completion"] === undefined ? undefined : messagesText(r["completion"], "last");
    if (r["completion"] !== undefined && completionText === undefined) {
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        "/completion",
        "completion has the wrong shape",
        r["completion"],
        MESSAGES,
      );
    }
    const completionId = idField("completion_id");
    const groupField =
      r["group_id"] !== undefined ? "group_id" : r["prompt_id"] !== undefined ? "prompt_id" : undefined;
    const groupValue = groupField === undefined ? undefined : idField(groupField);
    const ownId = idField("id");
    const completionLength = completionText === undefined ? 0 : codePoints(completionText);
    if (completionId === undefined && completionLength > MAX_ID_LENGTH) {
      ok = false;
      report(
        IssueCode.INVALID_VALUE,
        "/completion",
        `completion is ${completionLength} characters long; an action is a label of at most ${MAX_ID_LENGTH}: add a completion_id naming each distinct completion`,
        completionText,
        `completion of at most ${MAX_ID_LENGTH} characters, or a completion_id`,
      );
    }
    let reward = r["reward"];
    if (typeof reward === "number") {
      if (!Number.isFinite(reward)) {
        ok = false;
        report(
          IssueCode.NOT_FINITE,
          "/reward",
          "not a finite number",
          reward,
          `number in [${rewardMin}, ${rewardMax}]`,
        );
      } else if (reward < rewardMin || reward > rewardMax) {
        ok = false;
        report(
          IssueCode.OUT_OF_RANGE,
          "/reward",
          "out of range",
          reward,
          `number in [${rewardMin}, ${rewardMax}]`,
        );
      } else reward = (reward - rewardMin) / span;
    } else if (reward !== undefined) {
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        "/reward",
        `wrong type: ${reward === null ? "null" : typeof reward}`,
        reward,
        `number in [${rewardMin}, ${rewardMax}]`,
      );
    }
    const metadata: Record<string, unknown> = {};
    let hasMetadata = false;
    for (const key in r) {
      if (COMPLETIONS_FIELDS.has(key)) continue;
      if (FORBIDDEN_KEYS.has(key)) {
        ok = false;
        report(
          IssueCode.FORBIDDEN_KEY,
          `/${key}`,
          `forbidden key "${key}"`,
          r[key],
          "no __proto__, constructor or prototype keys",
        );
        continue;
      }
      metadata[key] = r[key];
      hasMetadata = true;
    }
    if (!ok) {
      reportPropensity(readPropensity(raw, o), o, at, sink, from);
      return undefined;
    }
    const groupId =
      groupValue ??
      `prompt-${createHash("sha256").update(canonicalJson(r["prompt"]), "utf8").digest("hex").slice(0, 32)}`;
    hash64(groupId);
    const k = state.occurrences.addCurrent(0) - 1;
    const context: RlvrContext = { prompt: promptText! };
    if (r["features"] !== undefined) context.features = r["features"] as Record<string, string>;
    const example: RlvrExample = {
      id: ownId ?? `${groupId}#${k}`,
      groupId,
      context,
      action: completionId ?? completionText!,
      reward: reward as number,
      verified:
        r["verified"] === undefined ? (reward as number) >= verifiedThreshold : (r["verified"] as boolean),
    };
    if (r["rewards"] !== undefined) example.rewards = r["rewards"] as Record<string, number>;
    if (r["weight"] !== undefined) example.weight = r["weight"] as number;
    if (r["source"] !== undefined) example.source = r["source"] as string;
    if (hasMetadata) example.metadata = metadata;
    const rename = (p: string): string =>
      replacePrefix(p, "/context/prompt", "/prompt") ??
      replacePrefix(p, "/context/features", "/features") ??
      replacePrefix(p, "/action", completionId === undefined ? "/completion" : "/completion_id") ??
      replacePrefix(p, "/groupId", groupField === undefined ? "/prompt" : `/${groupField}`) ??
      replacePrefix(p, "/metadata", "") ??
      p;
    return withPropensity(raw, example, o, at, sink, () =>
      checkRlvrExample(example, at, sink, surrogates, rename),
    );
  };
}

function rlvrConverter(): RecordConverter {
  return (raw, at, sink, surrogates) => (checkRlvrExample(raw, at, sink, surrogates) ? raw : undefined);
}

/** The record converter of a format. */
export function createConverter(
  format: DatasetFormat,
  o: ResolvedReadOptions,
  state: ConvertState,
): RecordConverter {
  switch (format) {
    case "rlvr":
    case "jsonl":
      return rlvrConverter();
    case "learning-trace":
      return traceConverter(o, state);
    case "legacy-rlvr":
      return legacyConverter(o, state);
    case "completions":
      return completionsConverter(o, state);
  }
}
