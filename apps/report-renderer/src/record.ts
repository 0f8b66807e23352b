import { type JobRecord, validateJobRecord } from "@rlvr/job-record";
import { ReportError } from "./errors.js";

/**
 * Checks that `value` is a job record: a JSON object with `recordVersion` that passes the JobRecord
 * schema of `@rlvr/job-record` (the orchestrator writes it). Every renderer calls it first, so a caller can pass parsed JSON as is.
 * @param value - the candidate (typically `JSON.parse` of a `*.job.json` file)
 * @param source - how to name the value in the error message (a file name)
 * @defaultValue source `"record"`
 * @returns the same value, typed
 * @throws {@link ReportError} `INVALID_RECORD`: a foreign value (not an object, or without
 *   `recordVersion`/`jobId`), or one that fails the schema; `details` lists every problem as
 *   `<JSON pointer>: <message>`
 */
export function toJobRecord(value: unknown, source = "record"): JobRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ReportError(
      "INVALID_RECORD",
      `${source}: not a job record: expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`,
      { file: source, details: ["(root): expected an object"] },
    );
  }
  if (!("recordVersion" in value) || !("jobId" in value)) {
    throw new ReportError(
      "INVALID_RECORD",
      `${source}: not a job record: it has no "recordVersion" and "jobId" members (is it a dataset, a manifest or a job spec?)`,
      { file: source, details: ["(root): missing recordVersion or jobId"] },
    );
  }
  const result = validateJobRecord(value);
  if (!result.valid) {
    const details = result.issues.map((i) => `${i.pointer || "(root)"}: ${i.message}`);
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
    throw new ReportError("INVALID_RECORD", `${source}: invalid job record at ${details[0]}${more}`, {
      file: source,
      details,
    });
  }
  return result.record;
}

/**
 * Parses the text of a `*.job.json` file and checks it with {@link toJobRecord}.
 * @param text - the file's text
 * @param source - the file name, for messages
 * @defaultValue source `"record"`
 * @returns the record
 * @throws {@link ReportError} `INVALID_RECORD` for text that is not JSON (the message gives line
 *   and column) or not a valid record
 */
export function parseJobRecord(text: string, source = "record"): JobRecord {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const pos = /position (\d+)/.exec(message);
    let where = "";
    if (pos !== null) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split("\n").length;
      const column = offset - before.lastIndexOf("\n");
      where = ` at line ${line}, column ${column}`;
    }
    throw new ReportError("INVALID_RECORD", `${source}: not JSON${where}: ${message}`, {
      cause: error,
      file: source,
    });
  }
  return toJobRecord(value, source);
}
