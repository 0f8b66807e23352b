// Vega-Lite spec -> SVG string, in Node, with Vega's headless SVG renderer (no canvas, no DOM, no
// network: the loader refuses every request, all data is inline). Vega and Vega-Lite are loaded on
// first use, so that importing this package (rlvr-train does at start-up) or rendering Markdown
// does not pay for them.
import type { View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import { ReportError } from "../errors.js";
import { escapeHtml } from "./escape.js";

/** Shared look of every chart: sizes in CSS pixels, fonts that every system has. */
export const CHART_CONFIG = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  background: "#ffffff",
  padding: 8,
  view: { stroke: "#d0d7de" },
  axis: { labelColor: "#24292f", titleColor: "#24292f", gridColor: "#eaeef2", domainColor: "#8c959f" },
  legend: { labelColor: "#24292f", titleColor: "#24292f", orient: "bottom", direction: "horizontal" },
  title: { color: "#24292f", anchor: "start", fontSize: 13, subtitleColor: "#57606a" },
  range: {
    // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
    category: ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"],
  },
} as const;

const refuse = {
  load: (uri: string) => Promise.reject(new Error(`network and file access are disabled (asked for ${uri})`)),
  sanitize: (uri: string) =>
    Promise.reject(new Error(`network and file access are disabled (asked for ${uri})`)),
  http: () => Promise.reject(new Error("network access is disabled")),
  file: () => Promise.reject(new Error("file access is disabled")),
};

let loading: Promise<{ vega: typeof import("vega"); vegaLite: typeof import("vega-lite") }> | undefined;

/** Vega and Vega-Lite, imported once on first use. */
function libraries() {
  loading ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({
    vega,
    vegaLite,
  }));
  return loading;
}

/** A rendered chart. */
export interface RenderedChart {
  /** The `<svg>` element, with a `<title>` and `<desc>` for assistive technology. */
  readonly svg: string;
  /** Width and height in CSS pixels. */
  readonly width: number;
  readonly height: number;
}

/**
 * Renders a Vega-Lite spec to an SVG string. `title` and `description` become the SVG's accessible
 * name (`<title>`) and description (`<desc>`).
 */
export async function renderVegaLite(
  spec: TopLevelSpec,
  title: string,
  description: string,
): Promise<RenderedChart> {
  let svg: string;
  let view: View | undefined;
  try {
    const { vega, vegaLite } = await libraries();
    const full = { ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
    // Vega-Lite's warnings (an option a scale type ignores...) are not the reader's business.
    const vg = vegaLite.compile(full, { logger: vega.logger(vega.None) }).spec;
    view = new vega.View(vega.parse(vg), {
      renderer: "none",
      loader: refuse as never,
      logLevel: vega.None,
    } as never);
    svg = await view.toSVG();
  } catch (error) {
    throw new ReportError(
      "RENDER_FAILED",
      `renderVegaLite: cannot render the chart "${title}": ${String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    view?.finalize();
  }
  const width = Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const height = Number(/height="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  // Accessible name and description, then the chart; role="img" makes it one image for screen
  // readers (the data is in the tables beside it).
  const open = svg.indexOf(">");
  const head = svg
    .slice(0, open)
    .replace(/\s(role|aria-roledescription|aria-label)="[^"]*"/g, "")
    .replace("<svg ", '<svg role="img" focusable="false" ');
  svg = `${head}><title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>${svg.slice(open + 1)}`;
  assertInert(svg, title);
  return { svg, width, height };
}

/**
 * Defence in depth: the SVG comes from a library that escapes text, but if any active content ever
 * got through (a script element, an event handler attribute, a javascript: URL, a foreign object),
 * refuse to embed it rather than ship it.
 */
function assertInert(svg: string, title: string): void {
  const bad = (why: string) => {
    throw new ReportError("RENDER_FAILED", `renderVegaLite: the chart "${title}" contains ${why}`);
  };
  for (const [tag] of svg.matchAll(/<[^>]*>/g)) {
    const name = /^<\/?\s*([a-zA-Z][\w:-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (name !== undefined && !SAFE_ELEMENTS.has(name)) bad(`a <${name}> element`);
    // Attribute names (values removed: they are escaped text, e.g. an aria-label naming an action).
    const names = tag.replace(/"[^"]*"|'[^']*'/g, '""');
    if (/\son[a-z]+\s*=/i.test(names)) bad("an event handler attribute");
    if (/\s(?:xlink:)?(?:href|src)\s*=/i.test(names)) bad("a link");
  }
}

const SAFE_ELEMENTS = new Set([
  "svg",
  "g",
  "path",
  "rect",
  "line",
  "circle",
  "ellipse",
  "polyline",
  "polygon",
  "text",
  "tspan",
  "title",
  "desc",
  "defs",
  "clippath",
  "lineargradient",
  "radialgradient",
  "stop",
  "pattern",
  "style",
]);
