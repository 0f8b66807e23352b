import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { _JournalBatch } from "./_journal.js";
import { _UnindexedRows } from "./_unindexed.js";

const batch = (generatedFrom: number, generatedEnd: number): _JournalBatch => ({
  lines: [],
  decisionIds: [],
  rewardIds: [],
  generatedFrom,
  generatedEnd,
  done: Promise.resolve(),
  resolve: () => undefined,
  reject: () => undefined,
});

describe("the ring of generated ids' deadlines", () => {
  it("answers like a map of sequence numbers to deadlines through any appends, gaps, failures and indexing", () => {
    // a model: the batches in append order, each a range of sequence numbers with some left out
    // (an id whose decision was never appended); indexing takes batches from the front, a failure
    // clears any batch still held
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("batch" as const),
        size: fc.integer({ min: 1, max: 700 }),
        gaps: fc.integer({ min: 0, max: 5 }),
      }),
      fc.record({ kind: fc.constant("index" as const), batches: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant("fail" as const), which: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const rows = new _UnindexedRows(
          () => undefined,
          () => false,
        );
        const model = new Map<number, number>();
        const held: { from: number; end: number; seqs: number[] }[] = [];
        let seq = 0;
        // what the backlog bound counts: from the oldest id not passed by indexing to the newest
        let first = 0;
        let next = 0;
        for (const o of ops) {
          if (o.kind === "batch") {
            const from = seq;
            const seqs: number[] = [];
            for (let i = 0; i < o.size; i++) {
              seq += i % 97 === 0 ? o.gaps : 0; // ids handed out and never appended
              rows.addGenerated(seq, 1_000 + seq * 3);
              model.set(seq, 1_000 + seq * 3);
              if (first === next) first = seq;
              next = seq + 1;
              seqs.push(seq++);
            }
            held.push({ from: seqs[0] ?? from, end: seq, seqs });
          } else if (o.kind === "index") {
            for (const b of held.splice(0, o.batches)) {
              rows.forget(batch(b.from, b.end), false);
              for (const s of b.seqs) model.delete(s);
              if (b.end > first) first = Math.min(b.end, next);
            }
          } else if (held.length > 0) {
            const b = held[o.which % held.length]!;
            rows.forget(batch(b.from, b.end), true);
            for (const s of b.seqs) model.delete(s);
          }
        }
        for (let s = -1; s <= seq + 1; s++) expect(rows.generatedDeadline(s)).toBe(model.get(s));
        expect(rows.count).toBe(next - first);
        if (held.length === 0) expect(rows.count).toBe(0);
      }),
      { seed: 41, numRuns: 300 },
    );
  });
});
