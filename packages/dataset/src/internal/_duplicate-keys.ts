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
  const keys = countIn(value, 0);
  return keys === Number.POSITIVE_INFINITY || colons > keys;
}

/** Member names over every object in `obj` (a plain object); `Infinity` when nested too deep to count. */
function countKeys(obj: Record<string, unknown>, depth: number): number {
  let n = 0;
  for (const key in obj) {
    n++;
    const item = obj[key];
    if (typeof item === "object" && item !== null) n += countIn(item, depth + 1);
  }
  return n;
}

/** Member names in a nested object or array (V8 runs two monomorphic loops faster than one mixed one). */
function countIn(value: object, depth: number): number {
  if (depth > MAX_COUNT_DEPTH) return Number.POSITIVE_INFINITY;
  if (!Array.isArray(value)) return countKeys(value as Record<string, unknown>, depth);
  let n = 0;
  for (const item of value) if (typeof item === "object" && item !== null) n += countIn(item, depth + 1);
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

/** Up to this many names an object's names are searched linearly (cheaper than a map for small objects). */
const LINEAR_NAMES = 16;

interface Frame {
  /** Names seen so far, for an object (linear search: objects are small); undefined for an array. */
  readonly names: string[] | undefined;
  /** The line of each name in `names`. */
  readonly lines: number[];
  /** Name → index in `names`, built once an object has more than {@link LINEAR_NAMES} names. */
  byName?: Map<string, number>;
  /** Array index; for an object, the index in `names` of the member being read, -1 before the first. */
  index: number;
}

/** The pointer of the value being read, built only when a duplicate is found. */
function pointerOf(frames: readonly Frame[]): string {
  let p = "";
  for (const f of frames) {
    if (f.names === undefined) p += `/${f.index}`;
    else if (f.index >= 0) p += `/${escapePointerToken(f.names[f.index]!)}`;
  }
  return p;
}

/**
 * Every repeated member name in `text`, which must be valid JSON (`JSON.parse` accepted it), in text
 * order, at most `max`. One pass with an explicit stack, so nesting depth is no concern; pointers are
 * built only for the duplicates.
 *
 * @param text - valid JSON text
 * @param max - stop after this many duplicates
 */
export function findDuplicateKeys(text: string, max = Number.POSITIVE_INFINITY): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const frames: Frame[] = [];
  let line = 1;
  let expectName = false;
  const n = text.length;
  for (let i = 0; i < n && found.length < max; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123) {
      frames.push({ names: [], lines: [], index: -1 });
      expectName = true;
    } else if (c === 91) frames.push({ names: undefined, lines: [], index: 0 });
    else if (c === 125 || c === 93) {
      frames.pop();
      expectName = false;
    } else if (c === 44) {
      const frame = frames.at(-1)!;
      if (frame.names === undefined) frame.index++;
      else expectName = true;
    } else if (c === 34) {
      const end = stringEnd(text, i);
      if (expectName) {
        const frame = frames.at(-1)!;
        const names = frame.names!;
        const name = decodeString(text, i, end);
        const first = frame.byName === undefined ? names.indexOf(name) : (frame.byName.get(name) ?? -1);
        if (first !== -1) {
          frame.index = first;
          found.push({ key: name, pointer: pointerOf(frames), line, firstLine: frame.lines[first]! });
        } else {
          frame.index = names.length;
          names.push(name);
          frame.lines.push(line);
          if (frame.byName !== undefined) frame.byName.set(name, frame.index);
          else if (names.length > LINEAR_NAMES) frame.byName = new Map(names.map((m, k) => [m, k]));
        }
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
