let scratch = new Uint8Array(256);

/** UTF-8 encoding of `text` into the shared scratch buffer (lone surrogates become U+FFFD); returns the length. */
function encodeUtf8(text: string): number {
  const n = text.length;
  if (scratch.length < n * 3) scratch = new Uint8Array(n * 3 + 64);
  const out = scratch;
  let len = 0;
  for (let i = 0; i < n; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x80) {
      out[len++] = cp;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x800) {
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
  }
  return len;
}

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 encoding of `text`, with `seed`. The UTF-8 bytes are
 * produced by hand (lone surrogates become U+FFFD, as TextEncoder does), so the result is the same on
 * every platform and engine.
 */
export function murmur3(text: string, seed: number): number {
  const len = encodeUtf8(text);
  const b = scratch;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= b[blocks + 2]! << 16;
    if (tail >= 2) k ^= b[blocks + 1]! << 8;
    k ^= b[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
