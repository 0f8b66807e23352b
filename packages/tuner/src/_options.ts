import { TunerError } from "./errors.js";

/**
 * Throws the `INVALID_ARGUMENT` error of a bad option. `owner` is the component's public name ("TPE
 * sampler", "median pruner"), never a function name, because a job file can reach these checks.
 */
export function invalidOption(owner: string, message: string): never {
  throw new TunerError("INVALID_ARGUMENT", `${owner}: ${message}`);
}

/** Whether `options` is an options object (a non-null object, not an array). */
export function checkOptionsObject(owner: string, options: unknown): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    invalidOption(owner, `options must be an object, got ${describe(options)}`);
  }
}

/**
 * `options` over `defaults`: every key of `defaults` whose option is `undefined` (absent or given as
 * `undefined`) takes the default; other keys of `options` pass through. The one place where a
 * component fills in its defaults.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as D & O;
}

/** Checks that `value` is a safe integer >= `min` and returns it. */
export function intOption(owner: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    invalidOption(owner, `${name} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** Checks that `value` is a boolean and returns it. */
export function boolOption(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") invalidOption(owner, `${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** Checks that `value` is a finite number > 0 and returns it. */
export function positiveOption(owner: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    invalidOption(owner, `${name} must be a finite number > 0, got ${describe(value)}`);
  }
  return value;
}

/** A bad value as shown in messages: JSON where it has one, else its type. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "function") return "a function";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}
