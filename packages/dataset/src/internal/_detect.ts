// Format detection: first the layout (one JSON document, or JSON lines) from the start of the file,
// then the format from the shape of the document or of the first record. Ambiguity is reported.
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { type DatasetFormat, datasetFormatInfo } from "../formats.js";

const SNIFF_BYTES = 1 << 20;

/** The start of a file, decoded leniently (invalid bytes become U+FFFD; the readers report them). */
export interface Sniff {
  text: string;
  /** Whether `text` is the whole file. */
  complete: boolean;
  size: number;
}

/** Read and decode up to 1 MiB from the start of `path`. */
export async function sniffFile(path: string): Promise<Sniff> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const buffer = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, 0);
    const text = new TextDecoder("utf-8", { ignoreBOM: false }).decode(buffer.subarray(0, bytesRead), {
      stream: bytesRead < size,
    });
    return { text, complete: bytesRead >= size, size };
  } finally {
    await fh.close();
  }
}

/** A detection that failed: the issue to report. */
export interface DetectFailure {
  code: "FORMAT_UNKNOWN" | "FORMAT_AMBIGUOUS" | "EMPTY_DATASET";
  message: string;
  value?: unknown;
  expected?: string;
}

/** Layout of a file. */
export type Layout = "document" | "lines";

/** Whether the file name says JSON lines (`.jsonl`, `.ndjson`), JSON (`.json`) or nothing. */
export function extensionLayout(path: string): Layout | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "lines";
  if (ext === ".json") return "document";
  return undefined;
}

/** The format a file name suggests when the content cannot tell: `jsonl` for JSON lines, else `rlvr`. */
export function guessFormat(path: string): DatasetFormat {
  return extensionLayout(path) === "lines" ? "jsonl" : "rlvr";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function documentShaped(v: Record<string, unknown>): boolean {
  if (Object.hasOwn(v, "examples") || Object.hasOwn(v, "schemaVersion")) return true;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === "dataset";
}

const WS = /\S/;

/**
 * Layout from content: a file whose first line is a complete JSON object that is not a dataset
 * document is JSON lines; a file whose first line does not parse alone (a pretty-printed document)
 * or holds a whole dataset document is one JSON document. The extension only breaks ties when the
 * content says nothing (a single broken line).
 */
export function detectLayout(sniff: Sniff, path: string): Layout | DetectFailure {
  const text = sniff.text;
  const start = text.search(WS);
  if (start === -1) {
    if (sniff.complete) return { code: "EMPTY_DATASET", message: "the file is empty" };
    return "lines";
  }
  const c = text[start];
  if (c === "[") {
    return {
      code: "FORMAT_UNKNOWN",
      message: "a top-level JSON array is not a supported format",
      expected: "a dataset document (a JSON object) or one JSON object per line (JSONL)",
    };
  }
  if (c !== "{") {
    return {
      code: "FORMAT_UNKNOWN",
      message: "the content is not JSON (it does not start with '{')",
      value: text.slice(start, start + 40),
      expected: "a dataset document (a JSON object) or one JSON object per line (JSONL)",
    };
  }
  const ext = extensionLayout(path);
  const nl = text.indexOf("\n", start);
  if (nl === -1) {
    if (!sniff.complete) return ext === "lines" ? "lines" : "document";
    const v = tryParse(text.slice(start));
    if (isPlainObject(v)) return documentShaped(v) ? "document" : "lines";
    return ext === "lines" ? "lines" : "document";
  }
  const first = tryParse(text.slice(start, nl));
  if (isPlainObject(first)) return documentShaped(first) ? "document" : "lines";
  // The first line alone is not JSON: a pretty-printed document, unless the next line is a record.
  let from = nl + 1;
  while (from < text.length) {
    const end = text.indexOf("\n", from);
    if (end === -1 && !sniff.complete) break;
    const line = text.slice(from, end === -1 ? text.length : end);
    if (WS.test(line)) {
      const v = tryParse(line);
      return isPlainObject(v) && !documentShaped(v) ? "lines" : "document";
    }
    if (end === -1) break;
    from = end + 1;
  }
  return ext === "lines" ? "lines" : "document";
}

const TRACE_MARKS = datasetFormatInfo("learning-trace").markers;
const RLVR_MARKS = datasetFormatInfo("jsonl").markers;
const LEGACY_MARKS = datasetFormatInfo("legacy-rlvr").markers;
const COMPLETION_MARKS = datasetFormatInfo("completions").markers;

const has = (v: Record<string, unknown>, keys: readonly string[]) => keys.some((k) => Object.hasOwn(v, k));

function decide(votes: DatasetFormat[], what: string): DatasetFormat | DetectFailure {
  if (votes.length === 1) return votes[0]!;
  if (votes.length > 1) {
    return {
      code: "FORMAT_AMBIGUOUS",
      message: `${what} matches several formats (${votes.join(", ")}); name one with the format option`,
    };
  }
  return {
    code: "FORMAT_UNKNOWN",
    message: `${what} matches no known format`,
    expected:
      what === "the first record"
        ? "an RLVR example (groupId, action, ...) or a completions record (prompt, completion, reward)"
        : "a dataset with schemaVersion (rlvr), learning-trace examples (requestId, toolName, verificationPassed, labels) or legacy RLVR examples (id, toolName, reward)",
  };
}

function notAnObject(what: string, value: unknown, expected: string): DetectFailure {
  return { code: "FORMAT_UNKNOWN", message: `${what} is not a JSON object`, value, expected };
}

/** Format of a parsed JSON document, from its members and the members of its first example. */
export function detectDocumentFormat(root: unknown): DatasetFormat | DetectFailure {
  if (!isPlainObject(root)) return notAnObject("the document", root, "a dataset object");
  const keys = Object.keys(root);
  if (keys.length === 1 && keys[0] === "dataset") return "learning-trace";
  const votes = new Set<DatasetFormat>();
  if (Object.hasOwn(root, "schemaVersion")) votes.add("rlvr");
  const examples = root["examples"];
  const first = Array.isArray(examples) ? examples[0] : undefined;
  if (isPlainObject(first)) {
    const trace = has(first, TRACE_MARKS);
    if (trace) votes.add("learning-trace");
    if (has(first, RLVR_MARKS)) votes.add("rlvr");
    if (!trace && has(first, LEGACY_MARKS)) votes.add("legacy-rlvr");
  } else if (Array.isArray(examples) && examples.length === 0 && votes.size === 0) {
    return {
      code: "EMPTY_DATASET",
      message: "the dataset has no examples",
      value: examples,
      expected: "at least one example",
    };
  }
  return decide([...votes], "the document");
}

/** Format of a JSON-lines file, from its first record. */
export function detectLineFormat(record: unknown): DatasetFormat | DetectFailure {
  if (!isPlainObject(record)) return notAnObject("the first record", record, "one JSON object per line");
  if (has(record, TRACE_MARKS) && !has(record, RLVR_MARKS)) {
    return {
      code: "FORMAT_UNKNOWN",
      message: "the first record looks like a learning-trace example, which is read from a dataset document",
      expected: "a learning-trace dataset {id, label, createdAt, examples}, or RLVR examples one per line",
    };
  }
  const votes: DatasetFormat[] = [];
  if (has(record, RLVR_MARKS)) votes.push("jsonl");
  if (has(record, COMPLETION_MARKS)) votes.push("completions");
  return decide(votes, "the first record");
}

/** The first line of `text` (a file start) that parses as JSON, or undefined. */
export function firstRecord(sniff: Sniff): unknown {
  return firstRecordAt(sniff)?.value;
}

/** The first line of the sniffed text that parses as JSON, with its 1-based line number. */
export function firstRecordAt(sniff: Sniff): { value: unknown; line: number } | undefined {
  const text = sniff.text;
  let from = 0;
  for (let n = 0; n < 1000 && from < text.length; n++) {
    const end = text.indexOf("\n", from);
    if (end === -1 && !sniff.complete) return undefined;
    const line = text.slice(from, end === -1 ? text.length : end);
    if (WS.test(line)) {
      const v = tryParse(line);
      if (v !== undefined) return { value: v, line: n + 1 };
    }
    if (end === -1) return undefined;
    from = end + 1;
  }
  return undefined;
}
