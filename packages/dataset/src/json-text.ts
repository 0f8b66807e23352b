import { DatasetError } from "./errors.js";
import { checkTree, mayHaveSurrogateEscapes } from "./internal/_checks.js";
import { parseDocumentText, placeIssues } from "./internal/_parse-text.js";
import { IssueSink } from "./internal/_sink.js";
import { formatIssue } from "./issues.js";
import { DEFAULT_MAX_ERRORS } from "./limits.js";

/** Options of {@link parseJsonText}. */
export interface ParseJsonTextOptions {
  /** The file the text comes from, as the user named it: every issue and the error name it. */
  readonly file: string;
  /**
   * Issues collected before giving up.
   * @defaultValue 100 ({@link DEFAULT_MAX_ERRORS})
   */
  readonly maxErrors?: number;
}

/**
 * Parses a small JSON file strictly (a job file, a params file, a config): the value, or a
 * {@link DatasetError} `JSON_INVALID` whose `issues` say where, each with file, line and JSON pointer.
 * Refused, beyond what `JSON.parse` refuses: an object with the same member name twice (`DUPLICATE_KEY`,
 * pointing at the second; `"a"` and `"\u0061"` are the same name), a `__proto__`, `constructor` or
 * `prototype` key (`FORBIDDEN_KEY`), a number too large for a double such as `1e999` (`NOT_FINITE`),
 * a lone UTF-16 surrogate (`LONE_SURROGATE`) and nesting deeper than `MAX_NESTING_DEPTH` (`TOO_DEEP`).
 * A leading byte-order mark is ignored. The message is the first issue on one line (`file:line:
 * pointer: message (got ..., expected ...)`), `details` has one line per issue.
 *
 * @param text - the whole text of the file
 * @param options - `file` (required) and `maxErrors`
 * @returns the parsed value
 * @throws {@link DatasetError} `JSON_INVALID` for invalid text, `BAD_OPTIONS` for bad options
 *
 * @example
 * ```ts
 * const job = parseJsonText(await readFile("job.json", "utf8"), { file: "job.json" });
 * ```
 */
export function parseJsonText(text: string, options: ParseJsonTextOptions): unknown {
  const { file, maxErrors = DEFAULT_MAX_ERRORS } = options ?? ({} as Partial<ParseJsonTextOptions>);
  if (typeof file !== "string" || file === "") {
    throw new DatasetError("BAD_OPTIONS", "the file option of parseJsonText must be a non-empty string");
  }
  if (typeof text !== "string") {
    throw new DatasetError("BAD_OPTIONS", `the text of ${file} must be a string (got ${typeof text})`, {
      file,
    });
  }
  if (!Number.isSafeInteger(maxErrors) || maxErrors < 1) {
    throw new DatasetError("BAD_OPTIONS", `maxErrors must be a positive integer (got ${String(maxErrors)})`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const sink = new IssueSink(maxErrors);
  const parsed = parseDocumentText(body, file, sink, "a JSON document");
  if (parsed !== undefined) {
    const surrogates = mayHaveSurrogateEscapes(body);
    const at = { file, line: undefined, base: "" };
    checkTree(parsed.value, { depth: 1, pointer: "" }, { at, sink, surrogates });
    placeIssues(body, file, sink);
  }
  const issues = sink.issues;
  const first = issues[0];
  if (first === undefined) return parsed?.value;
  const more = issues.length > 1 ? ` (and ${issues.length - 1}${sink.truncated ? "+" : ""} more)` : "";
  throw new DatasetError("JSON_INVALID", `${formatIssue(first)}${more}`, {
    file,
    issues,
    details: issues.map(formatIssue),
  });
}
