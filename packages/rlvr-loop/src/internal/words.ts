import { _Utf8Buffer, codePointAt } from "./hash.js";

/** A word character of the featurizer's tokenizer: `[\p{L}\p{M}\p{N}]` (a letter, a mark or a number). */
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;

/** 1 for the ASCII word characters `[0-9A-Za-z]`, by code unit. */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 0;

/** Word-character flags of non-ASCII code points, by block of 256, filled on first use. */
const blocks: (Uint8Array | undefined)[] = [];

function isWordCodePoint(cp: number): boolean {
  const b = cp >> 8;
  let block = blocks[b];
  if (block === undefined) {
    block = new Uint8Array(256);
    for (let i = 0; i < 256; i++) block[i] = WORD_CHAR.test(String.fromCodePoint((b << 8) | i)) ? 1 : 0;
    blocks[b] = block;
  }
  return block[cp & 255] === 1;
}

/**
 * The words of a prompt as UTF-8 bytes, in one pass over its code units: the same words as the
 * featurizer's `tokenize` (maximal runs of `[\p{L}\p{M}\p{N}]` after NFC, optionally lower-cased),
 * written one after the other with one space (0x20) between them, so that word i is
 * `bytes[starts[i], ends[i])` and the bigram of words i − 1 and i ("a b") is
 * `bytes[starts[i − 1], ends[i])`. An ASCII prompt is lower-cased by hand and needs no normalising;
 * any other goes through `String.prototype.normalize("NFC")` and `toLowerCase()` first.
 * Reused from one prompt to the next (no allocation once the buffers are large enough).
 * @internal
 */
export class _WordScanner {
  readonly utf8 = new _Utf8Buffer();
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;

  /** Scan `prompt`; the words are then `count`, `starts`, `ends` and `utf8.bytes`. */
  scan(prompt: string, lowercase: boolean): void {
    // an ASCII prompt in one pass (NFC changes nothing, lower-casing is A–Z only); the first code
    // unit above 0x7F sends the whole prompt to the general pass
    if (!this.scanAscii(prompt, lowercase)) this.scanText(prompt, lowercase);
  }

  /** Make room for the words of a text of n code units (at most n words, 3 bytes per code unit). */
  private prepare(n: number): void {
    this.utf8.length = 0;
    this.utf8.reserve(n * 3 + 1);
    if (this.starts.length < n + 1) {
      this.starts = new Int32Array(n + 1);
      this.ends = new Int32Array(n + 1);
    }
  }

  /** The scan of an ASCII text; false (and nothing scanned) at the first code unit above 0x7F. */
  private scanAscii(text: string, lowercase: boolean): boolean {
    const n = text.length;
    this.prepare(n);
    const bytes = this.utf8.bytes;
    const starts = this.starts;
    const ends = this.ends;
    let length = 0;
    let count = 0;
    let inWord = false;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0x80) return false;
      if (ASCII_WORD[c] !== 1) {
        if (inWord) ends[count++] = length;
        inWord = false;
        continue;
      }
      if (lowercase && c <= 0x5a && c >= 0x41) c |= 0x20;
      if (!inWord) {
        if (count > 0) bytes[length++] = 0x20;
        starts[count] = length;
        inWord = true;
      }
      bytes[length++] = c;
    }
    if (inWord) ends[count++] = length;
    this.utf8.length = length;
    this.count = count;
    return true;
  }

  /** The scan of any text: NFC, optionally lower-cased, then its code points. */
  private scanText(prompt: string, lowercase: boolean): void {
    let text = prompt.normalize("NFC");
    if (lowercase) text = text.toLowerCase();
    const n = text.length;
    this.prepare(n);
    const utf8 = this.utf8;
    const starts = this.starts;
    const ends = this.ends;
    let count = 0;
    let inWord = false;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      let word: boolean;
      if (c < 0x80) {
        word = ASCII_WORD[c] === 1;
      } else {
        c = codePointAt(text, i, c);
        if (c > 0xffff) i++;
        word = isWordCodePoint(c);
      }
      if (!word) {
        if (inWord) ends[count++] = utf8.length;
        inWord = false;
        continue;
      }
      if (!inWord) {
        if (count > 0) utf8.bytes[utf8.length++] = 0x20;
        starts[count] = utf8.length;
        inWord = true;
      }
      if (c < 0x80) utf8.bytes[utf8.length++] = c;
      else utf8.codePoint(c);
    }
    if (inWord) ends[count++] = utf8.length;
    this.count = count;
  }
}
