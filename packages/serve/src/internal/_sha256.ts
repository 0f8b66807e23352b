import { hash } from "node:crypto";

/** SHA-256 round constants (FIPS 180-4, 4.2.2), as signed 32-bit integers. */
const K = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ],
  (x) => x | 0,
);
/** Initial hash value H(0) (FIPS 180-4, 5.3.3). */
const H0 = Int32Array.from(
  [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
  (x) => x | 0,
);
/** Longest message hashed here (in UTF-8 bytes); longer ones go to node:crypto. */
const MAX_BYTES = 247;
const message = new Uint8Array(MAX_BYTES + 9 + 63);
/** Where the text is encoded: a text that does not fit is not hashed here. */
const head = message.subarray(0, MAX_BYTES);
const W = new Int32Array(64);
const H = new Int32Array(8);
const encoder = new TextEncoder();

/**
 * The first 128 bits of SHA-256(UTF-8(text)) as four signed 32-bit integers in little-endian byte
 * order (what `digest.readInt32LE(0 | 4 | 8 | 12)` gives), written into `out`. Short texts (up to
 * 247 bytes, four blocks) are hashed here in JavaScript: node:crypto's one-shot call costs about
 * 3 µs of setup, this about 1.2 µs per 64-byte block. Longer texts go to node:crypto. The digest is
 * SHA-256 (FIPS 180-4) either way; a property test checks it against node:crypto.
 * @internal
 */
export function _sha256Prefix128(text: string, out: Int32Array): void {
  const { read, written: n } = encoder.encodeInto(text, head);
  if (read < text.length) {
    const digest = hash("sha256", text, "buffer");
    for (let i = 0; i < 4; i++) out[i] = digest.readInt32LE(4 * i);
    return;
  }
  // padding: 0x80, zeros, the bit length as a 64-bit big-endian integer (fits in 32 bits here)
  const blocks = (n + 9 + 63) >>> 6;
  const end = blocks * 64;
  message[n] = 0x80;
  message.fill(0, n + 1, end - 4);
  const bits = n * 8;
  message[end - 4] = bits >>> 24;
  message[end - 3] = (bits >>> 16) & 255;
  message[end - 2] = (bits >>> 8) & 255;
  message[end - 1] = bits & 255;
  H.set(H0);
  for (let at = 0; at < end; at += 64) compress(at);
  for (let i = 0; i < 4; i++) {
    const h = H[i]!; // big-endian word → the little-endian read of its bytes
    out[i] = ((h & 255) << 24) | (((h >>> 8) & 255) << 16) | (((h >>> 16) & 255) << 8) | (h >>> 24);
  }
}

/** One SHA-256 compression of the block at `message[at … at + 63]` into H (FIPS 180-4, 6.2.2). */
function compress(at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    W[i] = (message[j]! << 24) | (message[j + 1]! << 16) | (message[j + 2]! << 8) | message[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}
