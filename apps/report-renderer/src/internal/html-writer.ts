// HTML building blocks. `Html` is markup that is already safe; everything else is text and gets
// escaped on the way in.
import { escapeHtml } from "./escape.js";

/** Markup that is safe to embed as is. */
export interface Html {
  readonly __html: string;
}

/** Marks trusted markup (produced by this package, never from data). */
export function raw(markup: string): Html {
  return { __html: markup };
}

/** Text or markup to markup: strings are escaped. */
export function h(content: string | Html | readonly (string | Html)[]): string {
  if (typeof content === "string") return escapeHtml(content);
  if (Array.isArray(content)) return content.map((c) => h(c as string | Html)).join("");
  return (content as Html).__html;
}

/** A table cell: text or markup, numeric cells right-aligned. */
export interface Cell {
  readonly content: string | Html;
  readonly num?: boolean;
}

/** A captioned table, scrollable on its own in a narrow window. */
export function table(
  caption: string,
  head: readonly (string | Cell)[],
  rows: readonly (readonly (string | Cell)[])[],
  rowClass?: (i: number) => string | undefined,
): string {
  const cell = (tag: "th" | "td", c: string | Cell, scope?: string) => {
    const o = typeof c === "string" ? { content: c } : c;
    const cls = o.num ? ' class="num"' : "";
    return `<${tag}${scope ? ` scope="${scope}"` : ""}${cls}>${h(o.content)}</${tag}>`;
  };
  const body = rows
    .map((r, i) => {
      const cls = rowClass?.(i);
      return `<tr${cls ? ` class="${cls}"` : ""}>${r.map((c) => cell("td", c)).join("")}</tr>`;
    })
    .join("");
  return (
    `<div class="table-wrap" tabindex="0" role="region" aria-label="${escapeHtml(caption)}"><table>` +
    `<caption>${escapeHtml(caption)}</caption><thead><tr>${head.map((c) => cell("th", c, "col")).join("")}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

/** `<code>` of a text. */
export function code(text: string): Html {
  return raw(`<code>${escapeHtml(text)}</code>`);
}

/** A numeric cell. */
export function n(text: string): Cell {
  return { content: text, num: true };
}
