/**
 * The dataset formats, in one table: the command line's `--format` values, the job file's `format`,
 * the options check and format detection all read it. A new format is a row here, its converter in
 * `internal/`, and a line in docs/dataset-format.md.
 */
const ROWS = [
  {
    name: "rlvr",
    layout: "document",
    description: "this package's JSON dataset document: { schemaVersion, id, label, createdAt, examples }",
    detection: "a document with schemaVersion, or whose first example has RLVR members",
    markers: ["groupId", "action", "verified", "context", "behaviorProb", "allowedActions"],
  },
  {
    name: "jsonl",
    layout: "lines",
    description: "one RLVR example per line (JSON lines)",
    detection: "JSON lines whose first record has RLVR members",
    markers: ["groupId", "action", "verified", "context", "behaviorProb", "allowedActions"],
  },
  {
    name: "learning-trace",
    layout: "document",
    description:
      'the original system\'s learning-trace dataset document (optionally wrapped as { "dataset": ... })',
    detection: 'a document { "dataset": ... }, or whose first example has learning-trace members',
    markers: [
      "requestId",
      "verificationPassed",
      "labels",
      "toolInput",
      "toolOutput",
      "durationMs",
      "correlationId",
    ],
  },
  {
    name: "legacy-rlvr",
    layout: "document",
    description: "the original system's own RLVR training dataset document",
    detection: "a document whose first example has toolName or scenarioId and no learning-trace member",
    markers: ["toolName", "scenarioId"],
  },
  {
    name: "completions",
    layout: "lines",
    description: "prompt/completion/reward JSON lines, one scored completion per line",
    detection: "JSON lines whose first record has prompt, completion or completion_id",
    markers: ["completion", "completion_id", "prompt"],
  },
] as const;

/**
 * Accepted input formats (see {@link DATASET_FORMAT_TABLE}):
 * - `rlvr`: this package's JSON dataset document ({@link RlvrDataset});
 * - `jsonl`: one {@link RlvrExample} per line;
 * - `learning-trace`: the original system's learning-trace dataset document (optionally wrapped as
 *   `{ "dataset": ... }`);
 * - `legacy-rlvr`: the original system's own RLVR training dataset document;
 * - `completions`: prompt/completion/reward JSONL, one scored completion per line.
 */
export type DatasetFormat = (typeof ROWS)[number]["name"];

/** One row of {@link DATASET_FORMAT_TABLE}. */
export interface DatasetFormatInfo {
  /** The name, as given to the `format` option and `--format`. */
  readonly name: DatasetFormat;
  /** `document`: one JSON document per file; `lines`: one JSON value per line (JSONL), streamed. */
  readonly layout: "document" | "lines";
  /** What the format is, in a sentence. */
  readonly description: string;
  /** How `format: "auto"` recognises it, in a sentence. */
  readonly detection: string;
  /** Member names of a record (a document's first example, or the first line) that vote for it. */
  readonly markers: readonly string[];
}

/** Every dataset format with its layout, description and detection rule, in documentation order. */
export const DATASET_FORMAT_TABLE: readonly DatasetFormatInfo[] = ROWS;

/** Every {@link DatasetFormat}, in documentation order. */
export const DATASET_FORMATS: readonly DatasetFormat[] = ROWS.map((row) => row.name);

/** The values of a `format` option: `"auto"` (detect from the content), then every {@link DatasetFormat}. */
export const DATASET_FORMAT_OPTIONS: readonly ["auto", ...DatasetFormat[]] = ["auto", ...DATASET_FORMATS];

/** The table row of `format`. */
export function datasetFormatInfo(format: DatasetFormat): DatasetFormatInfo {
  return DATASET_FORMAT_TABLE.find((row) => row.name === format)!;
}

/** Whether a format is read line by line (JSONL) rather than as one JSON document. */
export function isLineFormat(format: DatasetFormat): boolean {
  return datasetFormatInfo(format).layout === "lines";
}
