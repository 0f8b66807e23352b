/** One difference between two JSON values: where (RFC 6901 pointer) and the two values. */
export interface JsonDifference {
  readonly pointer: string;
  readonly a: unknown;
  readonly b: unknown;
}

const escapeKey = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every leaf where two JSON values differ, in document order (keys sorted), at most `limit` of them.
 * Numbers are compared exactly: a replay must reproduce bits, not approximately.
 */
export function diffJson(a: unknown, b: unknown, limit = 1000): JsonDifference[] {
  const out: JsonDifference[] = [];
  const walk = (x: unknown, y: unknown, pointer: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${pointer}/${i}`);
      return;
    }
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) walk(x[k], y[k], `${pointer}/${escapeKey(k)}`);
      return;
    }
    if (!Object.is(x, y) && JSON.stringify(x) !== JSON.stringify(y)) out.push({ pointer, a: x, b: y });
  };
  walk(a, b, "");
  return out;
}
