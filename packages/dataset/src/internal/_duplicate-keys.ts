// Duplicate member names in JSON text. `JSON.parse` keeps one of the values silently, so every reader
// checks the text it parsed: a cheap bound first (run on every record), the full scan only when the
// bound says a duplicate is possible. See docs/dataset-format.md, "Duplicate keys".
import { escapePointerToken } from "../issues.js";

/** Deeper than this, {@link mayHaveDuplicateKeys} stops counting and answers "possible" (the scan is iterative). */
const MAX_COUNT_DEPTH = 256;

/**
 * Whether `text`, which `JSON.parse` turned into `value`, may hold an object with the same member name
 * twice. Sound, never a false "no": every member of an object is a string followed by a colon, so the
 * colons that follow a `"` (white space between allowed) bound the members from above; the parsed value
 * holds one member per distinct name. When both counts agree there is no duplicate. A colon after a
 * quote inside a string value (`\":`, or a value starting with a colon) only makes the bound looser,
 * which costs a scan, never a miss.
 * Cost: one native `indexOf` per colon and one walk over the parsed value's keys.
 *
 * @param text - the JSON text
 * @param value - `JSON.parse(text)`
 */
export function mayHaveDuplicateKeys(text: string, value: unknown): boolean {
  let colons = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) {
    let j = i - 1;
    let c = text.charCodeAt(j);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(--j);
    if (c === 34) colons++;
  }
  if (colons === 0 || typeof value !== "object" || value === null) return false;
  const keys = Array.isArray(value) ? countInArray(value, 0) : countKeys(value as Record<string, unknown>, 0);
  return keys === Number.POSITIVE_INFINITY || colons > keys;
}

/** Member names over every object in `obj` (a plain object); `Infinity` when nested too deep to count. */
function countKeys(obj: Record<string, unknown>, depth: number): number {
  if (depth > MAX_COUNT_DEPTH) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (const key in obj) {
    n++;
    const item = obj[key];
    if (typeof item === "object" && item !== null)
      n += Array.isArray(item)
        ? countInArray(item, depth + 1)
        : countKeys(item as Record<string, unknown>, depth + 1);
  }
  return n;
}

function countInArray(array: readonly unknown[], depth: number): number {
  if (depth > MAX_COUNT_DEPTH) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (typeof item === "object" && item !== null)
      n += Array.isArray(item)
        ? countInArray(item, depth + 1)
        : countKeys(item as Record<string, unknown>, depth + 1);
  }
  return n;
}

/** A member name seen twice in one object. */
export interface DuplicateKey {
  /** The name, decoded (`"a"` and `"\u0061"` are the same name). */
  readonly key: string;
  /** RFC 6901 pointer of the second (or later) occurrence, relative to the text's root value. */
  readonly pointer: string;
  /** 1-based line of the text where that occurrence starts. */
  readonly line: number;
  /** 1-based line of the first occurrence. */
  readonly firstLine: number;
}

interface Frame {
  /** Names seen so far with their line, for an object; undefined for an array. */
  readonly names: Map<string, number> | undefined;
  /** Array index, or whether the object has pushed a member token onto the path (0/1). */
  index: number;
}

/**
 * Every repeated member name in `text`, which must be valid JSON (`JSON.parse` accepted it), in text
 * order, at most `max`. One pass with an explicit stack, so nesting depth is no concern.
 *
 * @param text - valid JSON text
 * @param max - stop after this many duplicates
 */
export function findDuplicateKeys(text: string, max = Number.POSITIVE_INFINITY): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const frames: Frame[] = [];
  const path: string[] = [];
  let line = 1;
  let expectName = false;
  const n = text.length;
  for (let i = 0; i < n && found.length < max; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123) {
      frames.push({ names: new Map(), index: 0 });
      expectName = true;
    } else if (c === 91) {
      frames.push({ names: undefined, index: 0 });
      path.push("0");
    } else if (c === 125 || c === 93) {
      const frame = frames.pop()!;
      if (frame.names === undefined || frame.index === 1) path.pop();
      expectName = false;
    } else if (c === 44) {
      const frame = frames.at(-1)!;
      if (frame.names === undefined) path[path.length - 1] = String(++frame.index);
      else {
        path.pop();
        frame.index = 0;
        expectName = true;
      }
    } else if (c === 34) {
      const end = stringEnd(text, i);
      if (expectName) {
        const frame = frames.at(-1)!;
        const name = decodeString(text, i, end);
        const token = escapePointerToken(name);
        const first = frame.names!.get(name);
        if (first === undefined) frame.names!.set(name, line);
        else found.push({ key: name, pointer: pointerOf(path, token), line, firstLine: first });
        path.push(token);
        frame.index = 1;
        expectName = false;
      }
      i = end;
    }
  }
  return found;
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; ; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34 || Number.isNaN(c)) return i;
  }
}

function decodeString(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  return raw.includes("\\") ? (JSON.parse(text.slice(start, end + 1)) as string) : raw;
}

function pointerOf(path: readonly string[], token: string): string {
  let p = "";
  for (const t of path) p += `/${t}`;
  return `${p}/${token}`;
}
