import { createHash } from "node:crypto";
import { DatasetError } from "../errors.js";

const BUFFER_BYTES = 1 << 18;

/** SHA-256 over a prefix and newline-terminated lines, fed as strings. */
export interface LineHasher {
  /** Throws INVALID_STATE when finished. */
  check(): void;
  /** Hash `line` and a newline. */
  addLine(line: string): void;
  readonly lines: number;
  /** Bytes hashed so far, prefix included. */
  readonly bytes: number;
  /** `sha256:<hex>`; the hasher cannot be used afterwards. */
  finish(): string;
}

/**
 * Lines are UTF-8 encoded straight into one reused buffer, hashed when it fills up: no string
 * concatenation, no allocation per line.
 */
export function createLineHasher(prefix: string, owner: string): LineHasher {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = buffer.write(prefix, 0, "utf8");
  let lines = 0;
  let hashed = 0;
  let done = false;
  const flush = () => {
    if (used === 0) return;
    hash.update(buffer.subarray(0, used));
    hashed += used;
    used = 0;
  };
  const check = () => {
    if (done) throw new DatasetError("INVALID_STATE", `${owner} was used after it was finished`);
  };
  return {
    check,
    addLine(line: string): void {
      check();
      // A UTF-16 code unit takes at most 3 UTF-8 bytes; +1 for the newline.
      if (used + line.length * 3 + 1 > BUFFER_BYTES) {
        flush();
        if (line.length * 3 + 1 > BUFFER_BYTES) {
          hash.update(line, "utf8");
          hashed += Buffer.byteLength(line, "utf8");
          buffer[0] = 10;
          used = 1;
          lines++;
          return;
        }
      }
      used += buffer.write(line, used, "utf8");
      buffer[used++] = 10;
      lines++;
    },
    get lines() {
      return lines;
    },
    get bytes() {
      return hashed + used;
    },
    finish(): string {
      check();
      flush();
      done = true;
      return `sha256:${hash.digest("hex")}`;
    },
  };
}
