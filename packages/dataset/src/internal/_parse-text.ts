// Strict parsing of JSON text into issues: syntax errors with line and column, duplicate member names
// with line and pointer, and the lines of issues found later in the parsed value. Shared by the
// document reader, the JSONL reader and `parseJsonText`.
import { IssueCode } from "../issues.js";
import { type DuplicateKey, findDuplicateKeys, mayHaveDuplicateKeys } from "./_duplicate-keys.js";
import { describeParseError, lineColumn, locatePointers } from "./_json-text.js";
import type { IssueSink } from "./_sink.js";

/** The text around a syntax error: up to 30 characters on each side, cuts marked with `…`. */
export function near(text: string, offset: number): string {
  const from = Math.max(0, offset - 30);
  const to = Math.min(text.length, offset + 30);
  return `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < text.length ? "…" : ""}`;
}

/**
 * Reports every repeated member name of `text` (valid JSON that parsed to `value`) as a
 * `DUPLICATE_KEY` issue and returns them; empty, after the cheap bound, when there is none.
 *
 * @param line - for a one-line record (JSONL), its line in the file; undefined for a whole document
 *   (each duplicate then carries its own line)
 */
export function reportDuplicateKeys(
  text: string,
  value: unknown,
  file: string,
  line: number | undefined,
  sink: IssueSink,
): DuplicateKey[] {
  if (!mayHaveDuplicateKeys(text, value)) return [];
  const duplicates = findDuplicateKeys(text, sink.max + 1);
  for (const d of duplicates) {
    const first = line === undefined && d.firstLine !== d.line ? ` (first at line ${d.firstLine})` : "";
    sink.report(
      IssueCode.DUPLICATE_KEY,
      file,
      line ?? d.line,
      d.pointer,
      `duplicate key ${JSON.stringify(d.key)}: the object already has a member of that name${first}`,
      undefined,
      "each member name once per object (parsers disagree on which value counts)",
    );
  }
  return duplicates;
}

/**
 * Parses a whole JSON document: a syntax error becomes an `INVALID_JSON` issue (line, column and the
 * text around it) and `undefined` is returned; repeated member names are reported and returned with
 * the value.
 *
 * @param expected - what the text should be, for the syntax issue (`"a JSON document"`)
 */
export function parseDocumentText(
  text: string,
  file: string,
  sink: IssueSink,
  expected: string,
): { value: unknown; duplicates: DuplicateKey[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const f = describeParseError(text, error);
    if (f.offset === undefined) {
      sink.report(
        IssueCode.INVALID_JSON,
        file,
        undefined,
        "",
        `invalid JSON: ${f.message}`,
        undefined,
        expected,
      );
    } else {
      const lc = lineColumn(text, f.offset);
      const message = `invalid JSON: ${f.message} at column ${lc.column}`;
      sink.reportText(IssueCode.INVALID_JSON, file, lc.line, "", message, near(text, f.offset), expected);
    }
    return undefined;
  }
  return { value, duplicates: reportDuplicateKeys(text, value, file, undefined, sink) };
}

/** Gives the issues of `file` that have no line yet the line where their pointer's value starts in `text`. */
export function placeIssues(text: string, file: string, sink: IssueSink): void {
  const unplaced = sink.issues.filter((issue) => issue.line === undefined && issue.file === file);
  if (unplaced.length === 0) return;
  const lines = locatePointers(text, new Set(unplaced.map((issue) => issue.pointer)));
  for (const issue of unplaced) {
    const line = lines.get(issue.pointer);
    if (line !== undefined) issue.line = line;
  }
}
