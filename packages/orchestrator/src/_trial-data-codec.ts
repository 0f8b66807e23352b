// The bytes a job ships to queue workers: a canonical encoding of the trial data, so that equal data
// give equal bytes (and so the same blob digest) in every process. Node's structured serialisation
// (`v8.serialize`) is not canonical: it writes the number 1 as an integer or as a double depending on
// how V8 happens to hold it (`{ a: 1 }` and `{ a: new Float64Array([1])[0] }` differ), so a job
// resumed in another process would ship "different" data and could not reattach to its queued trials.
//
// Layout: the 8 bytes "RLVRTD1\n", a little-endian u32 header length, the header (UTF-8 JSON), then
// the typed arrays' bytes, each at an offset that is a multiple of 8 from the start of that section.
// In the header, a typed array is `{ "$t": "<constructor>", "o": offset, "n": byteLength }`, a number
// JSON cannot hold (NaN, ±Infinity, -0) is `{ "$n": "<its name>" }`, an undefined member is
// `{ "$u": 1 }`, and a key of the data that starts with `$` gets a second `$` (so data never reads as
// a marker). Numbers are written by `JSON.stringify`: the shortest text that reads back as the same
// double, whatever V8's representation.

const MAGIC = "RLVRTD1\n";

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;

type TypedName = keyof typeof TYPED;

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  "-0": -0,
};

function numberMarker(n: number): { $n: string } | null {
  if (Number.isNaN(n)) return { $n: "NaN" };
  if (n === Number.POSITIVE_INFINITY) return { $n: "Infinity" };
  if (n === Number.NEGATIVE_INFINITY) return { $n: "-Infinity" };
  if (Object.is(n, -0)) return { $n: "-0" };
  return null;
}

const escapeKey = (key: string) => (key.startsWith("$") ? `$${key}` : key);
const unescapeKey = (key: string) => (key.startsWith("$$") ? key.slice(1) : key);

/**
 * Encodes JSON-like data with typed arrays canonically.
 * @throws TypeError for values it cannot hold (functions, symbols, bigints, Maps, Sets, cycles)
 */
export function encodeTrialData(value: unknown): Uint8Array {
  const segments: Uint8Array[] = [];
  let offset = 0;
  const convert = (v: unknown, seen: Set<object>): unknown => {
    if (v === undefined) return { $u: 1 };
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return numberMarker(v) ?? v;
    if (typeof v !== "object") throw new TypeError(`cannot encode a ${typeof v}`);
    if (ArrayBuffer.isView(v)) {
      const name = v.constructor.name;
      if (!Object.hasOwn(TYPED, name)) throw new TypeError(`cannot encode a ${name}`);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const marker = { $t: name, o: offset, n: bytes.byteLength };
      segments.push(bytes);
      offset += Math.ceil(bytes.byteLength / 8) * 8;
      return marker;
    }
    if (seen.has(v)) throw new TypeError("cannot encode a value that contains itself");
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => convert(item, seen));
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`cannot encode a ${(v as object).constructor?.name ?? "object"}`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        Object.defineProperty(out, escapeKey(key), {
          value: convert(item, seen),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  const header = new TextEncoder().encode(JSON.stringify(convert(value, new Set())));
  const start = MAGIC.length + 4 + header.byteLength;
  const dataStart = Math.ceil(start / 8) * 8;
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.byteLength, true);
  out.set(header, MAGIC.length + 4);
  let at = dataStart;
  for (const segment of segments) {
    out.set(segment, at);
    at += Math.ceil(segment.byteLength / 8) * 8;
  }
  return out;
}

/**
 * Decodes what {@link encodeTrialData} wrote (typed arrays are fresh copies).
 * @throws Error when the bytes are not such an encoding
 */
export function decodeTrialData(bytes: Uint8Array): unknown {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC || bytes.byteLength < MAGIC.length + 4) throw new Error("not a job's trial data");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(MAGIC.length, true);
  const headerEnd = MAGIC.length + 4 + length;
  if (headerEnd > bytes.byteLength) throw new Error("truncated trial data");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, headerEnd))) as unknown;
  const dataStart = Math.ceil(headerEnd / 8) * 8;
  const revive = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(revive);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "$u") return undefined;
    if (
      keys.length === 1 &&
      keys[0] === "$n" &&
      typeof o.$n === "string" &&
      Object.hasOwn(SPECIAL_NUMBERS, o.$n)
    )
      return SPECIAL_NUMBERS[o.$n];
    if (keys.length === 3 && typeof o.$t === "string" && Object.hasOwn(TYPED, o.$t)) {
      const { o: at, n } = o as { o: unknown; n: unknown };
      if (!Number.isSafeInteger(at) || !Number.isSafeInteger(n) || (at as number) < 0 || (n as number) < 0)
        throw new Error("malformed typed array in trial data");
      const from = dataStart + (at as number);
      if (from + (n as number) > bytes.byteLength) throw new Error("truncated trial data");
      const Ctor = TYPED[o.$t as TypedName];
      const copy = bytes.slice(from, from + (n as number));
      return new Ctor(copy.buffer, 0, (n as number) / Ctor.BYTES_PER_ELEMENT);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      // defined, not assigned: a "__proto__" key of the data stays a key; undefined members stay members
      Object.defineProperty(out, unescapeKey(key), {
        value: revive(o[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return revive(header);
}
