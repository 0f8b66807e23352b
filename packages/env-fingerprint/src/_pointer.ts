// RFC 6901 JSON pointers: building, escaping and display. Internal.

/** Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`. */
export function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Joins reference tokens into a pointer (`[]` is the root `""`). */
export function toPointer(tokens: readonly string[]): string {
  let pointer = "";
  for (const token of tokens) pointer += `/${escapeToken(token)}`;
  return pointer;
}

/** Appends one token to a pointer. */
export function child(pointer: string, token: string | number): string {
  return `${pointer}/${escapeToken(String(token))}`;
}

/** A pointer for messages: the root `""` is shown as `(root)`. */
export function showPointer(pointer: string): string {
  return pointer === "" ? "(root)" : pointer;
}

/** A short, single-line rendering of a value for messages (at most `max` characters). */
export function showValue(value: unknown, max = 60): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number") text = Object.is(value, -0) ? "-0" : String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (value === undefined || typeof value === "function" || typeof value === "symbol") {
    text = typeof value === "function" ? "a function" : String(value);
  } else if (typeof value === "object" && value !== null) {
    try {
      text = JSON.stringify(value) ?? "an object";
    } catch {
      text = Array.isArray(value) ? `an array of ${value.length}` : "an object";
    }
  } else text = String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
