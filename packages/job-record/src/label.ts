// The label rule: a job label to the file-name stem of its outputs, one to one.

/** A label kept as its own stem: safe characters only, not starting with a dot. */
const PLAIN_LABEL = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Longest stem: leaves room for the longest suffix (`.report.html`) under 255 bytes. */
export const MAX_LABEL_STEM_LENGTH = 200;

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;

/**
 * Turns a label into the file-name stem of its outputs (`<stem>.job.json`, `<stem>.ckpt` ...), one
 * to one, so different labels never share files:
 * - a label of letters, digits, `.`, `_` and `-` that does not start with `.` is its own stem
 *   (`demo`, `nightly_v2.1`);
 * - any other label is percent-encoded: every UTF-8 byte of a character other than letters,
 *   digits, `_` and `-` (and of a `.` in first place) becomes `%XX` (upper-case hex), so `a/b` gives
 *   `a%2Fb`, `a:b` gives `a%3Ab`, `..` gives `%2E.`; no stem holds a path separator or starts with a
 *   dot, and {@link labelFromFileStem} gives the label back.
 *
 * A stem longer than {@link MAX_LABEL_STEM_LENGTH} is too long for a file name: the job spec refuses
 * such labels. The empty string (which the job spec also refuses) gives `"job"`. Letter case is kept:
 * on a case-insensitive file system `A` and `a` still share files.
 * @param label - the job label
 */
export function sanitizeLabel(label: string): string {
  if (label === "") return "job";
  if (PLAIN_LABEL.test(label)) return label;
  let stem = "";
  const bytes = new TextEncoder().encode(label);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const c = String.fromCharCode(b);
    const keep = b < 0x80 && /[A-Za-z0-9_-]/.test(c);
    stem += keep || (c === "." && i > 0) ? c : hex(b);
  }
  return stem;
}

/**
 * The label a file-name stem of {@link sanitizeLabel} came from (the inverse of the rule).
 * @param stem - a stem made by {@link sanitizeLabel}
 * @throws URIError when `stem` is not such a stem (a `%` not followed by two hex digits, or bytes
 *   that are not UTF-8)
 */
export function labelFromFileStem(stem: string): string {
  return decodeURIComponent(stem);
}
