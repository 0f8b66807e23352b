/**
 * Machine-readable codes of {@link DatasetIssue}. Stable across versions; new codes may be added.
 */
export const IssueCode = {
  /** The text is not valid JSON (including bare `NaN`/`Infinity` tokens). */
  INVALID_JSON: "INVALID_JSON",
  /** The bytes are not valid UTF-8. */
  INVALID_UTF8: "INVALID_UTF8",
  /** The last line of a JSONL file has no final newline and does not parse: the file was cut off. */
  TRUNCATED_LAST_LINE: "TRUNCATED_LAST_LINE",
  /** A JSONL line is longer than {@link MAX_LINE_BYTES}. */
  LINE_TOO_LONG: "LINE_TOO_LONG",
  /** A JSON document is larger than {@link MAX_JSON_DOCUMENT_BYTES}; use JSONL for large data. */
  FILE_TOO_LARGE: "FILE_TOO_LARGE",
  /** The file or dataset holds no example. */
  EMPTY_DATASET: "EMPTY_DATASET",
  /** The content matches none of the known formats. */
  FORMAT_UNKNOWN: "FORMAT_UNKNOWN",
  /** The content matches more than one format; name it with the `format` option. */
  FORMAT_AMBIGUOUS: "FORMAT_AMBIGUOUS",
  /** `schemaVersion` is not one this version of the package reads. */
  UNSUPPORTED_VERSION: "UNSUPPORTED_VERSION",
  /** A value has the wrong JSON type. */
  WRONG_TYPE: "WRONG_TYPE",
  /** A required member is missing. */
  MISSING_FIELD: "MISSING_FIELD",
  /** A member that the schema does not define (schemas are strict). */
  UNKNOWN_FIELD: "UNKNOWN_FIELD",
  /** A `__proto__`, `constructor` or `prototype` key, anywhere. */
  FORBIDDEN_KEY: "FORBIDDEN_KEY",
  /** A number outside its allowed range (reward outside [0, 1], probability outside (0, 1], ...). */
  OUT_OF_RANGE: "OUT_OF_RANGE",
  /** A number that is not finite (for example `1e999`, which JSON parsers read as Infinity). */
  NOT_FINITE: "NOT_FINITE",
  /** A value that breaks another constraint: length, allowed values, date format, uniqueness. */
  INVALID_VALUE: "INVALID_VALUE",
  /** Objects/arrays nested deeper than {@link MAX_NESTING_DEPTH}. */
  TOO_DEEP: "TOO_DEEP",
  /** A string holding a lone UTF-16 surrogate (from a `\ud800`-style escape): not valid Unicode text. */
  LONE_SURROGATE: "LONE_SURROGATE",
  /**
   * An object holds the same member name twice (`"a"` and `"\u0061"` are the same name). `JSON.parse`
   * keeps one of the values silently, so the record is refused; the pointer names the second occurrence.
   */
  DUPLICATE_KEY: "DUPLICATE_KEY",
  /** An example id seen before, in this file or in an earlier file of the same load. */
  DUPLICATE_ID: "DUPLICATE_ID",
  /** `allowedActions` does not contain `action`. */
  ACTION_NOT_ALLOWED: "ACTION_NOT_ALLOWED",
  /** A learning-trace example labelled `rewardHackingSignal: "suspected"` under the policy `"reject"`. */
  REWARD_HACKING_SUSPECTED: "REWARD_HACKING_SUSPECTED",
  /**
   * A read option does not apply to the file's format: `propensityPointer` on a file detected as
   * `rlvr` or `jsonl`, whose examples carry `behaviorProb` themselves.
   */
  OPTION_NOT_APPLICABLE: "OPTION_NOT_APPLICABLE",
} as const;

/** One of the {@link IssueCode} values. */
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

/**
 * A finding about the data: where it is, what is wrong, what was found and what was expected.
 * Rendered on one line by {@link formatIssue}.
 */
export interface DatasetIssue {
  /** Machine-readable reason, one of {@link IssueCode}. */
  code: IssueCode;
  /** The file, as given by the caller. */
  file: string;
  /** 1-based line: the JSONL line, or for a JSON document the line where the value starts. */
  line?: number;
  /**
   * RFC 6901 JSON pointer to the offending value: into the document for a JSON file
   * (`/examples/3/reward`), into the line's value for JSONL (`/reward`); `""` is the whole value.
   */
  pointer: string;
  /** What is wrong, in a sentence without the location. */
  message: string;
  /** The offending value as JSON, shortened to at most {@link MAX_ISSUE_VALUE_LENGTH} characters. */
  value?: string;
  /** What was expected there, e.g. `number in [0, 1]`. */
  expected?: string;
}

/** Longest `value` text in a {@link DatasetIssue}, in UTF-16 code units (an ellipsis marks a cut). */
export const MAX_ISSUE_VALUE_LENGTH = 80;

/**
 * Render an issue on one line: `file:line: pointer: message (got value, expected what)`.
 * The line is left out when unknown, the pointer `""` is written `(root)`.
 *
 * @param issue - the issue to render
 * @returns one line of text, without a trailing newline
 */
export function formatIssue(issue: DatasetIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const pointer = issue.pointer === "" ? "(root)" : issue.pointer;
  const details: string[] = [];
  if (issue.value !== undefined) details.push(`got ${issue.value}`);
  if (issue.expected !== undefined) details.push(`expected ${issue.expected}`);
  const tail = details.length > 0 ? ` (${details.join(", ")})` : "";
  return `${where}: ${pointer}: ${issue.message}${tail}`;
}

class TooLong extends Error {}

/**
 * JSON text of `value`, cut to at most `max` UTF-16 code units with a final `…`. Works on values of any
 * size in bounded time (stops as soon as the budget is spent); non-finite numbers are written
 * `NaN`/`Infinity`/`-Infinity`, `undefined` as `undefined`.
 *
 * @param value - any value
 * @param max - budget in UTF-16 code units
 * @defaultValue max = {@link MAX_ISSUE_VALUE_LENGTH}
 */
export function shortenValue(value: unknown, max: number = MAX_ISSUE_VALUE_LENGTH): string {
  let out = "";
  const budget = max + 1;
  const push = (s: string) => {
    out += s;
    if (out.length > budget) throw new TooLong();
  };
  const walk = (v: unknown, depth: number): void => {
    if (v === null) {
      push("null");
      return;
    }
    switch (typeof v) {
      case "string": {
        push(JSON.stringify(v.length > budget ? v.slice(0, budget) : v));
        return;
      }
      case "number": {
        push(Number.isFinite(v) ? JSON.stringify(v) : String(v));
        return;
      }
      case "boolean": {
        push(v ? "true" : "false");
        return;
      }
      case "undefined": {
        push("undefined");
        return;
      }
      case "bigint": {
        push(`${v}n`);
        return;
      }
      case "object": {
        if (depth > 100) {
          push("…");
          return;
        }
        if (Array.isArray(v)) {
          push("[");
          for (let i = 0; i < v.length; i++) {
            if (i > 0) push(",");
            walk(v[i], depth + 1);
          }
          push("]");
          return;
        }
        push("{");
        let first = true;
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          if (!first) push(",");
          first = false;
          push(JSON.stringify(key.length > budget ? key.slice(0, budget) : key));
          push(":");
          walk((v as Record<string, unknown>)[key], depth + 1);
        }
        push("}");
        return;
      }
      default: {
        push(String(v));
        return;
      }
    }
  };
  try {
    walk(value, 0);
    return out;
  } catch (error) {
    if (!(error instanceof TooLong)) throw error;
    let cut = max - 1;
    const code = out.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    return `${out.slice(0, cut)}…`;
  }
}

/** Escape one reference token of an RFC 6901 JSON pointer. */
export function escapePointerToken(token: string | number): string {
  if (typeof token === "number") return String(token);
  return token.includes("~") || token.includes("/") ? token.replace(/~/g, "~0").replace(/\//g, "~1") : token;
}
