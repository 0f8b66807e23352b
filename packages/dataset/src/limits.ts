/**
 * Deepest nesting of objects and arrays inside one example or record (the example object itself is
 * level 1; `metadata` is level 2). Deeper values are rejected with `TOO_DEEP`.
 */
export const MAX_NESTING_DEPTH = 64;

/** Longest accepted JSONL line, in bytes (16 MiB). Longer lines are rejected with `LINE_TOO_LONG`. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Largest JSON document (a whole-file format such as `rlvr`, `learning-trace` or `legacy-rlvr`) read
 * into memory, in bytes (256 MiB). Larger files are rejected with `FILE_TOO_LARGE`: use JSONL, which
 * streams.
 */
export const MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Default of `ReadOptions.maxErrors`: issues collected per file before reading stops. */
export const DEFAULT_MAX_ERRORS = 100;
