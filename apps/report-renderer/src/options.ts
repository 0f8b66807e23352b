import type { JobRecord } from "@rlvr/job-record";
import { ReportError } from "./errors.js";
import { safeFileStem } from "./internal/model.js";

/** Options of {@link renderMarkdown}, {@link renderHtml} and {@link renderComparison}. */
export interface RenderOptions {
  /**
   * Title of the report (plain text; escaped).
   * @defaultValue `"Job report: <label>"` (`"Run comparison"` for a comparison)
   */
  readonly title?: string;
  /**
   * Name of the job record file, as shown in the replay command `rlvr-train replay <recordFile>`.
   * @defaultValue `"<label>.job.json"` with the label reduced to `[A-Za-z0-9._-]`
   */
  readonly recordFile?: string;
  /**
   * Largest number of points drawn per chart series; longer series are downsampled with
   * largest-triangle-three-buckets (peaks kept) and the chart says so.
   * @defaultValue 400
   */
  readonly maxPointsPerSeries?: number;
  /**
   * Largest number of trial rows in the Markdown trials table (the HTML shows every trial); the
   * table says how many were left out.
   * @defaultValue 30
   */
  readonly maxTrialRows?: number;
  /**
   * Whether to show the record's volatile section (start time, durations, share of time per stage,
   * host). Leave it off to get a report that is byte-identical between two runs of the same job.
   * @defaultValue true
   */
  readonly includeVolatile?: boolean;
}

/** {@link RenderOptions} with every default filled in. */
export interface ResolvedRenderOptions {
  readonly title: string | undefined;
  readonly recordFile: string | undefined;
  readonly maxPointsPerSeries: number;
  readonly maxTrialRows: number;
  readonly includeVolatile: boolean;
}

/** Default of {@link RenderOptions.maxPointsPerSeries}. */
export const DEFAULT_MAX_POINTS_PER_SERIES = 400;
/** Default of {@link RenderOptions.maxTrialRows}. */
export const DEFAULT_MAX_TRIAL_ROWS = 30;

/** @internal Validates and fills the options (the one place where defaults are set). */
export function resolveRenderOptions(fn: string, options: RenderOptions | undefined): ResolvedRenderOptions {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null) {
    throw new ReportError("INVALID_ARGUMENT", `${fn}: options must be an object, got ${String(options)}`);
  }
  const int = (name: keyof RenderOptions, value: unknown, dflt: number, min: number): number => {
    if (value === undefined) return dflt;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new ReportError(
        "INVALID_ARGUMENT",
        `${fn}: options.${name} must be an integer >= ${min}, got ${JSON.stringify(value) ?? String(value)}`,
      );
    }
    return value;
  };
  const str = (name: keyof RenderOptions, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length === 0) {
      throw new ReportError("INVALID_ARGUMENT", `${fn}: options.${name} must be a non-empty string`);
    }
    return value;
  };
  if (options.includeVolatile !== undefined && typeof options.includeVolatile !== "boolean") {
    throw new ReportError("INVALID_ARGUMENT", `${fn}: options.includeVolatile must be a boolean`);
  }
  return {
    title: str("title", options.title),
    recordFile: str("recordFile", options.recordFile),
    maxPointsPerSeries: int(
      "maxPointsPerSeries",
      options.maxPointsPerSeries,
      DEFAULT_MAX_POINTS_PER_SERIES,
      10,
    ),
    maxTrialRows: int("maxTrialRows", options.maxTrialRows, DEFAULT_MAX_TRIAL_ROWS, 1),
    includeVolatile: options.includeVolatile ?? true,
  };
}

/** @internal The record file name used in the replay command. */
export function recordFileOf(record: JobRecord, options: ResolvedRenderOptions): string {
  return options.recordFile ?? `${safeFileStem(record.label)}.job.json`;
}
