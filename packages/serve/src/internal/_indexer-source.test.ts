import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GROUP_ID_PATTERN } from "../schemas.js";
import { _journalFunctions } from "./_indexer-source.js";
import { _decisionLine, _rewardLine } from "./_journal.js";
import { _DecisionLog } from "./_log.js";
import type { _DecisionRow, _RewardRow } from "./_rows.js";

const root = mkdtempSync(join(tmpdir(), "rlvr-serve-indexer-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Any double a server can log (every finite magnitude and the edge values). */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0, -0, 5e-324, 1e21, 1e-7, 0.1 + 0.2, 2 ** 53 + 2, 1 / 3),
);
/** Strings with every kind of code point: escapes, control characters, astral planes. */
const text = fc.string({ unit: "binary", maxLength: 12 });
/** Ids and action names: no U+0000 and no lone surrogate (the server refuses such group ids). */
const groupIdPattern = new RegExp(GROUP_ID_PATTERN, "u");
const id = text.filter((t) => groupIdPattern.test(t));
const context = fc.record(
  {
    prompt: text,
    features: fc.dictionary(text, fc.oneof(number, text, fc.boolean()), { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);
const decision = (i: number): fc.Arbitrary<_DecisionRow> =>
  fc.record({
    eventId: id.map((t) => `${i}:${t}`),
    session: fc.integer({ min: 1, max: 2 ** 31 }),
    groupId: id,
    context: context.map((c) => JSON.stringify(c)),
    allowed: fc.option(fc.array(text, { maxLength: 3 }).map((a) => JSON.stringify(a))),
    action: id,
    probability: fc.double({ min: 5e-324, max: 1, noNaN: true }),
    explored: fc.boolean(),
    decidedMs: fc.integer({ min: 0, max: 2 ** 52 }),
    deadlineMs: fc.integer({ min: 0, max: 2 ** 52 }),
    defaultReward: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  });
const reward = (eventId: string): fc.Arbitrary<_RewardRow> =>
  fc.record({
    eventId: fc.constant(eventId),
    reward: fc.double({ min: 0, max: 1, noNaN: true }),
    verified: fc.boolean(),
    components: fc.option(fc.dictionary(text, number, { maxKeys: 3 }).map((c) => JSON.stringify(c))),
    rewardedMs: fc.integer({ min: 0, max: 2 ** 52 }),
  });
const journal = fc
  .array(fc.nat(), { minLength: 1, maxLength: 8 })
  .chain((keys) =>
    fc
      .tuple(...keys.map((_, i) => decision(i)))
      .chain((decisions) =>
        fc
          .tuple(...decisions.map((d) => fc.option(reward(d.eventId))))
          .map((rewards) => ({ decisions, rewards: rewards.filter((r): r is _RewardRow => r !== null) })),
      ),
  );

let n = 0;
type Db = { prepare(sql: string): { all(): unknown[] } };
/** A fresh log for serving, its connection, and a way to put journal text in its folder. */
function database(): { db: Db; log: _DecisionLog; write(text: string): void; close(): void } {
  const dir = join(root, `db-${n++}`);
  const log = _DecisionLog.open(dir, true);
  const db = (log as unknown as { db: Db }).db;
  return {
    db,
    log,
    write: (text) => writeFileSync(join(dir, "journal-000002.jsonl"), text),
    close: () => log.closeReader(),
  };
}
const dump = (db: Db): unknown[] => [
  db.prepare("SELECT * FROM generated_decisions ORDER BY gen, at").all(),
  db.prepare("SELECT * FROM client_decisions ORDER BY gen, at").all(),
  db.prepare("SELECT * FROM rewards ORDER BY event_id").all(),
  db.prepare("SELECT value FROM meta WHERE key = 'journal'").all(),
];
const strip = (rows: unknown[]): unknown[] =>
  rows.map((r) => (Array.isArray(r) ? r.map(({ _metadata, ...rest }) => rest) : r));

describe("the indexer's two paths over journal text", () => {
  it("the fast path (reading only each line's framing) indexes exactly what the parser indexes, and the index reads back what was logged", () => {
    const { parseJournal, indexRows, scanJournal, committer, fastCommitter } = _journalFunctions();
    fc.assert(
      fc.property(journal, fc.boolean(), ({ decisions, rewards }, generated) => {
        // event ids as the server generates them, or any text (a client's ids are narrower)
        const logged = generated
          ? decisions.map((d, i) => ({ ...d, eventId: `_${d.session}.${i}` }))
          : decisions;
        const rewarded = rewards.map((r) => ({
          ...r,
          eventId: logged[decisions.findIndex((d) => d.eventId === r.eventId)]!.eventId,
        }));
        const text =
          logged.map(_decisionLine).join("") +
          rewarded.map(_rewardLine).join("") +
          // a repeated event id (the first record wins) and a torn last line
          _decisionLine({ ...logged[0]!, groupId: "repeated" }) +
          '[2,0.5,null,"torn';
        const scanned = scanJournal(text, 2, 0);
        expect(scanned.rows).toBe(logged.length + rewarded.length + 1);
        expect(scanned.stop).toBe(text.lastIndexOf("\n") + 1);
        const parsed = parseJournal(text, 0);
        expect(scanned.end).toBe(parsed.end);
        expect(parsed.end).toBe(Buffer.byteLength(text.slice(0, scanned.stop)));
        const a = database();
        const b = database();
        try {
          fastCommitter(a.db)(scanned, 2, scanned.end);
          committer(b.db)(indexRows(parsed, 2), 2, parsed.end);
          const fast = strip(dump(a.db));
          expect(fast).toEqual(strip(dump(b.db)));
          expect((fast[generated ? 0 : 1] as unknown[]).length).toBe(logged.length);
          // the positions are the lines' bytes: the log reads back every value, bit for bit
          a.write(text);
          const joined = [...a.log.joined()];
          expect(joined.map((j) => j.decision)).toEqual(logged);
          expect(joined.flatMap((j) => (j.reward === undefined ? [] : [j.reward]))).toEqual(
            logged.flatMap((d) => rewarded.filter((r) => r.eventId === d.eventId)),
          );
        } finally {
          a.close();
          b.close();
        }
      }),
      { seed: 20261203, numRuns: 80 },
    );
  });

  it("keeps 20 000 random probabilities, default rewards and rewards bit for bit (SQLite's own reading of decimals is off by an ulp now and then)", () => {
    const { scanJournal, fastCommitter } = _journalFunctions();
    const values = fc.sample(fc.double({ min: 5e-324, max: 1, noNaN: true }), { seed: 7, numRuns: 20_000 });
    const decisions = values.map((p, i) => ({
      eventId: `e${i}`,
      session: 1,
      groupId: "g",
      context: "{}",
      allowed: null,
      action: "a",
      probability: p,
      explored: false,
      decidedMs: i,
      deadlineMs: i,
      defaultReward: values[values.length - 1 - i]!,
    }));
    const rewards = values.map((r, i) => ({
      eventId: `e${i}`,
      reward: r,
      verified: true,
      components: null,
      rewardedMs: i,
    }));
    const text = decisions.map(_decisionLine).join("") + rewards.map(_rewardLine).join("");
    const scanned = scanJournal(text, 2, 0);
    const a = database();
    try {
      fastCommitter(a.db)(scanned, 2, text.length);
      a.write(text);
      const joined = [...a.log.joined()];
      const same = (x: unknown, y: number): boolean => Object.is(x, y);
      expect(joined.filter((j, i) => !same(j.decision.probability, values[i]!)).length).toBe(0);
      expect(
        joined.filter((j, i) => !same(j.decision.defaultReward, values[values.length - 1 - i]!)).length,
      ).toBe(0);
      const [, , storedRewards] = dump(a.db) as Record<string, unknown>[][];
      const byId = new Map(storedRewards!.map((r) => [r.event_id, r.reward]));
      expect(values.filter((v, i) => !same(byId.get(`e${i}`), v)).length).toBe(0);
    } finally {
      a.close();
    }
  });

  it("leaves older and odd-looking lines to the parser: format-2 lines, empty numbers, other kinds", () => {
    const { scanJournal } = _journalFunctions();
    const d: _DecisionRow = {
      eventId: "e",
      session: 1,
      groupId: "e",
      context: "{}",
      allowed: null,
      action: "a",
      probability: 0.5,
      explored: false,
      decidedMs: 1,
      deadlineMs: 2,
      defaultReward: null,
    };
    const good = _decisionLine(d);
    for (const odd of [
      '[0,"e",1,"e",{},null,"a",0.5,0,1,2,null]\n',
      '[1,"e",0.5,1,null,3]\n',
      '[2,,null,"e",1,"e",{},null,"a",0,1,2]\n',
      '[2,0.5,x,"e",1,"e",{},null,"a",0,1,2]\n',
      '[3,NaN,"e",1,null,3]\n',
      '[4,0.5,"e"]\n',
      "\u0000\u0000\u0000\n",
      "[2,0.5]\n",
    ]) {
      const scanned = scanJournal(good + odd + good, 2, 0);
      expect([odd, scanned.rows, scanned.stop]).toEqual([odd, 1, good.length]);
    }
  });
});
