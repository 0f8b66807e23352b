import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { DIGEST_PREFIX } from "./digest.js";
import { DatasetError, DatasetValidationError } from "./errors.js";
import type { DatasetFormat } from "./formats.js";
import { createConvertState } from "./internal/_adapters.js";
import { isDateTime } from "./internal/_envelope.js";
import type { Shared } from "./internal/_file-context.js";
import { HashSet64 } from "./internal/_hash-table.js";
import { createLineHasher } from "./internal/_line-hasher.js";
import { type FileResult, ioError, processFile } from "./internal/_read-file.js";
import { type DatasetIssue, formatIssue } from "./issues.js";
import { type ReadOptions, type ResolvedReadOptions, resolveReadOptions } from "./options.js";
import { MAX_ID_LENGTH, type RlvrDataset, type RlvrExample, SCHEMA_VERSION } from "./schema.js";
import { createStatsAccumulator, type DatasetStats } from "./stats.js";
import { type DatasetWarning, datasetWarnings } from "./warnings.js";

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
  /**
   * Things worth knowing that do not make the file invalid, each `{ code, message, file }`: about
   * reading the file, and (from {@link validateDatasetFile}, or a call with this one file) about what the
   * valid data can teach ({@link datasetWarnings}).
   */
  warnings: DatasetWarning[];
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
  /** Warnings of all files (each naming its file), then those about the whole dataset. */
  warnings: DatasetWarning[];
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

/**
 * Validate one dataset file, streaming JSONL in bounded memory. Never throws for bad data: every
 * problem becomes an issue of the report (up to `maxErrors`). Throws a {@link DatasetError} for I/O
 * problems (`FILE_NOT_FOUND`, `FILE_READ_ERROR`), invalid options (`BAD_OPTIONS`) and aborts (`ABORTED`).
 *
 * @param path - the file
 * @param options - format, limits, adapter options
 */
export async function validateDatasetFile(path: string, options?: ReadOptions): Promise<ValidationReport> {
  return (await readAll([path], resolveReadOptions(options), undefined)).summary.reports[0]!;
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
  /**
   * Warnings of all files (each naming its file), then, when every file is valid, those about what the
   * whole dataset can teach ({@link datasetWarnings}; without `file` when there are several files).
   */
  warnings: DatasetWarning[];
}

/** {@link datasetWarnings} of `stats`, naming `file` when the data is one file. */
function signalWarnings(stats: DatasetStats, file: string | undefined): DatasetWarning[] {
  return datasetWarnings(stats).map((w) => (file === undefined ? w : { ...w, file }));
}

function listPaths(paths: string | readonly string[]): string[] {
  const list = typeof paths === "string" ? [paths] : Array.isArray(paths) ? [...paths] : undefined;
  if (list === undefined)
    throw new DatasetError("BAD_OPTIONS", "the dataset files must be a path or an array of paths");
  if (list.length === 0) throw new DatasetError("BAD_OPTIONS", "no dataset file given");
  return list;
}

async function readAll(
  list: readonly string[],
  o: ResolvedReadOptions,
  collect: RlvrExample[] | undefined,
): Promise<{ results: FileResult[]; summary: ValidationSummary }> {
  const combined =
    list.length > 1
      ? {
          hasher: o.digest ? createLineHasher(DIGEST_PREFIX, "the combined digest") : undefined,
          stats: createStatsAccumulator(),
        }
      : undefined;
  const shared: Shared = { ids: new HashSet64(), state: createConvertState(), collect, combined };
  const results: FileResult[] = [];
  for (const path of list) results.push(await processFile(path, o, shared));
  const reports = results.map((r) => r.report);
  const excluded: Record<string, number> = {};
  for (const r of reports)
    for (const [k, n] of Object.entries(r.excluded)) excluded[k] = (excluded[k] ?? 0) + n;
  const only = reports.length === 1 ? reports[0] : undefined;
  const valid = reports.every((r) => r.valid);
  const stats = only?.stats ?? combined!.stats.result();
  const signal = valid ? signalWarnings(stats, only?.file) : [];
  only?.warnings.push(...signal);
  const summary: ValidationSummary = {
    valid,
    reports,
    exampleCount: reports.reduce((a, r) => a + r.exampleCount, 0),
    digest: only?.digest ?? combined?.hasher?.finish() ?? "",
    stats,
    excluded,
    warnings: only === undefined ? [...reports.flatMap((r) => r.warnings), ...signal] : only.warnings,
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
  return (await readAll(listPaths(paths), resolveReadOptions(options), undefined)).summary;
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
  const o = { ...resolveReadOptions(options), digest: true };
  const list = listPaths(paths);
  const { id, label, createdAt } = options ?? {};
  if (id !== undefined && (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH)) {
    throw new DatasetError(
      "BAD_OPTIONS",
      `the dataset id must be a string of 1 to ${MAX_ID_LENGTH} characters (got ${JSON.stringify(id)})`,
    );
  }
  if (label !== undefined && typeof label !== "string") {
    throw new DatasetError("BAD_OPTIONS", `the dataset label must be a string (got ${typeof label})`);
  }
  if (createdAt !== undefined) {
    if (!isDateTime(createdAt)) {
      throw new DatasetError(
        "BAD_OPTIONS",
        `the dataset createdAt must be an RFC 3339 date-time string (got ${JSON.stringify(createdAt)})`,
      );
    }
  }
  const examples: RlvrExample[] = [];
  const { results, summary } = await readAll(list, o, examples);
  const { reports } = summary;
  if (!summary.valid) {
    const invalid = reports.filter((r) => !r.valid);
    const issues = reports.flatMap((r) => r.issues);
    const first = issues[0];
    throw new DatasetValidationError(
      `${invalid.length} of ${reports.length} file${reports.length === 1 ? "" : "s"} invalid, ${issues.length}${
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
        throw ioError(path, error);
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
