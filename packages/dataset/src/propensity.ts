import { pointerSyntaxProblem } from "./internal/_pointer.js";

/**
 * Checks a propensity pointer (the `propensityPointer` read option): a non-empty RFC 6901 JSON
 * pointer, `~0` and `~1` escapes included, such as `"/metadata/behaviorProbability"`. Only the syntax
 * is checked here; whether it resolves to a number in (0, 1] is checked on every example while reading.
 * @param pointer - the candidate pointer
 * @returns `undefined` when it is valid, else what is wrong as a phrase to follow the option's name
 *   (e.g. `is not a JSON pointer (RFC 6901): it must start with "/", ... (got "metadata/p")`)
 */
export function propensityPointerProblem(pointer: unknown): string | undefined {
  if (typeof pointer !== "string") {
    return `must be a JSON pointer string such as "/metadata/behaviorProbability" (got ${pointer === null ? "null" : typeof pointer})`;
  }
  if (pointer === "") {
    return 'must not be empty: "" is the whole example, which is never a number (e.g. "/metadata/behaviorProbability")';
  }
  const problem = pointerSyntaxProblem(pointer);
  return problem === undefined
    ? undefined
    : `is not a JSON pointer (RFC 6901): ${problem} (got ${JSON.stringify(pointer)})`;
}

/** What a propensity must be, as issues and documentation say it. */
export const PROPENSITY_EXPECTED = "a number in (0, 1]";
