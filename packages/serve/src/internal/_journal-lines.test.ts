import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import { _decisionLine } from "./_journal.js";
import { _JournalLines } from "./_journal-lines.js";
import type { _DecisionRow } from "./_rows.js";

const root = mkdtempSync(join(tmpdir(), "rlvr-serve-lines-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const decision = (i: number, prompt: string): _DecisionRow => ({
  eventId: `e-${i}`,
  session: 1,
  groupId: `g-${i}`,
  context: JSON.stringify({ prompt }),
  allowed: null,
  action: "a",
  probability: 1 / (i + 3),
  explored: false,
  decidedMs: i,
  deadlineMs: 1000 + i,
  defaultReward: null,
});

it("reads every decision at its byte offset, in ascending or descending order, lines longer than its buffer included", () => {
  let k = 0;
  fc.assert(
    fc.property(
      // prompts of a few bytes to 3 MiB (the buffer starts at 1 MiB), any code point
      fc.array(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 40 }),
          fc.integer({ min: 1, max: 3 << 20 }).map((n) => "é".repeat(Math.ceil(n / 2))),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      fc.boolean(),
      (prompts, shuffled) => {
        const dir = join(root, `gen-${k++}`);
        const rows = prompts.map((p, i) => decision(i, p));
        const lines = rows.map(_decisionLine);
        // two generations of the same lines, the second with zeros laid past its records
        mkdirSync(dir);
        writeFileSync(join(dir, "journal-000002.jsonl"), lines.join(""));
        writeFileSync(join(dir, "journal-000003.jsonl"), `${lines.join("")}\0\0\0\0`);
        const at: number[] = [];
        let offset = 0;
        for (const line of lines) {
          at.push(offset);
          offset += Buffer.byteLength(line);
        }
        const order = [2, 3].flatMap((gen) => at.map((byte, i) => ({ gen, offset: byte, i })));
        if (shuffled) order.reverse();
        const reader = new _JournalLines(dir);
        try {
          for (const { gen, offset, i } of order)
            expect(reader.decision(gen, offset, rows[i]!.eventId)).toEqual(rows[i]);
          // a position that is not a line's start is refused, naming the file and the byte
          const last = order[order.length - 1]!;
          expect(() => reader.decision(last.gen, last.offset + 1, rows[last.i]!.eventId)).toThrow(
            new RegExp(
              `journal-00000${last.gen}\\.jsonl: the line at byte ${last.offset + 1} is not the decision`,
            ),
          );
        } finally {
          reader.close();
        }
      },
    ),
    { seed: 20261204, numRuns: 25 },
  );
});
