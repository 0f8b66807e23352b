import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ServeError } from "../errors.js";
import { _DecisionLog, type _DecisionRow } from "./_log.js";

const root = mkdtempSync(join(tmpdir(), "rlvr-serve-log-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHECKPOINT = { digest: "sha256:test", bytes: new Uint8Array([1, 2, 3]) };

function row(i: number, session: number): _DecisionRow {
  return {
    eventId: `_${session}.${i}`,
    session,
    groupId: `g${i % 7}`,
    context: JSON.stringify({ prompt: `prompt ${i} \u00e9\ud83d\ude00`, features: { i } }),
    allowed: i % 3 === 0 ? JSON.stringify(["a", "b"]) : null,
    action: i % 2 === 0 ? "a" : "b",
    probability: 1 / (i + 2),
    explored: i % 5 === 0,
    decidedMs: 1_000 + i,
    deadlineMs: 2_000 + i,
    defaultReward: i % 4 === 0 ? 0.25 : null,
  };
}

function openLog(name: string, fsync: boolean): { log: _DecisionLog; session: number } {
  const log = _DecisionLog.open(join(root, name), true);
  log.fsync = fsync;
  return { log, session: log.startSession(CHECKPOINT, 1, "{}", 0) };
}

describe.each([
  ["disk (writer thread, fsync)", true],
  ["process (writer thread, no fsync)", false],
])("the decision log's group commit, durability %s", (_name, fsync) => {
  it("commits batches of any size (multi-row inserts) with every value intact, in order", async () => {
    const { log, session } = openLog(`sizes-${fsync}`, fsync);
    // one batch of 301 decisions and 101 rewards (statements of 64 rows and the rest), then batches of 1 to 5
    const rows = Array.from({ length: 301 }, (_, i) => row(i, session));
    const rewards = rows.slice(0, 101).map((d, i) => ({
      eventId: d.eventId,
      reward: i / 100,
      verified: i % 2 === 0,
      components: i % 3 === 0 ? JSON.stringify({ ok: i }) : null,
      rewardedMs: 3_000 + i,
    }));
    await Promise.all([
      ...rows.map((d) => log.appendDecision(d)),
      ...rewards.map((r) => log.appendReward(r)),
    ]);
    for (let size = 1; size <= 5; size++) {
      const more = Array.from({ length: size }, (_, k) => row(1000 + size * 10 + k, session));
      rows.push(...more);
      await Promise.all(more.map((d) => log.appendDecision(d)));
    }
    const joined = [...log.joined()];
    expect(joined.map((j) => j.decision)).toEqual(rows);
    expect(joined.slice(0, 101).map((j) => j.reward)).toEqual(rewards);
    expect(joined.slice(101).every((j) => j.reward === undefined)).toBe(true);
    expect(log.counts()).toEqual({ decisions: rows.length, rewards: rewards.length });
    await log.close();
  });

  it(`commits with synchronous ${fsync ? "FULL (an fsync per commit)" : "NORMAL (no fsync)"}`, async () => {
    const { log, session } = openLog(`sync-${fsync}`, fsync);
    await log.appendDecision(row(0, session));
    expect(log.writerSynchronous).toBe(fsync ? 2 : 1);
    await log.close();
  });

  it("fails a whole batch together when its transaction fails, and commits the next one", async () => {
    const { log, session } = openLog(`failing-${fsync}`, fsync);
    await log.appendDecision(row(0, session));
    const again = { ...row(0, session), groupId: "other" }; // the same event id: UNIQUE fails
    const results = await Promise.allSettled([
      log.appendDecision(row(1, session)),
      log.appendDecision(again),
    ]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason as ServeError;
      expect(ServeError.is(reason) && reason.code).toBe("LOG_WRITE_FAILED");
    }
    expect(log.find(row(1, session).eventId)).toBeUndefined();
    await log.appendDecision(row(2, session));
    expect([...log.joined()].map((j) => j.decision.eventId)).toEqual([
      row(0, session).eventId,
      row(2, session).eventId,
    ]);
    await log.close();
  });
});

it("with durability disk, commits the batches waiting for the writer together, each all or nothing", async () => {
  const { log, session } = openLog("merged", true);
  // one batch per event-loop turn: the first two wait in the writer's port while its thread starts
  // (two in flight at most), the next ones gather into a third batch meanwhile
  const rows = Array.from({ length: 10 }, (_, i) => row(i, session));
  const duplicate = { ...row(0, session), groupId: "other" }; // the second batch repeats the first's event id
  const turns = [[rows[0]!, rows[1]!], [rows[2]!, duplicate], [rows[3]!], [rows[4]!, rows[5]!]];
  const results: Promise<void>[][] = [];
  for (const turn of turns) {
    results.push(turn.map((d) => log.appendDecision(d)));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const settled = await Promise.all(results.map((r) => Promise.allSettled(r)));
  expect(settled.map((batch) => batch.map((r) => r.status))).toEqual([
    ["fulfilled", "fulfilled"],
    ["rejected", "rejected"],
    ["fulfilled"],
    ["fulfilled", "fulfilled"],
  ]);
  expect([...log.joined()].map((j) => j.decision)).toEqual([rows[0], rows[1], rows[3], rows[4], rows[5]]);
  expect(log.transactions).toBe(2); // the first two batches in one transaction, the gathered third in another
  await log.close();
});
