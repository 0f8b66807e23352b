// Helpers for JSON text: parse-error descriptions, line/column of an offset, pointer → line lookup.
import { escapePointerToken } from "../issues.js";

const BARE_NON_FINITE = /(^|[\s,:[])(-?(?:NaN|Infinity))(?=[\s,\]}]|$)/;

/** A JSON syntax error in words, with the UTF-16 offset where the parser stopped when known. */
export interface ParseFailure {
  message: string;
  offset: number | undefined;
}

/** Describe why `JSON.parse(text)` threw `error`, without echoing the text. */
export function describeParseError(text: string, error: unknown): ParseFailure {
  const nonFinite = BARE_NON_FINITE.exec(text);
  if (nonFinite !== null) {
    return {
      message: `${nonFinite[2]} is not a JSON number (JSON has no NaN or Infinity)`,
      offset: nonFinite.index + nonFinite[1]!.length,
    };
  }
  const raw = error instanceof Error ? error.message : String(error);
  if (text.trim() === "") return { message: "empty JSON text", offset: undefined };
  const at = /at position (\d+)/.exec(raw);
  let message = raw
    .replace(/\s*in JSON at position \d+(\s*\(line \d+ column \d+\))?/, "")
    .replace(/,\s*"[\s\S]*" is not valid JSON$/, "")
    .replace(/^SyntaxError:\s*/, "");
  if (message === "") message = "invalid JSON";
  return { message, offset: at === null ? undefined : Number(at[1]) };
}

/** 1-based line and column of a UTF-16 offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * 1-based line on which the value at each pointer starts, in valid JSON `text`. Pointers that do not
 * exist (a missing member) get the line of their nearest existing ancestor. One pass over the text;
 * used only to decorate issues of JSON documents.
 */
export function locatePointers(text: string, pointers: Iterable<string>): Map<string, number> {
  const wanted = new Set<string>();
  let maxDepth = 0;
  for (const p of pointers) {
    let q = p;
    for (;;) {
      wanted.add(q);
      if (q === "") break;
      q = q.slice(0, q.lastIndexOf("/"));
    }
    maxDepth = Math.max(maxDepth, p.split("/").length - 1);
  }
  const found = new Map<string, number>();
  const path: string[] = [];
  const frames: { array: boolean; index: number }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  const skipWs = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) break;
    }
  };
  const skipString = (): string => {
    const start = i;
    let escaped = false;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i++;
      } else if (c === 34) break;
    }
    i++;
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const record = () => {
    if (path.length > maxDepth) return;
    let p = "";
    for (const t of path) p += `/${t}`;
    if (wanted.has(p)) found.set(p, line);
  };
  type State = "value" | "key" | "after" | "arrayStart";
  let state: State = "value";
  while (i < n) {
    skipWs();
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (state === "value" || state === "arrayStart") {
      if (state === "arrayStart" && c === 93) {
        path.pop();
        frames.pop();
        i++;
        state = "after";
        continue;
      }
      record();
      if (c === 123) {
        frames.push({ array: false, index: 0 });
        i++;
        state = "key";
      } else if (c === 91) {
        frames.push({ array: true, index: 0 });
        path.push("0");
        i++;
        state = "arrayStart";
      } else {
        if (c === 34) skipString();
        else while (i < n && !/[\s,\]}]/.test(text[i]!)) i++;
        state = "after";
      }
    } else if (state === "key") {
      if (c === 125) {
        frames.pop();
        i++;
        state = "after";
        continue;
      }
      if (c === 44) {
        i++;
        continue;
      }
      path.push(escapePointerToken(skipString()));
      skipWs();
      i++; // the colon
      state = "value";
    } else {
      const frame = frames.at(-1);
      if (frame === undefined) break;
      if (frame.array) {
        if (c === 44) {
          frame.index++;
          path[path.length - 1] = String(frame.index);
          state = "value";
        } else {
          path.pop();
          frames.pop();
        }
      } else {
        path.pop();
        if (c === 44) state = "key";
        else frames.pop();
      }
      i++;
    }
  }
  const out = new Map<string, number>();
  for (const p of pointers) {
    let q = p;
    for (;;) {
      const l = found.get(q);
      if (l !== undefined) {
        out.set(p, l);
        break;
      }
      if (q === "") break;
      q = q.slice(0, q.lastIndexOf("/"));
    }
  }
  return out;
}
