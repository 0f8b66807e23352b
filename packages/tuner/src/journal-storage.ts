import { randomUUID } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { boolOption, checkOptionsObject, describe, invalidOption, withDefaults } from "./_options.js";
import { TunerError } from "./errors.js";
import { type StudyEvent, StudyEventSchema, type StudyStorage } from "./storage.js";

/** Options of {@link createJournalStorage}. */
export interface JournalStorageOptions {
  /**
   * Call `fsync` after durable appends (the header and every `tell`), so that a finished trial survives
   * a power loss. Turn off only for throw-away studies.
   * @defaultValue true
   */
  readonly fsync?: boolean;
  /**
   * Called with each warning (a torn last line that was ignored). Warnings are also kept in
   * {@link JournalStorage.warnings}.
   * @defaultValue no callback
   */
  readonly onWarning?: (message: string) => void;
}

/** A {@link StudyStorage} backed by an append-only JSON Lines file. */
export interface JournalStorage extends StudyStorage {
  /** The journal file. */
  readonly path: string;
  /** Warnings raised while reading (e.g. a torn last line ignored). */
  readonly warnings: readonly string[];
}

/** Defaults of {@link createJournalStorage}, filled in there. */
export const JOURNAL_STORAGE_DEFAULTS = Object.freeze({ fsync: true });

const OWNER = "journal storage";

let validator: ValidateFunction | undefined;
function validateEvent(value: unknown): boolean {
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(StudyEventSchema);
  return validator(value) as boolean;
}

function isBlank(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return true;
}

function ioError(action: string, path: string, cause: unknown): TunerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TunerError("JOURNAL_IO", `journal ${path}: cannot ${action}: ${detail}`, { cause });
}

/**
 * A study journal: one JSON line per event (header, ask, report, tell, retry), appended to `path`.
 * The file is created atomically (temporary file + rename) with the header; appends go to the end,
 * with `fsync` on every `tell`. Reading checks every line against {@link StudyEventSchema}: an invalid
 * last line (a write torn by a crash) is ignored with a warning and cut off before the next append;
 * an invalid line elsewhere is an error. One process writes a journal at a time.
 * @param path - the journal file (created on the first append if missing)
 * @param options - see {@link JournalStorageOptions}
 * @returns the storage
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad path or option; reading and appending throw
 *   `JOURNAL_CORRUPT` or `JOURNAL_IO`
 */
export function createJournalStorage(path: string, options: JournalStorageOptions = {}): JournalStorage {
  if (typeof path !== "string" || path.length === 0) {
    invalidOption(OWNER, `path must be a non-empty string, got ${describe(path)}`);
  }
  checkOptionsObject(OWNER, options);
  const o = withDefaults(JOURNAL_STORAGE_DEFAULTS, options);
  const doSync = boolOption(OWNER, "fsync", o.fsync);
  const onWarning = o.onWarning;
  const warnings: string[] = [];
  let fd: number | undefined;
  let closed = false;
  /** Byte length of the valid prefix, when the file has a torn tail to cut before appending. */
  let truncateTo: number | undefined;
  /** The last valid line lacks its newline. */
  let needsNewline = false;
  /** Line number of each event returned by the last `read()`. */
  let eventLines: number[] = [];

  const warn = (message: string) => {
    warnings.push(message);
    onWarning?.(message);
  };

  const read = (): StudyEvent[] => {
    if (!existsSync(path)) return [];
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw ioError("read", path, cause);
    }
    const events: StudyEvent[] = [];
    eventLines = [];
    truncateTo = undefined;
    needsNewline = false;
    let start = 0;
    let line = 0;
    let validEnd = 0;
    let lastValidHasNewline = true;
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      const hasNewline = end >= 0;
      if (!hasNewline) end = bytes.length;
      line++;
      const text = bytes.subarray(start, end).toString("utf8");
      const next = hasNewline ? end + 1 : end;
      if (text.trim().length > 0) {
        let parsed: unknown;
        let ok = false;
        try {
          parsed = JSON.parse(text);
          ok = validateEvent(parsed);
        } catch {
          ok = false;
        }
        if (!ok) {
          if (isBlank(bytes, next)) {
            warn(
              `journal ${path}: line ${line} is not a complete event (torn write, probably an interrupted process); ignored`,
            );
            truncateTo = validEnd;
            needsNewline = !lastValidHasNewline;
            break;
          }
          throw new TunerError(
            "JOURNAL_CORRUPT",
            `journal ${path}: line ${line} is not a valid event: ${text.length > 120 ? `${text.slice(0, 120)}...` : text}`,
          );
        }
        if (line === 1 && (parsed as StudyEvent).type !== "study") {
          throw new TunerError("JOURNAL_CORRUPT", `journal ${path}: line 1 must be the study header`);
        }
        if (line > 1 && (parsed as StudyEvent).type === "study") {
          throw new TunerError("JOURNAL_CORRUPT", `journal ${path}: line ${line} repeats the study header`);
        }
        events.push(parsed as StudyEvent);
        eventLines.push(line);
        validEnd = next;
        lastValidHasNewline = hasNewline;
      }
      start = next;
    }
    if (truncateTo === undefined && !lastValidHasNewline) needsNewline = true;
    return events;
  };

  /** Opens `file`, runs `write` on it, fsyncs (unless `fsync: false`) and closes it. */
  const withFile = (file: string, flags: string, write: (fd: number) => void) => {
    const wfd = openSync(file, flags);
    try {
      write(wfd);
      if (doSync) fsyncSync(wfd);
    } finally {
      closeSync(wfd);
    }
  };

  const createWithHeader = (line: string) => {
    const dir = dirname(path);
    const tmp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
    try {
      withFile(tmp, "w", (tfd) => writeSync(tfd, line));
      renameSync(tmp, path);
    } catch (cause) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw ioError("create", path, cause);
    }
  };

  const open = (): number => {
    if (fd !== undefined) return fd;
    try {
      if (truncateTo !== undefined) {
        const length = truncateTo;
        withFile(path, "r+", (wfd) => ftruncateSync(wfd, length));
        truncateTo = undefined;
      }
      fd = openSync(path, "a");
      if (needsNewline) {
        writeSync(fd, "\n");
        needsNewline = false;
      }
      return fd;
    } catch (cause) {
      throw ioError("open", path, cause);
    }
  };

  return {
    path,
    get warnings() {
      return warnings.slice();
    },
    read,
    locate(index) {
      const line = index === undefined ? undefined : eventLines[index];
      return line === undefined ? `journal ${path}` : `journal ${path}: line ${line}`;
    },
    append(event, durable) {
      if (closed) throw new TunerError("JOURNAL_IO", `journal ${path}: append after close()`);
      const line = `${JSON.stringify(event)}\n`;
      if (fd === undefined && event.type === "study" && !existsSync(path)) {
        createWithHeader(line);
        return;
      }
      const handle = open();
      try {
        writeSync(handle, line);
        if (durable && doSync) fsyncSync(handle);
      } catch (cause) {
        throw ioError("append to", path, cause);
      }
    },
    close() {
      closed = true;
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // closing twice or a vanished file: nothing to do
        }
        fd = undefined;
      }
    },
  };
}
