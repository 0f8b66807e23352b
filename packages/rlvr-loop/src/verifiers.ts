import type { ValidateFunction } from "ajv";
import { RlvrLoopError } from "./errors.js";
import { compileSchema as compileWithAjv } from "./internal/ajv.js";

/** Outcome of a verification. */
export interface VerifierResult {
  /** Score in [0, 1]. */
  readonly score: number;
  /** Whether the outcome is accepted (score 1 for the binary verifiers; ≥ `passThreshold` for a composite). */
  readonly passed: boolean;
  /** Human-readable reason for the score. */
  readonly reason: string;
  /** Score of each named component (composite verifiers only). */
  readonly components?: Readonly<Record<string, number>>;
}

/** A reward function over an outcome and its reference, returning a score in [0, 1] and a reason. */
export interface Verifier<TOutcome = unknown, TReference = unknown> {
  /** Short name, used as the component name in composites. */
  readonly name: string;
  /** Score `outcome` against `reference`. Never throws for a bad outcome: it scores 0 with a reason. */
  verify(outcome: TOutcome, reference: TReference): VerifierResult;
}

const pass = (reason: string): VerifierResult => ({ score: 1, passed: true, reason });
const fail = (reason: string): VerifierResult => ({ score: 0, passed: false, reason });

function preview(value: unknown): string {
  let s: string;
  try {
    s = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const JSON_START = /^\s*(?:[{["\-0-9]|(?:true|false|null)\s*$)/;

/**
 * `JSON.parse(text)`, or `undefined` when `text` is not JSON. Texts that cannot start a JSON value
 * are rejected without calling the parser (exceptions are slow in hot verification loops).
 */
export function parseJsonOrUndefined(text: unknown): unknown {
  if (typeof text !== "string" || !JSON_START.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Deep equality of JSON-like values (object key order ignored; NaN never equal). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b as object, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Exact match: score 1 when the outcome equals the reference (strings compared code unit by code unit;
 * objects and arrays deeply, key order ignored).
 */
export function createExactMatchVerifier(): Verifier<unknown, unknown> {
  return {
    name: "exact_match",
    verify(outcome, reference) {
      return jsonEqual(outcome, reference)
        ? pass("exact match")
        : fail(`expected ${preview(reference)}, got ${preview(outcome)}`);
    },
  };
}

/** Options of {@link createNormalizedTextVerifier}. */
export interface NormalizedTextOptions {
  /**
   * Compare case-sensitively.
   * @defaultValue false
   */
  readonly caseSensitive?: boolean;
  /**
   * Collapse runs of whitespace to one space and trim both ends.
   * @defaultValue true
   */
  readonly collapseWhitespace?: boolean;
  /**
   * Remove Unicode punctuation (`\p{P}`) before comparing.
   * @defaultValue false
   */
  readonly stripPunctuation?: boolean;
  /**
   * Unicode normalisation form applied first.
   * @defaultValue "NFKC"
   */
  readonly unicodeForm?: "NFC" | "NFD" | "NFKC" | "NFKD";
}

/**
 * Text match after normalisation (Unicode form, case, whitespace, optionally punctuation). Case
 * folding uses `toLowerCase`, which is locale independent.
 */
export function createNormalizedTextVerifier(options: NormalizedTextOptions = {}): Verifier<string, string> {
  const caseSensitive = options.caseSensitive ?? false;
  const collapse = options.collapseWhitespace ?? true;
  const strip = options.stripPunctuation ?? false;
  const form = options.unicodeForm ?? "NFKC";
  if (!["NFC", "NFD", "NFKC", "NFKD"].includes(form)) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `text verifier options: unicodeForm ${JSON.stringify(form)} is not a Unicode normalisation form; expected "NFC", "NFD", "NFKC" or "NFKD"`,
    );
  }
  const normalize = (text: string): string => {
    let t = text.normalize(form);
    if (!caseSensitive) t = t.toLowerCase();
    if (strip) t = t.replace(/\p{P}+/gu, "");
    if (collapse) t = t.replace(/\s+/gu, " ").trim();
    return t;
  };
  return {
    name: "normalized_text",
    verify(outcome, reference) {
      if (typeof outcome !== "string") return fail(`expected text, got ${typeof outcome}`);
      if (typeof reference !== "string") return fail("reference is not text");
      return normalize(outcome) === normalize(reference)
        ? pass("text matches after normalisation")
        : fail(
            `normalised text differs: expected ${preview(normalize(reference))}, got ${preview(normalize(outcome))}`,
          );
    },
  };
}

/** Options of {@link createNumericVerifier}. */
export interface NumericOptions {
  /**
   * Absolute tolerance.
   * @defaultValue 1e-9
   */
  readonly absoluteTolerance?: number;
  /**
   * Relative tolerance (of |reference|).
   * @defaultValue 0
   */
  readonly relativeTolerance?: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Numeric match: the outcome (a number, or a string holding one decimal number) is within
 * max(absoluteTolerance, relativeTolerance · |reference|) of the reference.
 */
export function createNumericVerifier(options: NumericOptions = {}): Verifier<string | number, number> {
  const abs = options.absoluteTolerance ?? 1e-9;
  const rel = options.relativeTolerance ?? 0;
  if (!(abs >= 0 && Number.isFinite(abs)) || !(rel >= 0 && Number.isFinite(rel))) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `numeric verifier options: tolerances must be finite and non-negative, got absoluteTolerance ${abs} and relativeTolerance ${rel}`,
    );
  }
  return {
    name: "numeric",
    verify(outcome, reference) {
      if (typeof reference !== "number" || !Number.isFinite(reference))
        return fail("reference is not a finite number");
      let x: number;
      if (typeof outcome === "number") x = outcome;
      else if (typeof outcome === "string" && NUMBER.test(outcome.trim())) x = Number(outcome.trim());
      else return fail(`not a number: ${preview(outcome)}`);
      if (!Number.isFinite(x)) return fail(`not a finite number: ${preview(outcome)}`);
      const tol = Math.max(abs, rel * Math.abs(reference));
      const diff = Math.abs(x - reference);
      return diff <= tol
        ? pass(`|${x} - ${reference}| <= ${tol}`)
        : fail(`|${x} - ${reference}| = ${diff} > ${tol}`);
    },
  };
}

/** Options of {@link createRegexVerifier}. */
export interface RegexOptions {
  /**
   * The pattern; when absent, the reference passed to `verify` is the pattern.
   * @defaultValue undefined
   */
  readonly pattern?: RegExp | string;
  /**
   * Flags for a string pattern (`g` and `y` are ignored).
   * @defaultValue ""
   */
  readonly flags?: string;
  /**
   * Require the whole outcome to match (anchors the pattern), rather than a substring.
   * @defaultValue true
   */
  readonly fullMatch?: boolean;
}

function compilePattern(pattern: RegExp | string, flags: string, full: boolean): RegExp {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  const f = (typeof pattern === "string" ? flags : pattern.flags).replace(/[gy]/g, "");
  try {
    return new RegExp(full ? `^(?:${source})$` : source, f);
  } catch (err) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `regex verifier: invalid regular expression ${preview(source)}`,
      {
        cause: err,
      },
    );
  }
}

/** Regular-expression match of a text outcome. */
export function createRegexVerifier(
  options: RegexOptions = {},
): Verifier<string, RegExp | string | undefined> {
  const full = options.fullMatch ?? true;
  const fixed =
    options.pattern === undefined ? null : compilePattern(options.pattern, options.flags ?? "", full);
  return {
    name: "regex",
    verify(outcome, reference) {
      const re =
        fixed ?? (reference === undefined ? null : compilePattern(reference, options.flags ?? "", full));
      if (re === null) return fail("no pattern");
      if (typeof outcome !== "string") return fail(`expected text, got ${typeof outcome}`);
      return re.test(outcome) ? pass(`matches ${re.source}`) : fail(`does not match ${re.source}`);
    },
  };
}

/** Options of {@link createJsonSchemaVerifier}. */
export interface JsonSchemaOptions {
  /**
   * The JSON Schema (compiled once); when absent, the reference passed to `verify` is the schema
   * (compiled once per schema object). Formats (`format`) are not validated.
   * @defaultValue undefined
   */
  readonly schema?: Record<string, unknown>;
}

function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  try {
    return compileWithAjv(schema);
  } catch (err) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `JSON Schema verifier: the schema does not compile: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * JSON Schema validation (Ajv) of an outcome: a JSON text (parsed first; unparsable text scores 0) or
 * an already parsed value.
 */
export function createJsonSchemaVerifier(
  options: JsonSchemaOptions = {},
): Verifier<unknown, Record<string, unknown> | undefined> {
  const fixed = options.schema === undefined ? null : compileSchema(options.schema);
  return {
    name: "json_schema",
    verify(outcome, reference) {
      const validate = fixed ?? (reference === undefined ? null : compileSchema(reference));
      if (validate === null) return fail("no schema");
      let value: unknown = outcome;
      if (typeof outcome === "string") {
        value = parseJsonOrUndefined(outcome);
        if (value === undefined) return fail(`not JSON: ${preview(outcome)}`);
      }
      if (validate(value)) return pass("valid against the schema");
      const e = validate.errors?.[0];
      return fail(`schema violation at ${e?.instancePath || "/"}: ${e?.message ?? "invalid"}`);
    },
  };
}

/** One component of a composite verifier. */
export interface CompositeComponent<TOutcome, TReference> {
  /**
   * Component name (key of `components` in the result).
   * @defaultValue the verifier's name
   */
  readonly name?: string;
  /** Non-negative weight c_k. */
  readonly weight: number;
  /** The component verifier. */
  readonly verifier: Verifier<never, never>;
  /**
   * Maps the composite's outcome to this component's outcome.
   * @defaultValue identity
   */
  readonly outcome?: (outcome: TOutcome) => unknown;
  /**
   * Maps the composite's reference to this component's reference.
   * @defaultValue identity
   */
  readonly reference?: (reference: TReference) => unknown;
}

/** Options of {@link createCompositeVerifier}. */
export interface CompositeOptions<TOutcome, TReference> {
  /** The components (at least one, weights summing to a positive number). */
  readonly components: readonly CompositeComponent<TOutcome, TReference>[];
  /**
   * Score needed to pass.
   * @defaultValue 1
   */
  readonly passThreshold?: number;
  /**
   * Name of the composite.
   * @defaultValue "composite"
   */
  readonly name?: string;
}

/**
 * Weighted composite: score = Σ_k c_k s_k / Σ_k c_k, with every component's score in `components`.
 */
export function createCompositeVerifier<TOutcome = unknown, TReference = unknown>(
  options: CompositeOptions<TOutcome, TReference>,
): Verifier<TOutcome, TReference> {
  const components = options.components;
  if (!Array.isArray(components) || components.length === 0) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      "composite verifier options: components must be a non-empty array",
    );
  }
  let total = 0;
  const names = new Set<string>();
  for (const c of components) {
    if (!(c.weight >= 0 && Number.isFinite(c.weight))) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `composite verifier options: each weight must be finite and non-negative, got ${c.weight}`,
      );
    }
    const name = c.name ?? c.verifier.name;
    if (names.has(name))
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `composite verifier options: duplicate component name ${JSON.stringify(name)}`,
      );
    names.add(name);
    total += c.weight;
  }
  if (!(total > 0))
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      "composite verifier options: the weights must sum to a positive number",
    );
  const threshold = options.passThreshold ?? 1;
  return {
    name: options.name ?? "composite",
    verify(outcome, reference) {
      let score = 0;
      const scores: Record<string, number> = {};
      const reasons: string[] = [];
      for (const c of components) {
        const name = c.name ?? c.verifier.name;
        const o = c.outcome ? c.outcome(outcome) : outcome;
        const r = c.reference ? c.reference(reference) : reference;
        const result = (c.verifier as Verifier<unknown, unknown>).verify(o, r);
        scores[name] = result.score;
        score += c.weight * result.score;
        reasons.push(`${name}: ${result.reason}`);
      }
      score = Math.min(1, Math.max(0, score / total));
      return { score, passed: score >= threshold - 1e-12, reason: reasons.join("; "), components: scores };
    },
  };
}
