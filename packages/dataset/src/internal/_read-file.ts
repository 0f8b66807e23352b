// One file of a load or validation call: layout and format detection, the right reader, then the
// file's report (issues, warnings, statistics, digest).
import { DatasetError } from "../errors.js";
import { type DatasetFormat, isLineFormat } from "../formats.js";
import { IssueCode } from "../issues.js";
import type { ResolvedReadOptions } from "../options.js";
import type { ValidationReport } from "../read.js";
import { WarningCode } from "../warnings.js";
import { createConverter } from "./_adapters.js";
import {
  type DetectFailure,
  detectLayout,
  detectLineFormat,
  extensionLayout,
  firstRecordAt,
  guessFormat,
  type Layout,
  type Sniff,
  sniffFile,
} from "./_detect.js";
import type { DocInfo } from "./_envelope.js";
import { Acceptor, type FileContext, propensityApplies, type Shared, warn } from "./_file-context.js";
import { readDocumentFile, reportDetectFailure } from "./_read-document.js";
import { estimateLines, readLineFile } from "./_read-lines.js";
import { IssueSink } from "./_sink.js";

/** The report of one file, and the identity its document gives the dataset. */
export interface FileResult {
  report: ValidationReport;
  doc: DocInfo | undefined;
}

/** A typed error for an I/O failure on `path` (a `DatasetError` passes through). */
export function ioError(path: string, error: unknown): DatasetError {
  if (DatasetError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT")
    return new DatasetError("FILE_NOT_FOUND", `file not found: ${path}`, { cause: error, file: path });
  if (code === "EISDIR") {
    return new DatasetError("FILE_READ_ERROR", `${path} is a directory, not a file`, {
      cause: error,
      file: path,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DatasetError("FILE_READ_ERROR", `cannot read ${path}: ${detail}`, { cause: error, file: path });
}

function excludedDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(after).sort()) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d > 0) out[key] = d;
  }
  return out;
}

/** Reads a file of `format` "auto": layout, then the format of the document or of the first record. */
async function readDetected(
  ctx: FileContext,
  sniff: Sniff,
  layout: Layout | DetectFailure,
): Promise<{ format?: DatasetFormat; detected: boolean; doc?: DocInfo }> {
  if (typeof layout !== "string") {
    reportDetectFailure(ctx, layout);
    return { detected: false };
  }
  if (layout === "document") return readDocumentFile(ctx, sniff, undefined);
  const first = firstRecordAt(sniff);
  const record = first?.value;
  const format = record === undefined ? "jsonl" : detectLineFormat(record);
  if (typeof format !== "string") {
    reportDetectFailure(ctx, format, first?.line);
    return { detected: false };
  }
  if (record === undefined)
    warn(ctx, WarningCode.FORMAT_GUESSED, "no line of the file start parses as JSON; read as jsonl");
  if (propensityApplies(ctx, format)) await readLines(ctx, sniff, format);
  return { format, detected: record !== undefined };
}

async function readLines(ctx: FileContext, sniff: Sniff, format: DatasetFormat): Promise<void> {
  const { shared } = ctx;
  const convert = createConverter(format, ctx.options, shared.state);
  shared.ids.reserve(shared.ids.size + estimateLines(sniff));
  await readLineFile(ctx, format, convert);
}

/** Reads a file of a requested format, warning when the content looks like the other layout. */
async function readRequested(
  ctx: FileContext,
  sniff: Sniff,
  layout: Layout | DetectFailure,
): Promise<DocInfo | undefined> {
  const format = ctx.options.format as DatasetFormat;
  if (isLineFormat(format)) {
    if (layout === "document") {
      warn(
        ctx,
        WarningCode.LAYOUT_MISMATCH,
        `the content looks like one JSON document but was read as ${format}, as requested`,
      );
    }
    await readLines(ctx, sniff, format);
    return undefined;
  }
  if (layout === "lines") {
    warn(
      ctx,
      WarningCode.LAYOUT_MISMATCH,
      `the content looks like JSON lines but was read as ${format}, as requested`,
    );
  }
  return (await readDocumentFile(ctx, sniff, format)).doc;
}

function extensionWarning(ctx: FileContext, layout: Layout | DetectFailure): void {
  const ext = extensionLayout(ctx.path);
  if (typeof layout !== "string" || ext === undefined || ext === layout) return;
  warn(
    ctx,
    WarningCode.LAYOUT_MISMATCH,
    layout === "lines"
      ? "the content is JSON lines although the file name ends in .json"
      : "the content is one JSON document although the file name says JSON lines",
  );
}

/** Warnings about examples kept or excluded on purpose, and the empty-file issue. */
function finishFile(ctx: FileContext, excluded: Record<string, number>, kept: number): void {
  if (kept > 0) {
    warn(
      ctx,
      WarningCode.SUSPECTED_KEPT,
      `${kept} example${kept === 1 ? "" : "s"} labelled rewardHackingSignal "suspected" kept (policy "keep"; "exclude" or "reject" drop them)`,
    );
  }
  for (const [reason, n] of Object.entries(excluded))
    warn(ctx, WarningCode.EXAMPLES_EXCLUDED, `${n} example${n === 1 ? "" : "s"} excluded: ${reason}`);
  const { sink } = ctx;
  if (ctx.acceptor.count === 0 && sink.issues.length === 0 && !sink.truncated) {
    const n = Object.values(excluded).reduce((a, b) => a + b, 0);
    sink.report(
      IssueCode.EMPTY_DATASET,
      ctx.path,
      undefined,
      "",
      n > 0 ? `no example left: all ${n} were excluded` : "the file holds no examples",
      undefined,
      "at least one example",
    );
  }
}

/**
 * Validates one file of a call, adding its valid examples to `shared`. Throws a {@link DatasetError}
 * for a bad path, an abort or an I/O failure; bad data becomes issues of the report.
 */
export async function processFile(path: string, o: ResolvedReadOptions, shared: Shared): Promise<FileResult> {
  if (typeof path !== "string" || path === "") {
    throw new DatasetError(
      "BAD_OPTIONS",
      `a file path must be a non-empty string (got ${JSON.stringify(path)})`,
    );
  }
  if (o.signal?.aborted) {
    throw new DatasetError("ABORTED", `aborted before reading ${path}`, {
      cause: o.signal.reason,
      file: path,
    });
  }
  const sink = new IssueSink(o.maxErrors);
  const ctx: FileContext = {
    path,
    options: o,
    shared,
    acceptor: new Acceptor(shared, sink, o.digest),
    sink,
    warnings: [],
  };
  const excludedBefore = { ...shared.state.excluded };
  const keptBefore = shared.state.suspectedKept;
  let format: DatasetFormat = o.format === "auto" ? guessFormat(path) : o.format;
  let detected = false;
  let doc: DocInfo | undefined;
  let sniff: Sniff;
  try {
    sniff = await sniffFile(path);
    const layout = detectLayout(sniff, path);
    extensionWarning(ctx, layout);
    if (o.format === "auto") {
      const r = await readDetected(ctx, sniff, layout);
      format = r.format ?? format;
      detected = r.detected;
      doc = r.doc;
    } else doc = await readRequested(ctx, sniff, layout);
  } catch (error) {
    throw ioError(path, error);
  }
  const excluded = excludedDelta(excludedBefore, shared.state.excluded);
  finishFile(ctx, excluded, shared.state.suspectedKept - keptBefore);
  const report: ValidationReport = {
    file: path,
    format,
    formatDetected: detected,
    valid: sink.issues.length === 0 && !sink.truncated,
    issues: sink.issues,
    issuesTruncated: sink.truncated,
    exampleCount: ctx.acceptor.count,
    excluded,
    warnings: ctx.warnings,
    stats: ctx.acceptor.stats.result(),
    digest: ctx.acceptor.digest?.finish() ?? "",
    bytes: sniff.size,
  };
  return { report, doc };
}
