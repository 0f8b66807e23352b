import { canon, fail, MAX_CANONICAL_DEPTH, num, str } from "./internal/_canonical-json.js";
import type { RlvrContext, RlvrExample } from "./schema.js";

function canonContext(c: RlvrContext): string {
  if (typeof c !== "object" || c === null) fail("context must be an object", c);
  let out = "{";
  if (c.features !== undefined) {
    const f = c.features;
    const keys = Object.keys(f).sort();
    out += '"features":{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = f[key];
      const text =
        typeof v === "string"
          ? JSON.stringify(v)
          : typeof v === "boolean"
            ? `${v}`
            : num(v as number, "feature");
      out += `${i > 0 ? "," : ""}${JSON.stringify(key)}:${text}`;
    }
    out += "}";
    if (c.prompt !== undefined) out += ",";
  }
  if (c.prompt !== undefined) out += `"prompt":${str(c.prompt, "context.prompt")}`;
  return `${out}}`;
}

const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

class NeedsManual extends Error {}

/**
 * Check a free-form JSON value for the fast path: numbers finite, only JSON values. Returns the value
 * itself when every object already lists its keys in UTF-16 order, else a copy with sorted keys.
 * Throws {@link NeedsManual} for an object with an array-index-like key (JavaScript would enumerate
 * it first, whatever the insertion order), so the caller falls back to the string serializer.
 */
function sortedJson(value: unknown, depth: number): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail("numbers must be finite", value);
    return value;
  }
  if (typeof value !== "object" || value === null) {
    if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
    return fail("value is not JSON", value);
  }
  if (depth >= MAX_CANONICAL_DEPTH) fail("value nested too deeply (or cyclic)", value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const out = item === undefined ? null : sortedJson(item, depth + 1);
      if (out !== item && copy === undefined) copy = value.slice(0, i);
      copy?.push(out);
    }
    return copy ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let sorted = true;
  let changed = false;
  const values: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57 && INDEX_LIKE.test(key)) throw new NeedsManual();
    if (i > 0 && keys[i - 1]! > key) sorted = false;
    const v = obj[key];
    const out = v === undefined ? undefined : sortedJson(v, depth + 1);
    if (out !== v) changed = true;
    values[i] = out;
  }
  if (sorted && !changed) return obj;
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const copy: Record<string, unknown> = {};
  for (const i of order) {
    // defineProperty keeps a "__proto__" key a member (plain assignment would set the prototype).
    Object.defineProperty(copy, keys[i]!, {
      value: values[i],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function finiteOrUndefined(n: number | undefined, where: string): number | undefined {
  if (n === undefined) return undefined;
  if (typeof n !== "number" || !Number.isFinite(n)) fail(`${where} must be a finite number`, n);
  return n;
}

function stringOrUndefined(s: string | undefined, where: string): string | undefined {
  if (s !== undefined && typeof s !== "string") fail(`${where} must be a string`, s);
  return s;
}

function fastCanonical(example: RlvrExample): string {
  const c = example.context;
  if (typeof c !== "object" || c === null) fail("context must be an object", c);
  const features = c.features === undefined ? undefined : sortedJson(c.features, 2);
  const allowed = example.allowedActions;
  if (allowed !== undefined)
    for (const a of allowed) if (typeof a !== "string") fail("allowedActions[] must be a string", a);
  if (typeof example.verified !== "boolean") fail("verified must be a boolean", example.verified);
  const weight = finiteOrUndefined(example.weight, "weight");
  // Members in UTF-16 code-unit order; JSON.stringify drops the undefined ones.
  return JSON.stringify({
    action: stringOrUndefined(example.action, "action") ?? fail("action must be a string", undefined),
    allowedActions: allowed,
    behaviorProb: finiteOrUndefined(example.behaviorProb, "behaviorProb"),
    context: { features, prompt: stringOrUndefined(c.prompt, "context.prompt") },
    groupId: stringOrUndefined(example.groupId, "groupId") ?? fail("groupId must be a string", undefined),
    id: stringOrUndefined(example.id, "id") ?? fail("id must be a string", undefined),
    metadata: example.metadata === undefined ? undefined : sortedJson(example.metadata, 1),
    reward: finiteOrUndefined(example.reward, "reward") ?? fail("reward must be a finite number", undefined),
    rewards: example.rewards === undefined ? undefined : sortedJson(example.rewards, 1),
    source: stringOrUndefined(example.source, "source"),
    verified: example.verified,
    weight: weight === 1 ? undefined : weight,
  });
}

/**
 * Canonical text of one example, as it enters the content digest: RFC 8785 canonical JSON of the
 * normalised example. Normalisation: `weight` equal to 1 (the default) is dropped, so an explicit
 * `weight: 1` and an absent weight are the same data. Nothing else is changed (array order is kept).
 * Throws a {@link DatasetError} (`INVALID_EXAMPLE`) for values that have no canonical form.
 *
 * @param example - a valid example
 * @returns canonical JSON text without a newline
 */
export function canonicalizeExample(example: RlvrExample): string {
  try {
    // Fast path: one native JSON.stringify of an object built in canonical member order.
    return fastCanonical(example);
  } catch (error) {
    if (!(error instanceof NeedsManual)) throw error;
    return manualCanonical(example);
  }
}

/** String-building serializer, for examples whose records have array-index-like keys. */
function manualCanonical(example: RlvrExample): string {
  // Members in UTF-16 code-unit order: action, allowedActions, behaviorProb, context, groupId, id,
  // metadata, reward, rewards, source, verified, weight.
  let out = `{"action":${str(example.action, "action")}`;
  const allowed = example.allowedActions;
  if (allowed !== undefined) {
    out += ',"allowedActions":[';
    for (let i = 0; i < allowed.length; i++) out += (i > 0 ? "," : "") + str(allowed[i]!, "allowedActions[]");
    out += "]";
  }
  if (example.behaviorProb !== undefined)
    out += `,"behaviorProb":${num(example.behaviorProb, "behaviorProb")}`;
  out += `,"context":${canonContext(example.context)}`;
  out += `,"groupId":${str(example.groupId, "groupId")},"id":${str(example.id, "id")}`;
  if (example.metadata !== undefined) out += `,"metadata":${canon(example.metadata, 1)}`;
  out += `,"reward":${num(example.reward, "reward")}`;
  const rewards = example.rewards;
  if (rewards !== undefined) {
    const keys = Object.keys(rewards).sort();
    out += ',"rewards":{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      out += `${i > 0 ? "," : ""}${JSON.stringify(key)}:${num(rewards[key]!, "rewards component")}`;
    }
    out += "}";
  }
  if (example.source !== undefined) out += `,"source":${str(example.source, "source")}`;
  if (typeof example.verified !== "boolean") fail("verified must be a boolean", example.verified);
  out += example.verified ? ',"verified":true' : ',"verified":false';
  const weight = example.weight;
  if (weight !== undefined && weight !== 1) out += `,"weight":${num(weight, "weight")}`;
  return `${out}}`;
}
