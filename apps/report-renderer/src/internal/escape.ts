// Escaping of every string that comes from data, for HTML text/attributes and for Markdown.

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `text` safe inside HTML text and inside a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * `text` as inline Markdown (never at the start of a line) that renders literally: the characters
 * that inline Markdown, GFM and GitHub math interpret (`\\ \` * _ [ ] | ~ $`) are backslash-escaped,
 * `<`, `>` and `&` become entities (so no raw HTML gets through a renderer that allows it), and line
 * breaks become spaces. Other punctuation stays as is, so the text reads well in a terminal too.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, " ")
    .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!);
}

/** `text` inside a Markdown code span, delimited by enough backticks; `<` stays literal there. */
export function markdownCode(text: string): string {
  const flat = text.replace(/\r\n?|\n/g, " ");
  if (flat === "") return "` `";
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space on each side when both are there (and the content is not all
  // spaces): pad for that case, and to keep a backtick at either end off the fence.
  const spaced = flat.startsWith(" ") && flat.endsWith(" ") && flat.trim() !== "";
  const pad = flat.startsWith("`") || flat.endsWith("`") || spaced ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
