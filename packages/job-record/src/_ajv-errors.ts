import type { ErrorObject } from "ajv";

/**
 * One line per Ajv error, `pointer: message` (an unknown member as `pointer/name: unknown member`),
 * duplicates removed: the message format of every schema check of the job record and job spec.
 */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    const where = e.instancePath === "" ? "/" : e.instancePath;
    if (e.keyword === "additionalProperties") {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      out.push(`${where === "/" ? "" : where}/${extra}: unknown member`);
    } else if (e.keyword === "anyOf" || e.keyword === "oneOf") {
      // The branches' own errors say more; keep one summary line.
      out.push(`${where}: ${e.message ?? "is invalid"}`);
    } else {
      out.push(`${where}: ${e.message ?? "is invalid"}`);
    }
  }
  return [...new Set(out)];
}
