// What the record converters share: their state across the files of a load, pointer renaming from
// example fields back to source fields, the context mapping, the reward-hacking policy and the
// propensity pointer.
import { type DatasetIssue, IssueCode } from "../issues.js";
import type { ResolvedContextMapping, ResolvedReadOptions, SuspectedPolicy } from "../options.js";
import { PROPENSITY_EXPECTED } from "../propensity.js";
import type { RlvrContext, RlvrExample } from "../schema.js";
import type { Location } from "./_ajv.js";
import { GroupTable } from "./_hash-table.js";
import { resolveTokens } from "./_pointer.js";
import { type IssueSink, NO_VALUE } from "./_sink.js";

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

export function startsWithToken(p: string, prefix: string): boolean {
  return p === prefix || (p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47);
}

export function replacePrefix(p: string, prefix: string, by: string): string | undefined {
  return startsWithToken(p, prefix) ? by + p.slice(prefix.length) : undefined;
}

export function buildContext(source: unknown, m: ResolvedContextMapping): RlvrContext {
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

export function contextRename(p: string, m: ResolvedContextMapping): string | undefined {
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

/**
 * Maps an example pointer back to the source record's: through the context mapping `m` first (when
 * given), then the first `[example prefix, source prefix]` pair whose prefix matches a whole token.
 */
export function renamer(
  pairs: readonly (readonly [string, string])[],
  m?: ResolvedContextMapping,
): (pointer: string) => string {
  return (p) => {
    const viaContext = m === undefined ? undefined : contextRename(p, m);
    if (viaContext !== undefined) return viaContext;
    for (const [from, to] of pairs) {
      const renamed = replacePrefix(p, from, to);
      if (renamed !== undefined) return renamed;
    }
    return p;
  };
}

export function applyPolicy(
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
export type Propensity =
  | { readonly value: number }
  | { readonly code: IssueCode; readonly message: string; readonly found: unknown };

/** Evaluates the propensity pointer on a raw record; `undefined` when the option is not given. */
export function readPropensity(raw: unknown, o: ResolvedReadOptions): Propensity | undefined {
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
export function reportPropensity(
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
export function withPropensity(
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

/**
 * A record refused by its schema: reports a bad propensity too, unless the schema issues added since
 * `from` already point there.
 */
export function refuseRecord(
  raw: unknown,
  o: ResolvedReadOptions,
  at: Location,
  sink: IssueSink,
  from: number,
): undefined {
  reportPropensity(readPropensity(raw, o), o, at, sink, from);
  return undefined;
}
