// The one Ajv instance of the package (created on first use): the configuration schemas and the JSON
// Schema verifier compile with it, every schema once. Also: the defaults a schema declares, and the
// wording of a schema violation (JSON pointer, the bad value, what was expected).
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The compiled validator of `schema`, compiled once per schema object. Not strict (the verifier
 * compiles users' schemas, which may carry keywords of their own); formats are not validated; errors
 * carry the failing schema and value (`verbose`) for {@link describeSchemaError}. Throws Ajv's error
 * for a schema that does not compile.
 * @param schema - a JSON Schema object
 */
export function compileSchema(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    ajv ??= new Ajv({ strict: false, validateFormats: false, allErrors: false, verbose: true });
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

type Node = Readonly<Record<string, unknown>>;

/** Keywords whose error says more than "not this type" (preferred over a union's summary). */
const SPECIFIC = new Set(["uniqueItems", "minProperties", "additionalProperties", "required"]);

/**
 * The value a schema declares by its `default` keywords: an object schema gives an object of its
 * properties' defaults in the order the schema lists them (a property without one is left out), any
 * other schema its `default` (undefined when it has none).
 * @param schema - a JSON Schema node
 */
export function schemaDefaults(node: object): unknown {
  const schema = node as Node;
  if ("default" in schema) return structuredClone(schema.default);
  const properties = schema.properties as Readonly<Record<string, Node>> | undefined;
  if (schema.type !== "object" || properties === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const value = schemaDefaults(property);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A short JSON rendering of a value for a message. */
export function preview(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  if (typeof value === "number" && !Number.isFinite(value)) s = String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const bound = (n: unknown): string => (n === 4294967295 ? "2^32 − 1" : String(n));

/** What a schema node accepts, in words ("an integer ≥ 1", "one of "group", "rloo"", "null or ..."). */
export function expectation(schema: Node): string {
  if ("const" in schema) return preview(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(preview).join(", ")}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Node[]).map(expectation).join(" or ");
  switch (schema.type) {
    case "integer":
    case "number": {
      const what = schema.type === "integer" ? "an integer" : "a number";
      const lo =
        schema.minimum !== undefined
          ? `[${bound(schema.minimum)}`
          : schema.exclusiveMinimum !== undefined
            ? `(${bound(schema.exclusiveMinimum)}`
            : null;
      const hi =
        schema.maximum !== undefined
          ? `${bound(schema.maximum)}]`
          : schema.exclusiveMaximum !== undefined
            ? `${bound(schema.exclusiveMaximum)})`
            : null;
      if (lo !== null && hi !== null) return `${what} in ${lo}, ${hi}`;
      if (lo !== null) return `${what} ${lo.startsWith("[") ? "≥" : ">"} ${lo.slice(1)}`;
      if (hi !== null) return `${what} ${hi.endsWith("]") ? "≤" : "<"} ${hi.slice(0, -1)}`;
      return what;
    }
    case "string":
      return schema.minLength === 1 ? "a non-empty string" : "a string";
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array": {
      const items = schema.items;
      const each = Array.isArray(items)
        ? ` of ${items.length} items, ${(items as Node[]).map(expectation).join(" and ")}`
        : typeof items === "object" && items !== null
          ? `, each ${expectation(items as Node)}`
          : "";
      return `${schema.minItems === 1 && !Array.isArray(items) ? "a non-empty array" : "an array"}${each}`;
    }
    case "object":
      return "an object";
    default:
      return "a valid value";
  }
}

/**
 * One line describing the first problem Ajv found, `pointer: what was wrong`, with the bad value and
 * what was expected; `prefix` is prepended to the pointer (the location of the validated value).
 * Inside a union (`anyOf`), the problem is reported where the value matched a branch's type more
 * deeply, else against the whole union.
 * @param errors - the validator's errors (compiled by {@link compileSchema}, so verbose)
 * @param prefix - JSON pointer of the validated value in a larger document ("" for the root)
 */
export function describeSchemaError(errors: readonly ErrorObject[], prefix = ""): string {
  const last = errors.at(-1);
  if (last === undefined) return `${prefix || "/"}: is not valid`;
  let error = last;
  if (last.keyword === "anyOf") {
    // a branch error that says more: deeper in the value, or about the value's content
    const inside = errors.filter(
      (e) =>
        e !== last &&
        e.instancePath.startsWith(last.instancePath) &&
        (e.instancePath.length > last.instancePath.length || SPECIFIC.has(e.keyword)),
    );
    if (inside.length > 0)
      error = inside.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
  }
  const where = `${prefix}${error.instancePath}` || "/";
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const known = Object.keys((error.parentSchema as Node | undefined)?.properties ?? {});
      const list =
        known.length > 0 ? ` (expected one of ${known.map((k) => JSON.stringify(k)).join(", ")})` : "";
      return `${where === "/" ? "" : where}/${params.additionalProperty}: unknown member${list}`;
    }
    case "required":
      return `${where}: missing member ${JSON.stringify(params.missingProperty)}`;
    case "uniqueItems":
      return `${where}: items ${params.j} and ${params.i} are the same (${preview((error.data as unknown[])[params.i as number])}); expected distinct items`;
    case "minProperties":
      return `${where}: expected at least ${params.limit} member${params.limit === 1 ? "" : "s"}, got ${preview(error.data)}`;
    default:
      return `${where}: expected ${expectation((error.parentSchema ?? {}) as Node)}, got ${preview(error.data)}`;
  }
}
