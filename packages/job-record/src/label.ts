/**
 * Turns a label into a safe file-name stem: letters, digits, `.`, `_` and `-` kept, anything else
 * (path separators included) replaced by `-`, no leading dots, at most 100 characters, never empty
 * (`"job"`). `"../../x"` becomes `"x"`.
 * @param label - the job label
 */
export function sanitizeLabel(label: string): string {
  const cleaned = label
    .normalize("NFKC")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-+$/, "")
    .slice(0, 100);
  return cleaned === "" ? "job" : cleaned;
}
