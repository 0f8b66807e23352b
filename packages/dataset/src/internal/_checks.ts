// Checks that JSON Schema cannot express: forbidden keys and non-finite numbers inside free-form
// values, nesting depth, lone surrogates, `allowedActions` containing `action`.
import type { ErrorObject } from "ajv";
import { IssueCode } from "../issues.js";
import { MAX_NESTING_DEPTH } from "../limits.js";
import { type RlvrExample, RlvrExampleSchema } from "../schema.js";
import { compileChecker, FORBIDDEN_KEYS, type Location, reportAjvErrors } from "./_ajv.js";
import { childPointer } from "./_pointer.js";
import type { IssueSink } from "./_sink.js";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Whether JSON text may produce lone surrogates when parsed: valid UTF-8 cannot encode them, so they
 * can only come from `\uD800`-style escapes. A cheap scan that lets the per-string check run only
 * when needed.
 */
export function mayHaveSurrogateEscapes(text: string): boolean {
  return text.includes("\\u") && SURROGATE_ESCAPE.test(text);
}

/** Whether `s` holds a lone UTF-16 surrogate. */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

function pointerOf(base: string, path: readonly (string | number)[]): string {
  let p = base;
  for (const t of path) p = childPointer(p, t);
  return p;
}

/** Where issues of a tree go: the location of the record, the sink, and whether to look for lone surrogates. */
export interface TreeScope {
  readonly at: Location;
  readonly sink: IssueSink;
  readonly surrogates: boolean;
}

/** Where a tree sits: its nesting level (the example object is level 1) and its pointer. */
export interface TreePlace {
  readonly depth: number;
  readonly pointer: string;
}

/**
 * Walk a free-form JSON value (metadata): report forbidden keys, non-finite numbers, nesting beyond
 * {@link MAX_NESTING_DEPTH} and, when `scope.surrogates` is set, lone surrogates. Returns false when
 * anything was reported.
 */
export function checkTree(value: unknown, place: TreePlace, scope: TreeScope): boolean {
  if (treeFine(value, place.depth, scope.surrogates)) return true;
  return reportTree(value, place, scope);
}

/** Allocation-free pass of the same rules: true when there is nothing to report. */
function treeFine(v: unknown, level: number, surrogates: boolean): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v === "string") return !surrogates || !hasLoneSurrogate(v);
  if (typeof v !== "object" || v === null) return true;
  if (level > MAX_NESTING_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!treeFine(v[i], level + 1, surrogates)) return false;
    return true;
  }
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    if (FORBIDDEN_KEYS.has(key) || (surrogates && hasLoneSurrogate(key))) return false;
    if (!treeFine(obj[key], level + 1, surrogates)) return false;
  }
  return true;
}

function reportTree(value: unknown, place: TreePlace, scope: TreeScope): boolean {
  const { depth, pointer } = place;
  const { at, sink, surrogates } = scope;
  const path: (string | number)[] = [];
  let ok = true;
  const report = (code: IssueCode, message: string, v: unknown, expected: string) => {
    ok = false;
    sink.report(code, at.file, at.line, pointerOf(pointer, path), message, v, expected);
  };
  const walk = (v: unknown, level: number): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) report(IssueCode.NOT_FINITE, "number is not finite", v, "finite number");
      return;
    }
    if (typeof v === "string") {
      if (surrogates && hasLoneSurrogate(v)) {
        report(IssueCode.LONE_SURROGATE, "string holds a lone surrogate", v, "well-formed Unicode text");
      }
      return;
    }
    if (typeof v !== "object" || v === null) return;
    if (level > MAX_NESTING_DEPTH) {
      report(
        IssueCode.TOO_DEEP,
        `nesting deeper than ${MAX_NESTING_DEPTH} levels`,
        v,
        `at most ${MAX_NESTING_DEPTH} nested levels`,
      );
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], level + 1);
        path.pop();
      }
      return;
    }
    const obj = v as Record<string, unknown>;
    for (const key in obj) {
      path.push(key);
      if (FORBIDDEN_KEYS.has(key)) {
        report(
          IssueCode.FORBIDDEN_KEY,
          `forbidden key "${key}"`,
          obj[key],
          "no __proto__, constructor or prototype keys",
        );
      } else {
        if (surrogates && hasLoneSurrogate(key)) {
          report(IssueCode.LONE_SURROGATE, "key holds a lone surrogate", key, "well-formed Unicode text");
        }
        walk(obj[key], level + 1);
      }
      path.pop();
    }
  };
  walk(value, depth);
  return ok;
}

function checkFlatKeys(obj: unknown, pointer: string, at: Location, sink: IssueSink): boolean {
  if (typeof obj !== "object" || obj === null) return true;
  let ok = true;
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(obj, key)) {
      ok = false;
      sink.report(
        IssueCode.FORBIDDEN_KEY,
        at.file,
        at.line,
        childPointer(pointer, key),
        `forbidden key "${key}"`,
        (obj as Record<string, unknown>)[key],
        "no __proto__, constructor or prototype keys",
      );
    }
  }
  return ok;
}

let exampleChecker: ((value: unknown) => readonly ErrorObject[] | undefined) | undefined;

/**
 * Fully check one parsed value as an {@link RlvrExample}: schema (Ajv), then the semantic rules.
 * Reports every problem to `sink` and returns whether the value is a valid example. `rename` maps
 * example pointers to source pointers for adapters.
 */
export function checkRlvrExample(
  value: unknown,
  at: Location,
  sink: IssueSink,
  surrogates: boolean,
  rename?: (pointer: string) => string,
): value is RlvrExample {
  exampleChecker ??= compileChecker(RlvrExampleSchema);
  const errors = exampleChecker(value);
  let ok = errors === undefined;
  if (errors !== undefined) reportAjvErrors(errors, at, sink, rename);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const e = value as Partial<RlvrExample>;
  const map = rename ?? ((p: string) => p);
  const allowed = e.allowedActions;
  if (Array.isArray(allowed) && typeof e.action === "string" && !allowed.includes(e.action)) {
    ok = false;
    sink.report(
      IssueCode.ACTION_NOT_ALLOWED,
      at.file,
      at.line,
      at.base + map("/allowedActions"),
      `allowedActions does not contain the action ${JSON.stringify(e.action).slice(0, 60)}`,
      allowed,
      "a list that contains the action taken",
    );
  }
  const context = e.context as Record<string, unknown> | undefined;
  if (typeof context === "object" && context !== null) {
    if (!checkFlatKeys(context["features"], at.base + map("/context/features"), at, sink)) ok = false;
  }
  if (!checkFlatKeys(e.rewards, at.base + map("/rewards"), at, sink)) ok = false;
  if (typeof e.metadata === "object" && e.metadata !== null) {
    // The fine case allocates nothing; the scope is built only when there is something to report.
    const metadata = e.metadata as Record<string, unknown>;
    if (!treeFine(metadata, 2, surrogates) && !checkMetadata(metadata, { at, sink, surrogates }, rename))
      ok = false;
  }
  if (surrogates && !checkSurrogates(e, at, sink, map)) ok = false;
  return ok;
}

/**
 * The free-form `metadata` tree. Adapters build it from several source members (a learning trace's
 * own `metadata` becomes `metadata.traceMetadata`), so with `rename` each member's pointer is mapped
 * on its own and the pointers below it follow the source.
 */
function checkMetadata(
  metadata: Record<string, unknown>,
  scope: TreeScope,
  rename: ((pointer: string) => string) | undefined,
): boolean {
  const { at, sink, surrogates } = scope;
  if (rename === undefined) return checkTree(metadata, { depth: 2, pointer: `${at.base}/metadata` }, scope);
  if (treeFine(metadata, 2, surrogates)) return true;
  let ok = true;
  for (const key in metadata) {
    const pointer = at.base + rename(childPointer("/metadata", key));
    if (FORBIDDEN_KEYS.has(key)) {
      ok = false;
      sink.report(
        IssueCode.FORBIDDEN_KEY,
        at.file,
        at.line,
        pointer,
        `forbidden key "${key}"`,
        metadata[key],
        "no __proto__, constructor or prototype keys",
      );
      continue;
    }
    if (surrogates && hasLoneSurrogate(key)) {
      ok = false;
      sink.report(
        IssueCode.LONE_SURROGATE,
        at.file,
        at.line,
        pointer,
        "key holds a lone surrogate",
        key,
        "well-formed Unicode text",
      );
    }
    if (!checkTree(metadata[key], { depth: 3, pointer }, scope)) ok = false;
  }
  return ok;
}

function checkSurrogates(e: Partial<RlvrExample>, at: Location, sink: IssueSink, map: (p: string) => string) {
  let ok = true;
  const check = (s: unknown, pointer: string) => {
    if (typeof s === "string" && hasLoneSurrogate(s)) {
      ok = false;
      sink.report(
        IssueCode.LONE_SURROGATE,
        at.file,
        at.line,
        at.base + map(pointer),
        "string holds a lone surrogate",
        s,
        "well-formed Unicode text",
      );
    }
  };
  check(e.id, "/id");
  check(e.groupId, "/groupId");
  check(e.action, "/action");
  check(e.source, "/source");
  const context = e.context;
  if (typeof context === "object" && context !== null) {
    check(context.prompt, "/context/prompt");
    const f = context.features;
    if (typeof f === "object" && f !== null) {
      for (const key in f) {
        check(key, childPointer("/context/features", key));
        check(f[key], childPointer("/context/features", key));
      }
    }
  }
  if (Array.isArray(e.allowedActions)) {
    for (let i = 0; i < e.allowedActions.length; i++) check(e.allowedActions[i], `/allowedActions/${i}`);
  }
  if (typeof e.rewards === "object" && e.rewards !== null) {
    for (const key in e.rewards) check(key, childPointer("/rewards", key));
  }
  return ok;
}
