import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { ServeError } from "../errors.js";
import { _journalFunctions, _journalName } from "./_indexer-source.js";
import { _rowsOf } from "./_journal.js";
import type { _DecisionRow } from "./_rows.js";

/**
 * Reads decisions from the journal at the positions the index gives (one file open at a time, read
 * in pieces of at least 1 MiB, so that positions in ascending order read each file once).
 * @internal
 */
export class _JournalLines {
  private gen = -1;
  private fd = -1;
  private buffer = Buffer.alloc(1 << 20);
  /** The file bytes held in `buffer`: `[from, from + length)`. */
  private from = 0;
  private length = 0;

  constructor(private readonly dir: string) {}

  /**
   * The decision whose line starts at byte `at` of generation `gen`.
   * @throws ServeError `LOG_INVALID` when that line is not the decision `eventId` (the journal was
   * changed after it was indexed), `LOG_UNAVAILABLE` when the file cannot be read
   */
  decision(gen: number, at: number, eventId: string): _DecisionRow {
    const file = join(this.dir, _journalName(gen));
    let line: string | undefined;
    try {
      line = this.line(gen, at);
    } catch (error) {
      throw new ServeError(
        "LOG_UNAVAILABLE",
        `${file}: cannot read the decision log's journal: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const parsed = line === undefined ? undefined : _journalFunctions().parseJournal(`${line}\n`, at);
    const row = parsed === undefined ? undefined : _rowsOf(parsed, gen).decisions[0]?.row;
    if (row === undefined || row.eventId !== eventId)
      throw new ServeError(
        "LOG_INVALID",
        `${file}: the line at byte ${at} is not the decision ${JSON.stringify(eventId)} the log's index points to (was the journal changed?)`,
      );
    return row;
  }

  /** The text of the line at `at` (undefined when the file ends first). */
  private line(gen: number, at: number): string | undefined {
    if (gen !== this.gen) {
      this.close();
      this.fd = openSync(join(this.dir, _journalName(gen)), "r");
      this.gen = gen;
    }
    for (;;) {
      if (at >= this.from && at < this.from + this.length) {
        const end = this.from + this.length;
        const nl = this.buffer.indexOf(10, at - this.from);
        if (nl >= 0 && nl < this.length) return this.buffer.toString("utf8", at - this.from, nl);
        if (end - at >= this.buffer.length) this.buffer = Buffer.alloc(this.buffer.length * 2);
        else if (at === this.from && this.length < this.buffer.length) return undefined; // the file ends
      }
      this.from = at;
      this.length = readSync(this.fd, this.buffer, 0, this.buffer.length, at);
      if (this.length === 0) return undefined;
    }
  }

  /**
   * Drop the bytes held: the next read starts from the file. (A file still being appended to may
   * have been read while a line was being written; the lines the index points to are complete.)
   */
  forget(): void {
    this.length = 0;
  }

  /** Close the file open. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.gen = -1;
    this.length = 0;
  }
}
