import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { ValidateFunction } from "ajv";
import { Type } from "typebox";
import { canonicalizeExample } from "./canonical.js";
import { DIGEST_PREFIX } from "./digest.js";
import { DatasetError, DatasetValidationError } from "./errors.js";
import {
  type ConvertState,
  createConverter,
  createConvertState,
  type RecordConverter,
} from "./internal/_adapters.js";
import { compileOnce, type Location, reportAjvErrors } from "./internal/_ajv.js";
import { checkTree, mayHaveSurrogateEscapes } from "./internal/_checks.js";
import {
  type DetectFailure,
  detectDocumentFormat,
  detectLayout,
  detectLineFormat,
  extensionLayout,
  firstRecordAt,
  type Sniff,
  sniffFile,
} from "./internal/_detect.js";
import { HashSet64 } from "./internal/_hash-table.js";
import { hash64 } from "./internal/_hash64.js";
import { describeParseError, lineColumn, locatePointers } from "./internal/_json-text.js";
import { createLineHasher, type LineHasher } from "./internal/_line-hasher.js";
import { type LineVisitor, readLines } from "./internal/_lines.js";
import { IssueSink } from "./internal/_sink.js";
import { firstInvalidUtf8, hexBytes } from "./internal/_utf8.js";
import { type DatasetIssue, formatIssue, IssueCode } from "./issues.js";
import { MAX_JSON_DOCUMENT_BYTES } from "./limits.js";
import {
  type DatasetFormat,
  isLineFormat,
  type ReadOptions,
  type ResolvedReadOptions,
  resolveReadOptions,
} from "./options.js";
import {
  MAX_ID_LENGTH,
  type RlvrDataset,
  RlvrDatasetSchema,
  type RlvrExample,
  SCHEMA_VERSION,
} from "./schema.js";
import { createStatsAccumulator, type DatasetStats, type StatsAccumulator } from "./stats.js";

/** Outcome of validating one file with {@link validateDatasetFile}. */
export interface ValidationReport {
  /** The file, as given. */
  file: string;
  /** The format read (when detection failed: the format the extension suggests, and `valid` is false). */
  format: DatasetFormat;
  /** Whether `format` was detected from the content (`format: "auto"`) rather than given. */
  formatDetected: boolean;
  /** True when the file has no issue and holds at least one example. */
  valid: boolean;
  /** Issues found, in file order, at most `maxErrors`. */
  issues: DatasetIssue[];
  /** True when there were more issues than `maxErrors` (reading stopped at the first one beyond). */
  issuesTruncated: boolean;
  /** Valid examples read (after exclusions). */
  exampleCount: number;
  /** Examples left out on purpose, by reason (`rewardHackingConfirmed`, `rewardHackingSuspected`). */
  excluded: Record<string, number>;
  /** Things worth knowing that do not make the file invalid. */
  warnings: string[];
  /** Statistics of the valid examples read. */
  stats: DatasetStats;
  /**
   * Content digest (`sha256:<hex>`) of the valid examples read, in order; meaningful when `valid`.
   * `""` when the `digest` option is false.
   */
  digest: string;
  /** Size of the file in bytes. */
  bytes: number;
}

/** A dataset loaded with {@link loadDataset}. */
export interface LoadedDataset {
  /** The dataset: all examples of all files, in file order then record order. */
  dataset: RlvrDataset;
  /** Format of each file, in the order the files were given. */
  formats: DatasetFormat[];
  /** Content digest of `dataset.examples`. */
  digest: string;
  /** Statistics of `dataset.examples`. */
  stats: DatasetStats;
  /** One validation report per file. */
  reports: ValidationReport[];
  /** Examples excluded on purpose, by reason, summed over files. */
  excluded: Record<string, number>;
  /** Warnings of all files, each prefixed with its file. */
  warnings: string[];
}

/** Options of {@link loadDataset}: {@link ReadOptions} and the identity of the combined dataset. */
export interface LoadOptions extends ReadOptions {
  /**
   * Dataset id.
   * @defaultValue the id of the document when a single document file is loaded, else
   * `dataset-<first 12 hex digits of the digest>`
   */
  id?: string;
  /**
   * Dataset label.
   * @defaultValue the label of the document when a single document file is loaded, else the file
   * names joined by ", "
   */
  label?: string;
  /**
   * Creation time, an RFC 3339 date-time string.
   * @defaultValue the latest `createdAt` of the documents loaded, else the latest modification time
   * of the files (never the current time)
   */
  createdAt?: string;
}

interface DocInfo {
  id?: string;
  label?: string;
  createdAt?: string;
  metadata?: Record<string, unknown>;
}

interface Shared {
  ids: HashSet64;
  state: ConvertState;
  collect: RlvrExample[] | undefined;
  /** Digest and statistics over all files of a multi-file call. */
  combined: { hasher: LineHasher | undefined; stats: StatsAccumulator } | undefined;
}

interface FileResult {
  report: ValidationReport;
  doc: DocInfo | undefined;
}

function ioError(fn: string, path: string, error: unknown): DatasetError {
  if (DatasetError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT")
    return new DatasetError("FILE_NOT_FOUND", `${fn}: file not found: ${path}`, { cause: error, file: path });
  if (code === "EISDIR") {
    return new DatasetError("FILE_READ_ERROR", `${fn}: ${path} is a directory, not a file`, {
      cause: error,
      file: path,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DatasetError("FILE_READ_ERROR", `${fn}: cannot read ${path}: ${detail}`, {
    cause: error,
    file: path,
  });
}

/** Adds accepted examples to duplicate detection, statistics, digest and the optional collection. */
class Acceptor {
  readonly stats: StatsAccumulator = createStatsAccumulator();
  readonly digest: LineHasher | undefined;
  count = 0;
  constructor(
    private readonly shared: Shared,
    private readonly sink: IssueSink,
    digest: boolean,
  ) {
    this.digest = digest ? createLineHasher(DIGEST_PREFIX, "validateDatasetFile") : undefined;
  }

  accept(example: RlvrExample, at: Location): void {
    hash64(example.id);
    if (!this.shared.ids.addCurrent()) {
      this.sink.report(
        IssueCode.DUPLICATE_ID,
        at.file,
        at.line,
        `${at.base}/id`,
        "duplicate example id",
        example.id,
        "an id not used by an earlier example of this file or of an earlier file of the same load",
      );
      return;
    }
    this.stats.add(example);
    const combined = this.shared.combined;
    if (this.digest !== undefined) {
      // Canonicalised once, hashed into the file's digest and the combined one.
      const line = canonicalizeExample(example);
      this.digest.addLine(line);
      combined?.hasher?.addLine(line);
    }
    combined?.stats.add(example);
    this.shared.collect?.push(example);
    this.count++;
  }
}

const datasetEnvelope = {
  ...RlvrDatasetSchema,
  properties: { ...RlvrDatasetSchema.properties, schemaVersion: {}, examples: { type: "array" } },
};

const createdAtField = Type.Unknown();
const traceEnvelope = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }),
    label: Type.String(),
    createdAt: createdAtField,
    examples: Type.Unsafe<unknown[]>({ type: "array" }),
  },
  { additionalProperties: false },
);
const legacyEnvelope = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH }),
    label: Type.String(),
    createdAt: createdAtField,
    examples: Type.Unsafe<unknown[]>({ type: "array" }),
    metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: "object" })),
  },
  { additionalProperties: false },
);
const dateTime = { type: "string", format: "date-time" };

let dateTimeValidator: ValidateFunction | undefined;

const EPOCH_MS_MAX = 8.64e15;

function createdAtOf(v: unknown, at: Location, sink: IssueSink): string | undefined {
  const expected = "epoch milliseconds (integer ≥ 0) or an RFC 3339 date-time string";
  const pointer = `${at.base}/createdAt`;
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0 && v <= EPOCH_MS_MAX) return new Date(v).toISOString();
    sink.report(IssueCode.OUT_OF_RANGE, at.file, at.line, pointer, "not a valid time", v, expected);
    return undefined;
  }
  if (typeof v === "string") {
    dateTimeValidator ??= compileOnce(dateTime);
    if (dateTimeValidator(v)) return v;
    sink.report(IssueCode.INVALID_VALUE, at.file, at.line, pointer, "not a valid date-time", v, expected);
    return undefined;
  }
  if (v !== undefined)
    sink.report(IssueCode.WRONG_TYPE, at.file, at.line, pointer, "wrong type", v, expected);
  return undefined;
}

interface Envelope {
  examples: unknown[] | undefined;
  base: string;
  doc: DocInfo;
}

function checkEnvelope(
  format: DatasetFormat,
  root: unknown,
  file: string,
  sink: IssueSink,
  surrogates: boolean,
): Envelope {
  let base = "";
  let value = root;
  if (format === "learning-trace" && typeof root === "object" && root !== null && !Array.isArray(root)) {
    const keys = Object.keys(root);
    if (keys.length === 1 && keys[0] === "dataset") {
      base = "/dataset";
      value = (root as Record<string, unknown>)["dataset"];
    }
  }
  const at: Location = { file, line: undefined, base };
  const doc: DocInfo = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    sink.report(
      IssueCode.WRONG_TYPE,
      file,
      undefined,
      base,
      "the dataset is not a JSON object",
      value,
      "a dataset object with examples",
    );
    return { examples: undefined, base, doc };
  }
  const v = value as Record<string, unknown>;
  const schema =
    format === "rlvr" ? datasetEnvelope : format === "learning-trace" ? traceEnvelope : legacyEnvelope;
  const validate = compileOnce(schema);
  if (!validate(v)) reportAjvErrors(validate.errors ?? [], at, sink);
  if (format === "rlvr") {
    const version = v["schemaVersion"];
    if (version !== undefined && version !== SCHEMA_VERSION) {
      sink.report(
        IssueCode.UNSUPPORTED_VERSION,
        file,
        undefined,
        `${base}/schemaVersion`,
        `schemaVersion ${JSON.stringify(version)} is not supported by this version of @rlvr/dataset`,
        version,
        String(SCHEMA_VERSION),
      );
    }
    if (typeof v["createdAt"] === "string") doc.createdAt = v["createdAt"];
  } else {
    const createdAt = createdAtOf(v["createdAt"], at, sink);
    if (createdAt !== undefined) doc.createdAt = createdAt;
  }
  if (typeof v["id"] === "string") doc.id = v["id"];
  if (typeof v["label"] === "string") doc.label = v["label"];
  const metadata = v["metadata"];
  if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
    if (checkTree(metadata, 2, `${base}/metadata`, at, sink, surrogates))
      doc.metadata = metadata as Record<string, unknown>;
  }
  const examples = v["examples"];
  if (!Array.isArray(examples)) return { examples: undefined, base, doc };
  if (examples.length === 0) {
    sink.report(
      IssueCode.EMPTY_DATASET,
      file,
      undefined,
      `${base}/examples`,
      "the dataset has no examples",
      examples,
      "at least one example",
    );
  }
  return { examples, base, doc };
}

/**
 * Expected number of lines of a file, from the average line length in its first MiB (2 % margin):
 * lets the duplicate-id table be sized once instead of growing (which briefly holds two tables).
 */
function estimateLines(sniff: Sniff): number {
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

/** The text around a syntax error: up to 30 characters on each side, cuts marked with `…`. */
function near(text: string, offset: number): string {
  const from = Math.max(0, offset - 30);
  const to = Math.min(text.length, offset + 30);
  return `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < text.length ? "…" : ""}`;
}

function guessFormat(path: string): DatasetFormat {
  return extensionLayout(path) === "lines" ? "jsonl" : "rlvr";
}

function reportDetectFailure(f: DetectFailure, file: string, sink: IssueSink, line?: number): void {
  sink.report(IssueCode[f.code], file, line, "", f.message, "value" in f ? f.value : undefined, f.expected);
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

/**
 * The propensity pointer applies to the adapter formats only: a file detected as `rlvr` or `jsonl`
 * gets one issue and is not read further. True when the file may be read.
 */
function propensityApplies(
  path: string,
  format: DatasetFormat,
  o: ResolvedReadOptions,
  sink: IssueSink,
): boolean {
  if (o.propensity === undefined || (format !== "rlvr" && format !== "jsonl")) return true;
  sink.report(
    IssueCode.OPTION_NOT_APPLICABLE,
    path,
    undefined,
    "",
    `the propensity pointer ${o.propensity.pointer} applies to learning-trace, legacy-rlvr and completions files only; this file is ${format}, whose examples carry behaviorProb themselves`,
    undefined,
    "a learning-trace, legacy-rlvr or completions file, or no propensity pointer",
  );
  return false;
}

async function readLineFile(
  path: string,
  format: DatasetFormat,
  convert: RecordConverter,
  acceptor: Acceptor,
  sink: IssueSink,
  warnings: string[],
  signal: AbortSignal | undefined,
): Promise<void> {
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
        if (!terminated) {
          sink.reportText(
            IssueCode.TRUNCATED_LAST_LINE,
            path,
            lineNo,
            "",
            "truncated last line: it has no final newline and is not valid JSON (was the file cut off?)",
            text.length > 40 ? `…${text.slice(-40)}` : text,
            "a complete JSON object followed by a newline",
          );
          return;
        }
        const f = describeParseError(text, error);
        sink.reportText(
          IssueCode.INVALID_JSON,
          path,
          lineNo,
          "",
          f.offset === undefined
            ? `invalid JSON: ${f.message}`
            : `invalid JSON: ${f.message} at column ${f.offset + 1}`,
          f.offset === undefined ? text : near(text, f.offset),
          format === "completions"
            ? "one JSON object per line"
            : "one JSON object (an RLVR example) per line",
        );
        return;
      }
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
  await readLines(path, visitor, signal);
  if (blank > 0) warnings.push(`${blank} blank line${blank === 1 ? " was" : "s were"} skipped`);
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

async function readDocumentFile(
  path: string,
  sniff: Sniff,
  requested: DatasetFormat | undefined,
  o: ResolvedReadOptions,
  shared: Shared,
  acceptor: Acceptor,
  sink: IssueSink,
  warnings: string[],
): Promise<{ format: DatasetFormat; detected: boolean; doc: DocInfo | undefined }> {
  const fallback = { format: requested ?? guessFormat(path), detected: false, doc: undefined };
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
    return fallback;
  }
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
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
    return fallback;
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    const f = describeParseError(text, error);
    const lc = f.offset === undefined ? undefined : lineColumn(text, f.offset);
    const message =
      lc === undefined ? `invalid JSON: ${f.message}` : `invalid JSON: ${f.message} at column ${lc.column}`;
    if (f.offset === undefined)
      sink.report(IssueCode.INVALID_JSON, path, undefined, "", message, undefined, "a JSON document");
    else
      sink.reportText(
        IssueCode.INVALID_JSON,
        path,
        lc?.line,
        "",
        message,
        near(text, f.offset),
        "a JSON document",
      );
    return fallback;
  }
  const detection = detectDocumentFormat(root);
  let format: DatasetFormat;
  if (requested === undefined) {
    if (typeof detection !== "string") {
      reportDetectFailure(detection, path, sink);
      return fallback;
    }
    format = detection;
  } else {
    format = requested;
    if (typeof detection === "string" && detection !== requested) {
      warnings.push(`the content looks like ${detection} but was read as ${requested}, as requested`);
    }
  }
  const surrogates = mayHaveSurrogateEscapes(text);
  const envelope = checkEnvelope(format, root, path, sink, surrogates);
  const convert = createConverter(format, o, shared.state);
  const examples = envelope.examples;
  if (examples !== undefined && propensityApplies(path, format, o, sink)) {
    shared.ids.reserve(shared.ids.size + examples.length);
    const at: Location = { file: path, line: undefined, base: "" };
    const prefix = `${envelope.base}/examples/`;
    for (let i = 0; i < examples.length && !sink.truncated; i++) {
      at.base = prefix + i;
      const example = convert(examples[i], at, sink, surrogates);
      if (example !== undefined) acceptor.accept(example, at);
    }
  }
  const unplaced = sink.issues.filter((issue) => issue.line === undefined);
  if (unplaced.length > 0) {
    const lines = locatePointers(text, new Set(unplaced.map((issue) => issue.pointer)));
    for (const issue of unplaced) {
      const line = lines.get(issue.pointer);
      if (line !== undefined) issue.line = line;
    }
  }
  return { format, detected: requested === undefined, doc: envelope.doc };
}

async function processFile(
  fn: string,
  path: string,
  o: ResolvedReadOptions,
  shared: Shared,
): Promise<FileResult> {
  if (typeof path !== "string" || path === "") {
    throw new DatasetError(
      "BAD_OPTIONS",
      `${fn}: a file path must be a non-empty string (got ${JSON.stringify(path)})`,
    );
  }
  if (o.signal?.aborted)
    throw new DatasetError("ABORTED", `${fn}: aborted before reading ${path}`, {
      cause: o.signal.reason,
      file: path,
    });
  const sink = new IssueSink(o.maxErrors);
  const warnings: string[] = [];
  const acceptor = new Acceptor(shared, sink, o.digest);
  const excludedBefore = { ...shared.state.excluded };
  const keptBefore = shared.state.suspectedKept;
  let format: DatasetFormat = o.format === "auto" ? guessFormat(path) : o.format;
  let detected = false;
  let doc: DocInfo | undefined;
  let sniff: Sniff;
  try {
    sniff = await sniffFile(path);
    const layout = detectLayout(sniff, path);
    const ext = extensionLayout(path);
    if (typeof layout === "string" && ext !== undefined && ext !== layout) {
      warnings.push(
        layout === "lines"
          ? "the content is JSON lines although the file name ends in .json"
          : "the content is one JSON document although the file name says JSON lines",
      );
    }
    if (o.format === "auto") {
      if (typeof layout !== "string") reportDetectFailure(layout, path, sink);
      else if (layout === "lines") {
        const first = firstRecordAt(sniff);
        const record = first?.value;
        const lineFormat = record === undefined ? "jsonl" : detectLineFormat(record);
        if (typeof lineFormat !== "string") reportDetectFailure(lineFormat, path, sink, first?.line);
        else {
          if (record === undefined) warnings.push("no line of the file start parses as JSON; read as jsonl");
          format = lineFormat;
          detected = record !== undefined;
          if (propensityApplies(path, format, o, sink)) {
            const convert = createConverter(format, o, shared.state);
            shared.ids.reserve(shared.ids.size + estimateLines(sniff));
            await readLineFile(path, format, convert, acceptor, sink, warnings, o.signal);
          }
        }
      } else {
        const r = await readDocumentFile(path, sniff, undefined, o, shared, acceptor, sink, warnings);
        format = r.format;
        detected = r.detected;
        doc = r.doc;
      }
    } else if (isLineFormat(o.format)) {
      if (layout === "document")
        warnings.push(`the content looks like one JSON document but was read as ${o.format}, as requested`);
      const convert = createConverter(o.format, o, shared.state);
      shared.ids.reserve(shared.ids.size + estimateLines(sniff));
      await readLineFile(path, o.format, convert, acceptor, sink, warnings, o.signal);
    } else {
      if (layout === "lines")
        warnings.push(`the content looks like JSON lines but was read as ${o.format}, as requested`);
      doc = (await readDocumentFile(path, sniff, o.format, o, shared, acceptor, sink, warnings)).doc;
    }
  } catch (error) {
    throw ioError(fn, path, error);
  }
  const excluded = excludedDelta(excludedBefore, shared.state.excluded);
  const kept = shared.state.suspectedKept - keptBefore;
  if (kept > 0) {
    warnings.push(
      `${kept} example${kept === 1 ? "" : "s"} labelled rewardHackingSignal "suspected" kept (policy "keep"; "exclude" or "reject" drop them)`,
    );
  }
  for (const [reason, n] of Object.entries(excluded))
    warnings.push(`${n} example${n === 1 ? "" : "s"} excluded: ${reason}`);
  if (acceptor.count === 0 && sink.issues.length === 0 && !sink.truncated) {
    const n = Object.values(excluded).reduce((a, b) => a + b, 0);
    sink.report(
      IssueCode.EMPTY_DATASET,
      path,
      undefined,
      "",
      n > 0 ? `no example left: all ${n} were excluded` : "the file holds no examples",
      undefined,
      "at least one example",
    );
  }
  const stats = acceptor.stats.result();
  const distinctActions = Object.keys(stats.actions).length;
  if (distinctActions > 10_000) {
    warnings.push(
      `${distinctActions} distinct actions: a one-step policy over so many actions is unlikely to learn`,
    );
  }
  const report: ValidationReport = {
    file: path,
    format,
    formatDetected: detected,
    valid: sink.issues.length === 0 && !sink.truncated,
    issues: sink.issues,
    issuesTruncated: sink.truncated,
    exampleCount: acceptor.count,
    excluded,
    warnings,
    stats,
    digest: acceptor.digest?.finish() ?? "",
    bytes: sniff.size,
  };
  return { report, doc };
}

/**
 * Validate one dataset file, streaming JSONL in bounded memory. Never throws for bad data: every
 * problem becomes an issue of the report (up to `maxErrors`). Throws a {@link DatasetError} for I/O
 * problems (`FILE_NOT_FOUND`, `FILE_READ_ERROR`), invalid options (`BAD_OPTIONS`) and aborts (`ABORTED`).
 *
 * @param path - the file
 * @param options - format, limits, adapter options
 */
export async function validateDatasetFile(path: string, options?: ReadOptions): Promise<ValidationReport> {
  const o = resolveReadOptions("validateDatasetFile", options);
  const shared: Shared = {
    ids: new HashSet64(),
    state: createConvertState(),
    collect: undefined,
    combined: undefined,
  };
  return (await processFile("validateDatasetFile", path, o, shared)).report;
}

function latest(times: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    const ms = Date.parse(t);
    if (ms > bestMs) {
      best = t;
      bestMs = ms;
    }
  }
  return best;
}

/** Outcome of validating several files together with {@link validateDatasetFiles}. */
export interface ValidationSummary {
  /** True when every file is valid. */
  valid: boolean;
  /** One report per file, in the order given. */
  reports: ValidationReport[];
  /** Valid examples over all files. */
  exampleCount: number;
  /**
   * Content digest of the valid examples of all files, in order: when `valid`, the digest
   * `loadDataset` gives for the same files. `""` when the `digest` option is false.
   */
  digest: string;
  /** Statistics of the valid examples of all files. */
  stats: DatasetStats;
  /** Examples excluded on purpose, by reason, summed over files. */
  excluded: Record<string, number>;
  /** Warnings of all files, each prefixed with its file. */
  warnings: string[];
}

function listPaths(fn: string, paths: string | readonly string[]): string[] {
  const list = typeof paths === "string" ? [paths] : Array.isArray(paths) ? [...paths] : undefined;
  if (list === undefined)
    throw new DatasetError("BAD_OPTIONS", `${fn}: paths must be a string or an array of strings`);
  if (list.length === 0) throw new DatasetError("BAD_OPTIONS", `${fn}: no file given`);
  return list;
}

async function readAll(
  fn: string,
  list: readonly string[],
  o: ResolvedReadOptions,
  collect: RlvrExample[] | undefined,
): Promise<{ results: FileResult[]; summary: ValidationSummary }> {
  const combined =
    list.length > 1
      ? {
          hasher: o.digest ? createLineHasher(DIGEST_PREFIX, fn) : undefined,
          stats: createStatsAccumulator(),
        }
      : undefined;
  const shared: Shared = { ids: new HashSet64(), state: createConvertState(), collect, combined };
  const results: FileResult[] = [];
  for (const path of list) results.push(await processFile(fn, path, o, shared));
  const reports = results.map((r) => r.report);
  const excluded: Record<string, number> = {};
  for (const r of reports)
    for (const [k, n] of Object.entries(r.excluded)) excluded[k] = (excluded[k] ?? 0) + n;
  const only = reports.length === 1 ? reports[0] : undefined;
  const summary: ValidationSummary = {
    valid: reports.every((r) => r.valid),
    reports,
    exampleCount: reports.reduce((a, r) => a + r.exampleCount, 0),
    digest: only?.digest ?? combined?.hasher?.finish() ?? "",
    stats: only?.stats ?? combined!.stats.result(),
    excluded,
    warnings: reports.flatMap((r) => r.warnings.map((w) => `${r.file}: ${w}`)),
  };
  return { results, summary };
}

/**
 * Validate several files as one dataset, streaming, in bounded memory: like
 * {@link validateDatasetFile} for each file, and in addition example ids must be unique across the
 * files, and the digest and statistics cover all files in order (the digest equals the one
 * `loadDataset` computes for the same files). Never throws for bad data; throws a
 * {@link DatasetError} for I/O problems, invalid options and aborts.
 *
 * @param paths - one file or several, read in this order
 * @param options - format, limits, adapter options
 */
export async function validateDatasetFiles(
  paths: string | readonly string[],
  options?: ReadOptions,
): Promise<ValidationSummary> {
  const fn = "validateDatasetFiles";
  const o = resolveReadOptions(fn, options);
  return (await readAll(fn, listPaths(fn, paths), o, undefined)).summary;
}

/**
 * Load one or more dataset files (any mix of formats) into one {@link RlvrDataset}. Example ids must be
 * unique across all files. Throws a {@link DatasetValidationError} (`DATASET_INVALID`, with every
 * issue and the per-file reports) when any file is invalid, and a {@link DatasetError} for I/O
 * problems and invalid options.
 *
 * @param paths - one file or several, read in this order
 * @param options - read options and the identity of the combined dataset
 */
export async function loadDataset(
  paths: string | readonly string[],
  options?: LoadOptions,
): Promise<LoadedDataset> {
  const fn = "loadDataset";
  const o = { ...resolveReadOptions(fn, options), digest: true };
  const list = listPaths(fn, paths);
  const { id, label, createdAt } = options ?? {};
  if (id !== undefined && (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH)) {
    throw new DatasetError(
      "BAD_OPTIONS",
      `${fn}: id must be a string of 1 to ${MAX_ID_LENGTH} characters (got ${JSON.stringify(id)})`,
    );
  }
  if (label !== undefined && typeof label !== "string") {
    throw new DatasetError("BAD_OPTIONS", `${fn}: label must be a string (got ${typeof label})`);
  }
  if (createdAt !== undefined) {
    dateTimeValidator ??= compileOnce(dateTime);
    if (!dateTimeValidator(createdAt)) {
      throw new DatasetError(
        "BAD_OPTIONS",
        `${fn}: createdAt must be an RFC 3339 date-time string (got ${JSON.stringify(createdAt)})`,
      );
    }
  }
  const examples: RlvrExample[] = [];
  const { results, summary } = await readAll(fn, list, o, examples);
  const { reports } = summary;
  if (!summary.valid) {
    const invalid = reports.filter((r) => !r.valid);
    const issues = reports.flatMap((r) => r.issues);
    const first = issues[0];
    throw new DatasetValidationError(
      `${fn}: ${invalid.length} of ${reports.length} file${reports.length === 1 ? "" : "s"} invalid, ${issues.length}${
        invalid.some((r) => r.issuesTruncated) ? "+" : ""
      } issue${issues.length === 1 ? "" : "s"}${first === undefined ? "" : `; first: ${formatIssue(first)}`}`,
      issues,
      reports,
    );
  }
  const docs = results.flatMap((r) => (r.doc === undefined ? [] : [r.doc]));
  const onlyDoc = results.length === 1 ? results[0]!.doc : undefined;
  let created = createdAt ?? latest(docs.flatMap((d) => (d.createdAt === undefined ? [] : [d.createdAt])));
  if (created === undefined) {
    let mtime = 0;
    for (const path of list) {
      try {
        mtime = Math.max(mtime, (await stat(path)).mtimeMs);
      } catch (error) {
        throw ioError(fn, path, error);
      }
    }
    created = new Date(Math.floor(mtime)).toISOString();
  }
  const dataset: RlvrDataset = {
    schemaVersion: SCHEMA_VERSION,
    id: id ?? onlyDoc?.id ?? `dataset-${summary.digest.slice(7, 19)}`,
    label: label ?? onlyDoc?.label ?? list.map((p) => basename(p)).join(", "),
    createdAt: created,
    examples,
  };
  if (onlyDoc?.metadata !== undefined) dataset.metadata = onlyDoc.metadata;
  return {
    dataset,
    formats: reports.map((r) => r.format),
    digest: summary.digest,
    stats: summary.stats,
    reports,
    excluded: summary.excluded,
    warnings: summary.warnings,
  };
}
