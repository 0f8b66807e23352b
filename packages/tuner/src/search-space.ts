import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import Type from "typebox";
import { SearchSpaceError, type SearchSpaceIssue } from "./errors.js";

/** Longest accepted parameter name, in UTF-16 code units. */
export const MAX_PARAM_NAME_LENGTH = 128;

/** Largest number of points a stepped float parameter may have (`(high - low) / step + 1`). */
export const MAX_GRID_POINTS = 2 ** 31;

/** A value a categorical or fixed parameter can take. */
export type Choice = string | number | boolean;

/**
 * A real-valued parameter in `[low, high]`. With `log`, sampled uniformly in log space (needs
 * `low > 0`); with `step`, restricted to `low, low + step, ..., high` (`step` must divide the range;
 * `step` and `log` cannot be combined).
 */
export interface FloatParamSpec {
  /** Discriminator. */
  readonly type: "float";
  /** Smallest value (inclusive), finite. */
  readonly low: number;
  /** Largest value (inclusive), finite and greater than `low`. */
  readonly high: number;
  /**
   * Sample in log space.
   * @defaultValue false
   */
  readonly log?: boolean;
  /** Grid spacing, positive and dividing `high - low`; omitted for a continuous parameter. */
  readonly step?: number;
}

/**
 * An integer parameter in `[low, high]` on the grid `low, low + step, ..., high`. With `log`, sampled
 * uniformly in log space (needs `low >= 1` and `step` 1).
 */
export interface IntParamSpec {
  /** Discriminator. */
  readonly type: "int";
  /** Smallest value (inclusive), a safe integer. */
  readonly low: number;
  /** Largest value (inclusive), a safe integer greater than `low`. */
  readonly high: number;
  /**
   * Sample in log space.
   * @defaultValue false
   */
  readonly log?: boolean;
  /**
   * Grid spacing, a positive integer dividing `high - low`.
   * @defaultValue 1
   */
  readonly step?: number;
}

/** A parameter that takes one of a list of values (strings, finite numbers or booleans, no duplicates). */
export interface CategoricalParamSpec<C extends Choice = Choice> {
  /** Discriminator. */
  readonly type: "categorical";
  /** The values, at least one, all distinct. Their order is the order of the grid. */
  readonly choices: readonly C[];
}

/** A parameter that always takes the same value (kept in the space so trials record it). */
export interface FixedParamSpec<V extends Choice = Choice> {
  /** Discriminator. */
  readonly type: "fixed";
  /** The value. */
  readonly value: V;
}

/** One parameter of a search space. */
export type ParamSpec = FloatParamSpec | IntParamSpec | CategoricalParamSpec | FixedParamSpec;

/** A search space as data: parameter name to {@link ParamSpec}. Valid JSON, so a job file can carry it. */
export type SearchSpaceSpec = { readonly [name: string]: ParamSpec };

/** The value type of one parameter spec. */
export type ParamValueOf<S> = S extends { readonly type: "float" | "int" }
  ? number
  : S extends CategoricalParamSpec<infer C>
    ? C
    : S extends FixedParamSpec<infer V>
      ? V
      : never;

/** The parameters object an objective receives for a space spec `S`. */
export type ParamsOf<S extends SearchSpaceSpec> = { [K in keyof S]: ParamValueOf<S[K]> };

/** Any parameters object: parameter name to value. */
export type Params = { readonly [name: string]: Choice };

/**
 * A validated search space (from {@link defineSearchSpace}). `P` is the type of the parameters object
 * that trials receive.
 */
export interface SearchSpace<P extends Params = Params> {
  /** Brand: always `"search-space"`. */
  readonly kind: "search-space";
  /** Deep-frozen copy of the spec, with parameters in {@link SearchSpace.names} order. */
  readonly spec: SearchSpaceSpec;
  /**
   * Parameter names sorted by UTF-16 code units. Samplers draw parameters in this order, so results
   * never depend on the key order of the object the space was written as.
   */
  readonly names: readonly string[];
  /** Type-level only (the parameters type); never set at run time. */
  readonly __params?: P;
}

const choiceSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** TypeBox schema of {@link FloatParamSpec} (structure only; see {@link validateSearchSpace}). */
export const FloatParamSchema = Type.Object(
  {
    type: Type.Literal("float"),
    low: Type.Number({ description: "Smallest value (inclusive)." }),
    high: Type.Number({ description: "Largest value (inclusive), greater than low." }),
    log: Type.Optional(Type.Boolean({ description: "Sample uniformly in log space (low > 0)." })),
    step: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "Grid spacing dividing high - low; not with log." }),
    ),
  },
  { additionalProperties: false, description: "A real-valued parameter." },
);

/** TypeBox schema of {@link IntParamSpec} (structure only; see {@link validateSearchSpace}). */
export const IntParamSchema = Type.Object(
  {
    type: Type.Literal("int"),
    low: Type.Integer({ description: "Smallest value (inclusive)." }),
    high: Type.Integer({ description: "Largest value (inclusive), greater than low." }),
    log: Type.Optional(Type.Boolean({ description: "Sample uniformly in log space (low >= 1, step 1)." })),
    step: Type.Optional(Type.Integer({ minimum: 1, description: "Grid spacing dividing high - low." })),
  },
  { additionalProperties: false, description: "An integer parameter." },
);

/** TypeBox schema of {@link CategoricalParamSpec} (structure only; see {@link validateSearchSpace}). */
export const CategoricalParamSchema = Type.Object(
  {
    type: Type.Literal("categorical"),
    choices: Type.Array(choiceSchema, { minItems: 1, description: "Distinct values, in grid order." }),
  },
  { additionalProperties: false, description: "A parameter taking one of a list of values." },
);

/** TypeBox schema of {@link FixedParamSpec}. */
export const FixedParamSchema = Type.Object(
  { type: Type.Literal("fixed"), value: choiceSchema },
  { additionalProperties: false, description: "A parameter with one constant value." },
);

/** TypeBox schema of {@link ParamSpec}. */
export const ParamSpecSchema = Type.Union(
  [FloatParamSchema, IntParamSchema, CategoricalParamSchema, FixedParamSchema],
  { description: "One parameter of a search space." },
);

/**
 * TypeBox schema of {@link SearchSpaceSpec}, to embed in job-file schemas. It checks structure only:
 * rules JSON Schema cannot express (low < high, log needs low > 0, step divides the range, distinct
 * choices, finite numbers) are checked by {@link validateSearchSpace}.
 */
export const SearchSpaceSchema = Type.Record(
  Type.String({ minLength: 1, maxLength: MAX_PARAM_NAME_LENGTH }),
  ParamSpecSchema,
  { description: "Hyperparameter search space: parameter name to parameter spec." },
);

const PARAM_TYPES = ["float", "int", "categorical", "fixed"] as const;
type ParamType = (typeof PARAM_TYPES)[number];

let validators: Record<ParamType, ValidateFunction> | undefined;
function getValidators(): Record<ParamType, ValidateFunction> {
  if (validators === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    validators = {
      float: ajv.compile(FloatParamSchema),
      int: ajv.compile(IntParamSchema),
      categorical: ajv.compile(CategoricalParamSchema),
      fixed: ajv.compile(FixedParamSchema),
    };
  }
  return validators;
}

/** @internal One JSON-pointer token for `token` (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function ajvMessage(error: ErrorObject): string {
  if (typeof error.data === "number" && !Number.isFinite(error.data)) {
    return `must be a finite number, got ${error.data}`;
  }
  if (error.keyword === "additionalProperties") {
    return `unknown member ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (error.keyword === "required") {
    return `missing required member ${JSON.stringify((error.params as { missingProperty: string }).missingProperty)}`;
  }
  if (error.keyword === "anyOf") return "must be a string, a number or a boolean";
  return error.message ?? "is invalid";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Compare names by UTF-16 code units (never `localeCompare`). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkFloat(p: FloatParamSpec, at: string, out: SearchSpaceIssue[]): void {
  const { low, high, log, step } = p;
  if (!Number.isFinite(low)) out.push({ path: `${at}/low`, message: `must be a finite number, got ${low}` });
  if (!Number.isFinite(high))
    out.push({ path: `${at}/high`, message: `must be a finite number, got ${high}` });
  if (step !== undefined && !Number.isFinite(step)) {
    out.push({ path: `${at}/step`, message: `must be a finite positive number, got ${step}` });
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) return;
  if (low >= high) {
    out.push({ path: `${at}/high`, message: `high (${high}) must be greater than low (${low})` });
    return;
  }
  if (log === true && low <= 0) {
    out.push({ path: `${at}/low`, message: `a log parameter needs low > 0, got ${low}` });
  }
  if (step !== undefined && Number.isFinite(step)) {
    if (log === true) {
      out.push({ path: `${at}/step`, message: "step cannot be combined with log" });
      return;
    }
    const intervals = (high - low) / step;
    const rounded = Math.round(intervals);
    if (rounded < 1 || Math.abs(intervals - rounded) > 1e-9 * Math.max(1, intervals)) {
      out.push({
        path: `${at}/step`,
        message: `step ${step} does not divide the range [${low}, ${high}] (${intervals} intervals)`,
      });
    } else if (rounded + 1 > MAX_GRID_POINTS) {
      out.push({
        path: `${at}/step`,
        message: `step ${step} gives ${rounded + 1} points, more than ${MAX_GRID_POINTS}; drop step or enlarge it`,
      });
    }
  }
}

function checkInt(p: IntParamSpec, at: string, out: SearchSpaceIssue[]): void {
  const { low, high, log, step } = p;
  if (!Number.isSafeInteger(low))
    out.push({ path: `${at}/low`, message: `must be a safe integer, got ${low}` });
  if (!Number.isSafeInteger(high))
    out.push({ path: `${at}/high`, message: `must be a safe integer, got ${high}` });
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 1)) {
    out.push({ path: `${at}/step`, message: `must be a positive integer, got ${step}` });
    return;
  }
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) return;
  if (low >= high) {
    out.push({ path: `${at}/high`, message: `high (${high}) must be greater than low (${low})` });
    return;
  }
  if (log === true) {
    if (low < 1) out.push({ path: `${at}/low`, message: `a log int parameter needs low >= 1, got ${low}` });
    if (step !== undefined && step !== 1) {
      out.push({ path: `${at}/step`, message: `a log int parameter needs step 1, got ${step}` });
    }
    return;
  }
  if (step !== undefined && (high - low) % step !== 0) {
    out.push({ path: `${at}/step`, message: `step ${step} does not divide the range [${low}, ${high}]` });
  }
}

function choiceKey(value: Choice): string {
  return typeof value === "number" ? `n:${value === 0 ? 0 : value}` : `${typeof value}:${String(value)}`;
}

function checkChoices(choices: readonly Choice[], at: string, out: SearchSpaceIssue[]): void {
  const seen = new Map<string, number>();
  choices.forEach((choice, i) => {
    if (typeof choice === "number" && !Number.isFinite(choice)) {
      out.push({ path: `${at}/choices/${i}`, message: `must be a finite number, got ${choice}` });
      return;
    }
    const key = choiceKey(choice);
    const first = seen.get(key);
    if (first !== undefined) {
      out.push({
        path: `${at}/choices/${i}`,
        message: `duplicate choice ${describeValue(choice)} (same as choices/${first})`,
      });
    } else seen.set(key, i);
  });
}

/**
 * Check a search-space spec and return every problem found (empty when valid), sorted by path. It
 * checks the structure ({@link SearchSpaceSchema}) and the rules JSON Schema cannot express: finite
 * numbers, `low < high`, `log` needs `low > 0` (int: `low >= 1`, step 1), `step` divides the range and
 * is not combined with a float `log`, categorical choices non-empty and distinct.
 * @param spec - the value to check (typically parsed JSON)
 * @returns the issues, each with a JSON pointer and a message saying what was expected
 */
export function validateSearchSpace(spec: unknown): SearchSpaceIssue[] {
  const out: SearchSpaceIssue[] = [];
  if (!isPlainObject(spec)) {
    out.push({
      path: "",
      message: `must be an object mapping parameter names to specs, got ${describeValue(spec)}`,
    });
    return out;
  }
  const names = Object.keys(spec).sort(compareCodeUnits);
  if (names.length === 0) {
    out.push({ path: "", message: "must declare at least one parameter" });
    return out;
  }
  const v = getValidators();
  for (const name of names) {
    const at = `/${escapePointer(name)}`;
    if (name.length === 0 || name.length > MAX_PARAM_NAME_LENGTH) {
      out.push({ path: at, message: `parameter names must have 1 to ${MAX_PARAM_NAME_LENGTH} characters` });
      continue;
    }
    if (name === "__proto__") {
      out.push({ path: at, message: 'the parameter name "__proto__" is reserved' });
      continue;
    }
    const p = spec[name];
    if (!isPlainObject(p)) {
      out.push({ path: at, message: `must be a parameter spec object, got ${describeValue(p)}` });
      continue;
    }
    const type = p["type"];
    if (typeof type !== "string" || !(PARAM_TYPES as readonly string[]).includes(type)) {
      out.push({
        path: `${at}/type`,
        message: `must be one of "float", "int", "categorical", "fixed", got ${describeValue(type)}`,
      });
      continue;
    }
    const validate = v[type as ParamType];
    if (!validate(p)) {
      const seen = new Set<string>();
      for (const e of validate.errors ?? []) {
        // Branch errors of a string | number | boolean union: the union's own error says it better.
        if (e.schemaPath.includes("/anyOf/")) continue;
        const issue = { path: `${at}${e.instancePath}`, message: ajvMessage(e) };
        const key = `${issue.path}\u0000${issue.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(issue);
        }
      }
      continue;
    }
    switch (type as ParamType) {
      case "float":
        checkFloat(p as unknown as FloatParamSpec, at, out);
        break;
      case "int":
        checkInt(p as unknown as IntParamSpec, at, out);
        break;
      case "categorical":
        checkChoices((p as unknown as CategoricalParamSpec).choices, at, out);
        break;
      case "fixed": {
        const value = (p as unknown as FixedParamSpec).value;
        if (typeof value === "number" && !Number.isFinite(value)) {
          out.push({ path: `${at}/value`, message: `must be a finite number, got ${value}` });
        }
        break;
      }
    }
  }
  return out.sort((a, b) => compareCodeUnits(a.path, b.path));
}

function copyParam(p: ParamSpec): ParamSpec {
  switch (p.type) {
    case "float":
    case "int": {
      const out: Record<string, unknown> = { type: p.type, low: p.low, high: p.high };
      if (p.log !== undefined) out["log"] = p.log;
      if (p.step !== undefined) out["step"] = p.step;
      return Object.freeze(out) as unknown as ParamSpec;
    }
    case "categorical":
      return Object.freeze({ type: "categorical", choices: Object.freeze([...p.choices]) });
    case "fixed":
      return Object.freeze({ type: "fixed", value: p.value });
  }
}

const defined = new WeakSet<object>();

/**
 * Validate a search-space spec and return it as a {@link SearchSpace}: a deep-frozen copy with the
 * parameters sorted by name. Write the spec inline (or with `as const`) so that the parameters type
 * keeps the literal choices.
 * @example
 * ```ts
 * const space = defineSearchSpace({
 *   lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
 *   layers: { type: "int", low: 1, high: 8 },
 *   optimizer: { type: "categorical", choices: ["adam", "sgd"] },
 * });
 * ```
 * @param spec - the parameters, or an existing {@link SearchSpace} (returned as is)
 * @returns the validated space
 * @throws {@link SearchSpaceError} (code `INVALID_SEARCH_SPACE`) listing every problem
 */
export function defineSearchSpace<const S extends SearchSpaceSpec>(spec: S): SearchSpace<ParamsOf<S>>;
export function defineSearchSpace<P extends Params>(spec: SearchSpace<P>): SearchSpace<P>;
export function defineSearchSpace(spec: SearchSpaceSpec | SearchSpace): SearchSpace {
  if (defined.has(spec)) return spec as SearchSpace;
  // A space that went through JSON (or was built by hand) is validated again from its spec.
  if (isSearchSpace(spec)) spec = spec.spec;
  const issues = validateSearchSpace(spec);
  if (issues.length > 0) throw new SearchSpaceError(issues);
  const names = Object.keys(spec).sort(compareCodeUnits);
  const copy: Record<string, ParamSpec> = {};
  for (const name of names) copy[name] = copyParam(spec[name] as ParamSpec);
  const space: SearchSpace = { kind: "search-space", spec: Object.freeze(copy), names: Object.freeze(names) };
  defined.add(Object.freeze(space));
  return space;
}

/**
 * Whether `value` has the shape of a {@link SearchSpace} (`kind: "search-space"`, `names`, `spec`).
 * Functions that accept a space validate it again unless {@link defineSearchSpace} made it.
 */
export function isSearchSpace(value: unknown): value is SearchSpace {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "search-space" &&
    Array.isArray((value as { names?: unknown }).names) &&
    typeof (value as { spec?: unknown }).spec === "object"
  );
}
