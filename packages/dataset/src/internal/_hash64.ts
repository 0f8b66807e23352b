// 64-bit non-cryptographic string hash, as two independent 32-bit lanes of different construction
// (a MurmurHash3-style lane and an xxHash32-style lane over UTF-16 code-unit pairs), each finished
// with an avalanche step. Used for duplicate-id detection and group counting in bounded memory; the
// chance that two distinct strings share both lanes is about 2^-64 per pair.

/** High lane of the last {@link hash64} call. */
export let hashHi = 0;
/** Low lane of the last {@link hash64} call. */
export let hashLo = 0;

/**
 * Hash `s` into the module-level `hashHi`/`hashLo` (no allocation). Never returns the pair (0, 0),
 * which the hash tables reserve for empty slots.
 */
export function hash64(s: string): void {
  const n = s.length;
  let h1 = 0x9747b28c ^ n;
  let h2 = 0x165667b1 + n;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    let k1 = Math.imul(k, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, 0x1b873593);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = (h2 + Math.imul(k, 0x85ebca77)) | 0;
    h2 = (h2 << 13) | (h2 >>> 19);
    h2 = Math.imul(h2, 0x9e3779b1);
  }
  if (i < n) {
    const k = s.charCodeAt(i);
    let k1 = Math.imul(k, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, 0x1b873593);
    h2 = (h2 + Math.imul(k, 0x27d4eb2f)) | 0;
    h2 = Math.imul((h2 << 17) | (h2 >>> 15), 0x9e3779b1);
  }
  h1 ^= n;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 15;
  h2 = Math.imul(h2, 0x85ebca77);
  h2 ^= h2 >>> 13;
  h2 = Math.imul(h2, 0xc2b2ae3d);
  h2 ^= h2 >>> 16;
  hashHi = h1 >>> 0;
  hashLo = h2 >>> 0;
  if (hashHi === 0 && hashLo === 0) hashLo = 1;
}
