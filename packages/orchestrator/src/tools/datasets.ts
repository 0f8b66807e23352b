import {
  DATASET_FORMAT_OPTIONS,
  type DatasetFormat,
  type DatasetIssue,
  DatasetValidationError,
  formatIssue,
  propensityPointerProblem,
  type ValidationSummary,
  validateDatasetFiles,
} from "@rlvr/dataset";

/** A dataset format name, or `"auto"` to detect it per file. */
export type DatasetFormatOption = DatasetFormat | "auto";

/** Values a command may accept for its dataset format: `"auto"` first, then every format (the dataset package's list). */
export { DATASET_FORMAT_OPTIONS };

/** Options of {@link validateFiles}. */
export interface ValidateFilesOptions {
  /** The files, validated together (ids must be unique across them). */
  readonly files: readonly string[];
  /** Format of every file. @defaultValue `"auto"` */
  readonly format?: DatasetFormatOption;
  /** Issues collected per file before it stops. @defaultValue 100 */
  readonly maxErrors?: number;
  /** JSON pointer to the logging policy's probability in raw records. @defaultValue none */
  readonly propensityPointer?: string;
  /** Stops the read. @defaultValue none */
  readonly signal?: AbortSignal;
}

/**
 * Validates dataset files together (streaming): one report per file with its issues, statistics and
 * digest, and the same over all files. Bad data is reported in the result, never thrown.
 * @throws `DatasetError` for a file that cannot be read or bad options
 */
export async function validateFiles(options: ValidateFilesOptions): Promise<ValidationSummary> {
  return validateDatasetFiles([...options.files], {
    format: options.format ?? "auto",
    maxErrors: options.maxErrors ?? 100,
    ...(options.propensityPointer === undefined ? {} : { propensityPointer: options.propensityPointer }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/**
 * What is wrong with a propensity pointer, or `undefined` when it is a valid RFC 6901 pointer.
 * @param value - the pointer as given
 */
export function checkPropensityPointer(value: unknown): string | undefined {
  return propensityPointerProblem(value);
}

/** One line per dataset issue (`file:line: /pointer: message`), at most `limit`, then a count of the rest. */
export function describeIssues(issues: readonly DatasetIssue[], limit = 100): string[] {
  const lines = issues.slice(0, limit).map(formatIssue);
  if (issues.length > lines.length) lines.push(`... and ${issues.length - lines.length} more`);
  return lines;
}

/**
 * The dataset issues an error carries (a dataset validation error, or an error caused by one, at any
 * depth of its `cause` chain), or `[]`.
 */
export function issuesOfError(error: unknown): readonly DatasetIssue[] {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    if (DatasetValidationError.is(e)) return e.issues;
    e = (e as { cause?: unknown }).cause;
  }
  return [];
}
