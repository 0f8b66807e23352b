import type { DatasetIssue, IssueCode } from "../issues.js";
import { MAX_ISSUE_VALUE_LENGTH, shortenValue } from "../issues.js";

/**
 * Collects issues up to `max`. The first issue beyond the limit sets `truncated`; readers stop reading
 * once `truncated` is set (`stopped`), so a garbage file costs at most `max + 1` issues of work.
 */
export class IssueSink {
  readonly issues: DatasetIssue[] = [];
  truncated = false;
  constructor(readonly max: number) {}

  add(issue: DatasetIssue): void {
    if (this.issues.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.issues.push(issue);
  }

  /** Build and add an issue; `value` is shortened when given (pass `NO_VALUE` to leave it out). */
  report(
    code: IssueCode,
    file: string,
    line: number | undefined,
    pointer: string,
    message: string,
    value: unknown = NO_VALUE,
    expected?: string,
  ): void {
    const issue: DatasetIssue = { code, file, pointer, message };
    if (line !== undefined) issue.line = line;
    if (value !== NO_VALUE) issue.value = shortenValue(value);
    if (expected !== undefined) issue.expected = expected;
    this.add(issue);
  }

  /**
   * Like `report`, for a value that is raw text rather than JSON (a syntax error's surroundings): the
   * text is shown as is, control characters escaped, cut to the issue value budget.
   */
  reportText(
    code: IssueCode,
    file: string,
    line: number | undefined,
    pointer: string,
    message: string,
    text: string,
    expected?: string,
  ): void {
    let shown = "";
    for (let k = 0; k < text.length && shown.length <= MAX_ISSUE_VALUE_LENGTH; k++) {
      const c = text.charCodeAt(k);
      shown += c < 0x20 ? JSON.stringify(text[k]).slice(1, -1) : text[k];
    }
    if (shown.length > MAX_ISSUE_VALUE_LENGTH) shown = `${shown.slice(0, MAX_ISSUE_VALUE_LENGTH - 1)}…`;
    const issue: DatasetIssue = { code, file, pointer, message, value: shown };
    if (line !== undefined) issue.line = line;
    if (expected !== undefined) issue.expected = expected;
    this.add(issue);
  }

  get stopped(): boolean {
    return this.truncated;
  }
}

/** Marker for "no offending value to show". */
export const NO_VALUE: unique symbol = Symbol("no value");
