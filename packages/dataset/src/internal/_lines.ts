// Streaming line reader: reads a file in 1 MiB chunks into one reused buffer, checks and decodes the
// complete lines in pieces of about 16 KiB (strict UTF-8), and hands lines to a callback synchronously
// (no per-line promise). Memory is bounded by the buffer plus the longest line (MAX_LINE_BYTES).
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { DatasetError } from "../errors.js";
import { MAX_LINE_BYTES } from "../limits.js";
import { firstInvalidUtf8, hexBytes } from "./_utf8.js";

const CHUNK_BYTES = 1 << 20;
const DECODE_BYTES = 1 << 14;

/** Receives the lines of a file. */
export interface LineVisitor {
  /** One line, without its `\n` (a `\r` before it is kept). `terminated` is false for a last line without `\n`. */
  line(text: string, lineNo: number, terminated: boolean): void;
  /** A line that could not be decoded or was too long; it is skipped. */
  bad(lineNo: number, kind: "utf8" | "too-long", detail: string): void;
  /** Polled between lines: stop reading when true. */
  stopped(): boolean;
}

/** What {@link readLines} saw. */
export interface LinesSummary {
  bytes: number;
  lines: number;
}

/** Read `path` line by line. Throws the fs error for I/O failures; `signal` aborts between chunks. */
export async function readLines(
  path: string,
  visitor: LineVisitor,
  signal?: AbortSignal,
): Promise<LinesSummary> {
  const fh = await open(path, "r");
  let lineNo = 0;
  let bytes = 0;
  let first = true;
  let skipping = false; // inside an over-long line, discarding until its newline

  const emitText = (text: string, terminatedAll: boolean): boolean => {
    let start = 0;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) start = 1;
      first = false;
    }
    const n = text.length;
    while (start < n) {
      if (visitor.stopped()) return false;
      let nl = text.indexOf("\n", start);
      let terminated = true;
      if (nl === -1) {
        nl = n;
        terminated = terminatedAll;
      }
      visitor.line(text.slice(start, nl), ++lineNo, terminated);
      start = nl + 1;
    }
    return true;
  };

  // Decode bytes holding whole lines (each ending in \n unless it is the file's last line), in pieces
  // of about DECODE_BYTES cut at line ends: the decoded strings then stay in V8's young generation
  // and die cheaply, instead of piling up as large objects until the next full garbage collection.
  // The piece being read is alive at every young-generation collection, so it is copied (and, when
  // it is still alive at the next one, promoted): 16 KiB pieces instead of 64 KiB cut the bytes that
  // survive a collection by about 2.5 times, so the young generation grows later and less garbage
  // reaches the old generation (measured: docs/benchmarks.md, @rlvr/dataset memory).
  const emitBytes = (data: Buffer, terminatedAll: boolean): boolean => {
    let from = 0;
    while (data.length - from > DECODE_BYTES) {
      let cut = data.lastIndexOf(10, from + DECODE_BYTES - 1);
      if (cut < from) cut = data.indexOf(10, from + DECODE_BYTES);
      if (cut === -1 || cut === data.length - 1) break;
      if (!emitPiece(data.subarray(from, cut + 1), true)) return false;
      from = cut + 1;
    }
    return emitPiece(from === 0 ? data : data.subarray(from), terminatedAll);
  };

  const emitPiece = (data: Buffer, terminatedAll: boolean): boolean => {
    // Validate with simdutf (`isUtf8`), then decode with V8's own UTF-8 decoder: faster than a fatal
    // TextDecoder and without its temporary UTF-16 buffer. A leading BOM is kept and stripped in emitText.
    if (isUtf8(data)) return emitText(data.toString("utf8"), terminatedAll);
    // Slow path: some line is not UTF-8; decode line by line to say which.
    let start = 0;
    while (start < data.length) {
      if (visitor.stopped()) return false;
      let nl = data.indexOf(10, start);
      const end = nl === -1 ? data.length : nl + 1;
      if (nl === -1) nl = data.length;
      const bad = firstInvalidUtf8(data, start, nl);
      if (bad === -1) emitText(data.toString("utf8", start, end), terminatedAll);
      else {
        first = false;
        visitor.bad(
          ++lineNo,
          "utf8",
          `invalid UTF-8 at byte ${bad - start + 1} of the line (bytes ${hexBytes(data, bad, nl)})`,
        );
      }
      start = end;
    }
    return true;
  };

  // One buffer, reused: each read appends after the unfinished line kept at its start; it only grows
  // (×2, up to MAX_LINE_BYTES + CHUNK_BYTES) for a line longer than itself.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let kept = 0;
  try {
    for (;;) {
      if (signal?.aborted) {
        throw new DatasetError("ABORTED", `reading ${path} was aborted`, {
          cause: signal.reason,
          file: path,
        });
      }
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_LINE_BYTES + CHUNK_BYTES));
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      }
      const { bytesRead } = await fh.read(buffer, kept, buffer.length - kept, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const view = buffer.subarray(0, kept + bytesRead);
      let from = 0;
      if (skipping) {
        const nl = view.indexOf(10, kept);
        if (nl === -1) {
          kept = 0;
          continue;
        }
        skipping = false;
        from = nl + 1;
      }
      const last = view.lastIndexOf(10);
      if (last < from) {
        // No complete line yet: keep the bytes, unless the line is already too long.
        if (view.length - from > MAX_LINE_BYTES) {
          visitor.bad(++lineNo, "too-long", `line longer than ${MAX_LINE_BYTES} bytes`);
          first = false;
          skipping = true;
          kept = 0;
        } else {
          kept = view.length - from;
          if (from > 0) buffer.copyWithin(0, from, view.length);
        }
        continue;
      }
      const firstNl = view.indexOf(10, from);
      if (firstNl - from > MAX_LINE_BYTES) {
        visitor.bad(++lineNo, "too-long", `line longer than ${MAX_LINE_BYTES} bytes`);
        first = false;
        from = firstNl + 1;
      }
      if (last >= from && !emitBytes(view.subarray(from, last + 1), true)) return { bytes, lines: lineNo };
      kept = view.length - (last + 1);
      if (kept > 0) buffer.copyWithin(0, last + 1, view.length);
    }
    if (kept > 0 && !skipping) emitBytes(buffer.subarray(0, kept), false);
    return { bytes, lines: lineNo };
  } finally {
    await fh.close();
  }
}
