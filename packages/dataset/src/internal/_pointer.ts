import { escapePointerToken } from "../issues.js";

/** Join a pointer and one more token. */
export function childPointer(base: string, token: string | number): string {
  return `${base}/${escapePointerToken(token)}`;
}

/** Parse an RFC 6901 pointer into its unescaped tokens; undefined when malformed. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  const tokens = pointer.slice(1).split("/");
  for (const t of tokens) if (/~[^01]|~$/.test(t)) return undefined;
  return tokens.map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Resolve unescaped tokens in a JSON value; `undefined` when a member is missing. */
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
