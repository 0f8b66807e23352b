/**
 * `@rlvr/report-renderer`: turns rlvr job records (`*.job.json`, the JobRecord of
 * `@rlvr/orchestrator`) into reports people would rather look at than read: Markdown for pull
 * requests and terminals, and one self-contained HTML page with Vega-Lite charts rendered to SVG
 * at build time, with no script and no network. Also a side-by-side comparison of runs. The
 * `rlvr-report` command is in the `rlvr-train` package (`rlvr-train report`).
 * @packageDocumentation
 */
export type { RenderedComparison, RunComparison } from "./compare.js";
export { renderComparison } from "./compare.js";
export type { ReportErrorCode, ReportErrorOptions } from "./errors.js";
export { ReportError } from "./errors.js";
export { renderHtml } from "./html.js";
export { renderMarkdown } from "./markdown.js";
export type { RenderOptions } from "./options.js";
export { DEFAULT_MAX_POINTS_PER_SERIES, DEFAULT_MAX_TRIAL_ROWS } from "./options.js";
export { parseJobRecord, toJobRecord } from "./record.js";
export { VERSION } from "./version.js";
