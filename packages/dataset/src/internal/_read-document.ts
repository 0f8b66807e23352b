// The document reader: a whole JSON document (rlvr, learning-trace, legacy-rlvr), parsed strictly,
// its envelope checked and its examples converted one by one.
import { readFile } from "node:fs/promises";
import type { DatasetFormat } from "../formats.js";
import { IssueCode } from "../issues.js";
import { MAX_JSON_DOCUMENT_BYTES } from "../limits.js";
import { WarningCode } from "../warnings.js";
import { createConverter } from "./_adapters.js";
import type { Location } from "./_ajv.js";
import { mayHaveSurrogateEscapes } from "./_checks.js";
import { type DetectFailure, detectDocumentFormat, guessFormat, type Sniff } from "./_detect.js";
import type { DuplicateKey } from "./_duplicate-keys.js";
import { checkEnvelope, type DocInfo } from "./_envelope.js";
import { type FileContext, propensityApplies, warn } from "./_file-context.js";
import { parseDocumentText, placeIssues } from "./_parse-text.js";
import { firstInvalidUtf8, hexBytes } from "./_utf8.js";

/** What reading a document found out. */
export interface DocumentRead {
  format: DatasetFormat;
  /** Whether the format was detected rather than requested. */
  detected: boolean;
  doc: DocInfo | undefined;
}

/** Reports a failed detection as an issue of the file. */
export function reportDetectFailure(ctx: FileContext, f: DetectFailure, line?: number): void {
  const value = "value" in f ? f.value : undefined;
  ctx.sink.report(IssueCode[f.code], ctx.path, line, "", f.message, value, f.expected);
}

/** The text of the file, or undefined when it is too large or not UTF-8 (reported). */
async function readText(ctx: FileContext, sniff: Sniff): Promise<string | undefined> {
  const { path, sink } = ctx;
  if (sniff.size > MAX_JSON_DOCUMENT_BYTES) {
    sink.report(
      IssueCode.FILE_TOO_LARGE,
      path,
      undefined,
      "",
      `a JSON document of ${sniff.size} bytes is larger than the ${MAX_JSON_DOCUMENT_BYTES}-byte limit; convert it to JSONL, which is streamed`,
      undefined,
      `at most ${MAX_JSON_DOCUMENT_BYTES} bytes`,
    );
    return undefined;
  }
  const bytes = await readFile(path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
    sink.report(
      IssueCode.INVALID_UTF8,
      path,
      line,
      "",
      `invalid UTF-8 at byte ${offset} (bytes ${hexBytes(bytes, offset)})`,
    );
    return undefined;
  }
}

/** Indices of the examples that hold a repeated member name: they are refused without conversion. */
function examplesWithDuplicates(duplicates: readonly DuplicateKey[], prefix: string): Set<number> {
  const out = new Set<number>();
  for (const d of duplicates) {
    if (!d.pointer.startsWith(prefix)) continue;
    const token = d.pointer.slice(prefix.length).split("/")[0]!;
    if (/^(0|[1-9][0-9]*)$/.test(token)) out.add(Number(token));
  }
  return out;
}

/**
 * Reads a JSON document through `ctx`: as `requested`, or (undefined) as the format its content shows.
 * Issues without a line get the line of their pointer at the end.
 */
export async function readDocumentFile(
  ctx: FileContext,
  sniff: Sniff,
  requested: DatasetFormat | undefined,
): Promise<DocumentRead> {
  const { path, sink, shared, acceptor } = ctx;
  const fallback: DocumentRead = {
    format: requested ?? guessFormat(path),
    detected: false,
    doc: undefined,
  };
  const text = await readText(ctx, sniff);
  if (text === undefined) return fallback;
  const parsed = parseDocumentText(text, path, sink, "a JSON document");
  if (parsed === undefined) return fallback;
  const detection = detectDocumentFormat(parsed.value);
  let format: DatasetFormat;
  if (requested === undefined) {
    if (typeof detection !== "string") {
      reportDetectFailure(ctx, detection);
      return fallback;
    }
    format = detection;
  } else {
    format = requested;
    if (typeof detection === "string" && detection !== requested) {
      warn(
        ctx,
        WarningCode.FORMAT_MISMATCH,
        `the content looks like ${detection} but was read as ${requested}, as requested`,
      );
    }
  }
  const surrogates = mayHaveSurrogateEscapes(text);
  const envelope = checkEnvelope(ctx, format, { root: parsed.value, surrogates });
  const examples = envelope.examples;
  if (examples !== undefined && propensityApplies(ctx, format)) {
    const convert = createConverter(format, ctx.options, shared.state);
    shared.ids.reserve(shared.ids.size + examples.length);
    const at: Location = { file: path, line: undefined, base: "" };
    const prefix = `${envelope.base}/examples/`;
    const refused = examplesWithDuplicates(parsed.duplicates, prefix);
    for (let i = 0; i < examples.length && !sink.truncated; i++) {
      if (refused.has(i)) continue;
      at.base = prefix + i;
      const example = convert(examples[i], at, sink, surrogates);
      if (example !== undefined) acceptor.accept(example, at);
    }
  }
  placeIssues(text, path, sink);
  return { format, detected: requested === undefined, doc: envelope.doc };
}
