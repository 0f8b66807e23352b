// MurmurHash3 (x86, 32-bit) over UTF-8 bytes, without building strings or Buffers: the featurizer
// hashes every key through here (docs/benchmarks.md, "@rlvr/serve: decisions per second").

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One 32-bit block k scrambled: rotl(k·c1, 15)·c2. */
function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** The state h after one 4-byte block k: rotl(h ⊕ scramble(k), 13)·5 + 0xe6546b64. */
function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The state after the 0–3 tail bytes `bytes[p, end)`. */
function mixTail(h: number, bytes: Uint8Array, p: number, end: number): number {
  const tail = end - p;
  if (tail === 0) return h;
  let k = bytes[p]!;
  if (tail > 1) k |= bytes[p + 1]! << 8;
  if (tail > 2) k |= bytes[p + 2]! << 16;
  return h ^ scramble(k);
}

/**
 * The final avalanche (fmix32) of h after `length` bytes, as a signed 32-bit integer (`>>> 0` gives
 * the unsigned hash; a signed result stays a small integer where an unsigned one above 2^31 − 1
 * would be boxed when returned from a call that is not inlined).
 */
function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * MurmurHash3 (x86, 32-bit) of the bytes `bytes[0, length)` with `seed`.
 * @param bytes - the buffer
 * @param length - number of bytes to hash
 * @param seed - the hash seed (its low 32 bits)
 */
export function murmur3Bytes(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed | 0;
  let p = 0;
  const blocksEnd = length & ~3;
  for (; p < blocksEnd; p += 4) {
    h = mixBlock(h, bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24));
  }
  return finish(mixTail(h, bytes, p, length), length) >>> 0;
}

/**
 * MurmurHash3 (x86, 32-bit) with `seed` of the two bytes of `tag` (low byte first) followed by
 * `bytes[start, end)`: the hash of a featurizer key such as `u:word` without copying the word.
 * @param tag - two bytes, `first | (second << 8)` (e.g. `0x3a75` for "u:")
 * @param bytes - the buffer
 * @param start - first byte after the tag
 * @param end - one past the last byte
 * @param seed - the hash seed (its low 32 bits)
 * @internal
 */
export function _murmur3Tagged(
  tag: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  seed: number,
): number {
  return _murmur3TaggedInt32(tag, bytes, start, end, seed) >>> 0;
}

/**
 * {@link _murmur3Tagged} as a signed 32-bit integer (the same bits; `>>> 0` gives the unsigned
 * hash): what the featurizer's hot loop calls once per key (hence five positional parameters), since
 * a signed result is never boxed.
 * @param tag - two bytes, `first | (second << 8)`
 * @param bytes - the buffer
 * @param start - first byte after the tag
 * @param end - one past the last byte
 * @param seed - the hash seed (its low 32 bits)
 * @internal
 */
export function _murmur3TaggedInt32(
  tag: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  seed: number,
): number {
  const length = end - start + 2;
  let h = seed | 0;
  if (length < 4) {
    // the tag and at most one byte: all tail
    return finish(h ^ scramble(length === 3 ? tag | (bytes[start]! << 16) : tag), length);
  }
  h = mixBlock(h, tag | (bytes[start]! << 16) | (bytes[start + 1]! << 24));
  let p = start + 2;
  const blocksEnd = p + ((length - 4) & ~3);
  for (; p < blocksEnd; p += 4) {
    h = mixBlock(h, bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24));
  }
  return finish(mixTail(h, bytes, p, end), length);
}

/**
 * A growable byte buffer that UTF-8 encodes text by hand (lone surrogates become U+FFFD, as
 * TextEncoder does), so hashes are the same on every platform and engine.
 * @internal
 */
export class _Utf8Buffer {
  bytes = new Uint8Array(256);
  length = 0;

  /** Make room for `extra` more bytes. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    const bytes = new Uint8Array(Math.max(need, this.bytes.length * 2));
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
  }

  /** Append the UTF-8 encoding of one code point (room must have been reserved). */
  codePoint(cp: number): void {
    const out = this.bytes;
    let len = this.length;
    if (cp < 0x80) {
      out[len++] = cp;
    } else if (cp < 0x800) {
      out[len++] = 0xc0 | (cp >> 6);
      out[len++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[len++] = 0xe0 | (cp >> 12);
      out[len++] = 0x80 | ((cp >> 6) & 0x3f);
      out[len++] = 0x80 | (cp & 0x3f);
    } else {
      out[len++] = 0xf0 | (cp >> 18);
      out[len++] = 0x80 | ((cp >> 12) & 0x3f);
      out[len++] = 0x80 | ((cp >> 6) & 0x3f);
      out[len++] = 0x80 | (cp & 0x3f);
    }
    this.length = len;
  }

  /** Append the UTF-8 encoding of `text`. */
  text(text: string): void {
    const n = text.length;
    this.reserve(n * 3);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        this.bytes[this.length++] = c;
        continue;
      }
      const cp = codePointAt(text, i, c);
      if (cp > 0xffff) i++;
      this.codePoint(cp);
    }
  }
}

/**
 * The code point starting with code unit `c` at `i` in `text`: a surrogate pair combined, a lone
 * surrogate as U+FFFD; anything else is `c` itself. A result above 0xFFFF spans two code units.
 * @internal
 */
export function codePointAt(text: string, i: number, c: number): number {
  if (c < 0xd800 || c > 0xdfff) return c;
  if (c <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
  }
  return 0xfffd;
}

const shared = new _Utf8Buffer();

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 encoding of `text`, with `seed`. The UTF-8 bytes are
 * produced by hand (lone surrogates become U+FFFD, as TextEncoder does), so the result is the same on
 * every platform and engine.
 */
export function murmur3(text: string, seed: number): number {
  shared.length = 0;
  shared.text(text);
  return murmur3Bytes(shared.bytes, shared.length, seed);
}
