import type { Location } from "./internal/_ajv.js";
import { checkRlvrExample } from "./internal/_checks.js";
import { IssueSink } from "./internal/_sink.js";
import type { DatasetIssue } from "./issues.js";
import type { RlvrExample } from "./schema.js";

/** Options of {@link validateExample}. */
export interface ValidateExampleOptions {
  /**
   * Name used as `file` in the issues.
   * @defaultValue `"<value>"`
   */
  file?: string;
  /**
   * Pointer prefix of the issues, e.g. `/examples/3`.
   * @defaultValue `""`
   */
  pointer?: string;
  /**
   * Issues collected before stopping.
   * @defaultValue 100
   */
  maxErrors?: number;
}

/**
 * Check one in-memory value as an {@link RlvrExample}: the schema and every semantic rule except id
 * uniqueness (which needs the whole dataset). Returns the issues, empty when the value is valid.
 *
 * @param value - the value to check
 * @param options - how to label the issues
 */
export function validateExample(value: unknown, options?: ValidateExampleOptions): DatasetIssue[] {
  const sink = new IssueSink(options?.maxErrors ?? 100);
  const at: Location = { file: options?.file ?? "<value>", line: undefined, base: options?.pointer ?? "" };
  checkRlvrExample(value, at, sink, true);
  return sink.issues;
}

/** Whether `value` is a valid {@link RlvrExample} (see {@link validateExample}). */
export function isRlvrExample(value: unknown): value is RlvrExample {
  return validateExample(value, { maxErrors: 1 }).length === 0;
}
