// The JSONL reader: one record per line, streamed, each parsed, checked for repeated member names and
// converted to an example.
import type { DatasetFormat } from "../formats.js";
import { IssueCode } from "../issues.js";
import { WarningCode } from "../warnings.js";
import type { RecordConverter } from "./_adapters.js";
import type { Location } from "./_ajv.js";
import { mayHaveSurrogateEscapes } from "./_checks.js";
import type { Sniff } from "./_detect.js";
import { type FileContext, warn } from "./_file-context.js";
import { describeParseError } from "./_json-text.js";
import { type LineVisitor, readLines } from "./_lines.js";
import { near, reportDuplicateKeys } from "./_parse-text.js";

/**
 * Expected number of lines of a file, from the average line length in its first MiB (2 % margin):
 * lets the duplicate-id table be sized once instead of growing (which briefly holds two tables).
 */
export function estimateLines(sniff: Sniff): number {
  if (sniff.complete) return 0;
  let lines = 0;
  let last = -1;
  for (let i = sniff.text.indexOf("\n"); i !== -1; i = sniff.text.indexOf("\n", i + 1)) {
    lines++;
    last = i;
  }
  if (lines === 0) return 0;
  const headBytes = Buffer.byteLength(sniff.text.slice(0, last + 1), "utf8");
  return Math.ceil((sniff.size / headBytes) * lines * 1.02);
}

/** Reports a line that does not parse: a cut-off last line, or invalid JSON with its column. */
function reportUnparsed(
  ctx: FileContext,
  line: { text: string; no: number; terminated: boolean; expected: string },
  error: unknown,
) {
  const { text, no } = line;
  if (!line.terminated) {
    ctx.sink.reportText(
      IssueCode.TRUNCATED_LAST_LINE,
      ctx.path,
      no,
      "",
      "truncated last line: it has no final newline and is not valid JSON (was the file cut off?)",
      text.length > 40 ? `…${text.slice(-40)}` : text,
      "a complete JSON object followed by a newline",
    );
    return;
  }
  const f = describeParseError(text, error);
  ctx.sink.reportText(
    IssueCode.INVALID_JSON,
    ctx.path,
    no,
    "",
    f.offset === undefined
      ? `invalid JSON: ${f.message}`
      : `invalid JSON: ${f.message} at column ${f.offset + 1}`,
    f.offset === undefined ? text : near(text, f.offset),
    line.expected,
  );
}

/** Reads a JSON-lines file of `format` through `ctx`, each record converted by `convert`. */
export async function readLineFile(
  ctx: FileContext,
  format: DatasetFormat,
  convert: RecordConverter,
): Promise<void> {
  const expected =
    format === "completions" ? "one JSON object per line" : "one JSON object (an RLVR example) per line";
  const { path, sink, acceptor } = ctx;
  const at: Location = { file: path, line: 0, base: "" };
  let blank = 0;
  let records = 0;
  const visitor: LineVisitor = {
    line(text, lineNo, terminated) {
      const c = text.charCodeAt(0);
      if (text.length === 0 || ((c === 32 || c === 9 || c === 13) && text.trim() === "")) {
        blank++;
        return;
      }
      records++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        reportUnparsed(ctx, { text, no: lineNo, terminated, expected }, error);
        return;
      }
      if (reportDuplicateKeys(text, value, path, lineNo, sink).length > 0) return;
      at.line = lineNo;
      const example = convert(value, at, sink, mayHaveSurrogateEscapes(text));
      if (example !== undefined) acceptor.accept(example, at);
    },
    bad(lineNo, kind, detail) {
      records++;
      sink.report(
        kind === "utf8" ? IssueCode.INVALID_UTF8 : IssueCode.LINE_TOO_LONG,
        path,
        lineNo,
        "",
        detail,
      );
    },
    stopped: () => sink.truncated,
  };
  await readLines(path, visitor, ctx.options.signal);
  if (blank > 0)
    warn(ctx, WarningCode.BLANK_LINES, `${blank} blank line${blank === 1 ? " was" : "s were"} skipped`);
  if (records === 0) {
    sink.report(
      IssueCode.EMPTY_DATASET,
      path,
      undefined,
      "",
      "the file holds no records",
      undefined,
      "at least one example",
    );
  }
}
