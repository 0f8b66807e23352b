// Locating invalid UTF-8 (only on the error path: decoding itself uses TextDecoder with fatal: true).

/**
 * Offset of the first byte of the first invalid UTF-8 sequence in `bytes[start, end)`, or -1. Same
 * rules as the WHATWG decoder: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated
 * sequence.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= end) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Hex rendering of up to 4 bytes from `offset`, e.g. `0xff 0xfe`. */
export function hexBytes(bytes: Uint8Array, offset: number, end = bytes.length): string {
  const out: string[] = [];
  for (let i = offset; i < Math.min(end, offset + 4); i++)
    out.push(`0x${bytes[i]!.toString(16).padStart(2, "0")}`);
  return out.join(" ");
}
