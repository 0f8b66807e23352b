import { escapePointerToken } from "../issues.js";

/** Join a pointer and one more token. */
export function childPointer(base: string, token: string | number): string {
  return `${base}/${escapePointerToken(token)}`;
}

/**
 * What is wrong with the syntax of an RFC 6901 JSON pointer, as a clause ("it must start with ...");
 * `undefined` when it is valid. The empty pointer `""` (the whole value) is valid.
 */
export function pointerSyntaxProblem(pointer: string): string | undefined {
  if (pointer === "") return undefined;
  if (!pointer.startsWith("/")) return 'it must start with "/", e.g. "/metadata/behaviorProbability"';
  for (let i = pointer.indexOf("~"); i !== -1; i = pointer.indexOf("~", i + 1)) {
    const next = pointer[i + 1];
    if (next !== "0" && next !== "1") {
      return `the "~" at character ${i + 1} must be followed by 0 or 1 (write "~" as ~0 and a "/" inside a member name as ~1)`;
    }
  }
  return undefined;
}

/** Parse an RFC 6901 pointer into its unescaped tokens; undefined when malformed. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (pointerSyntaxProblem(pointer) !== undefined) return undefined;
  // ~1 first, then ~0: "~01" is the name "~1", not "/".
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Resolve unescaped tokens in a JSON value; `undefined` when a member is missing. Array indices are
 * decimal without leading zeros; `-` (the element after the last) and inherited members resolve to
 * nothing.
 */
export function resolveTokens(value: unknown, tokens: readonly string[]): unknown {
  let v = value;
  for (const t of tokens) {
    if (typeof v !== "object" || v === null) return undefined;
    if (Array.isArray(v)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) return undefined;
      v = v[Number(t)];
    } else {
      if (!Object.hasOwn(v, t)) return undefined;
      v = (v as Record<string, unknown>)[t];
    }
  }
  return v;
}
