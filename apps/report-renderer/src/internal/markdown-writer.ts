// Markdown building blocks: every string from data goes through escapeMarkdown or markdownCode.
import { escapeMarkdown } from "./escape.js";

/** A Markdown table; cells are already-escaped Markdown. `align` per column: "l" or "r". */
export function mdTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: string,
): string {
  const sep = head.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  // GFM splits cells at every unescaped pipe, even inside code spans: escape them all (inside a code
  // span GFM removes the backslash again).
  const cell = (c: string) => (c === "" ? " " : c.replace(/(?<!\\)\|/g, "\\|"));
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(head), line(sep), ...rows.map(line)].join("\n");
}

/** Escaped inline text. */
export const t = escapeMarkdown;
