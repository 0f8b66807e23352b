import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ServeError } from "../errors.js";
import { _decisionLine } from "./_journal.js";
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
  ["disk (fdatasync per write)", true],
  ["process (no fsync)", false],
])("the decision log, durability %s", (_name, fsync) => {
  it("keeps batches of any size with every value intact, in order, in the journal and then the database", async () => {
    const { log, session } = openLog(`sizes-${fsync}`, fsync);
    // one turn of 301 decisions and 101 rewards (statements of 64 rows and the rest), then turns of 1 to 5
    const rows = Array.from({ length: 301 }, (_, i) => row(i, session));
    const rewards = rows.slice(0, 101).map((d, i) => ({
      eventId: d.eventId,
      reward: i / 100,
      verified: i % 2 === 0,
      components: i % 3 === 0 ? JSON.stringify({ ok: i, s: '\u00e9"' }) : null,
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
    // acknowledged: a reader sees every row now, indexed or still in the journal
    const reader = _DecisionLog.open(join(root, `sizes-${fsync}`), false);
    expect([...reader.joined()].map((j) => j.decision)).toEqual(rows);
    expect(reader.counts()).toEqual({ decisions: rows.length, rewards: rewards.length });
    reader.closeReader();
    expect(log.rewardState(rows[0]!.eventId)).toEqual({ deadlineMs: rows[0]!.deadlineMs, rewarded: true });
    await log.whenIndexed();
    expect(log.find(rows[0]!.eventId)).toEqual({ row: rows[0], rewarded: true });
    expect(log.find(rows[300]!.eventId)).toEqual({ row: rows[300], rewarded: false });
    expect(log.rewardState(rows[300]!.eventId)).toEqual({
      deadlineMs: rows[300]!.deadlineMs,
      rewarded: false,
    });
    const joined = [...log.joined()];
    expect(joined.map((j) => j.decision)).toEqual(rows);
    expect(joined.slice(0, 101).map((j) => j.reward)).toEqual(rewards);
    expect(joined.slice(101).every((j) => j.reward === undefined)).toBe(true);
    expect(log.counts()).toEqual({ decisions: rows.length, rewards: rewards.length });
    await log.close();
    // the journal holds the decisions for good, without the zeros laid ahead of its end
    const dir = join(root, `sizes-${fsync}`);
    expect(journals(dir)).toEqual(["journal-000002.jsonl"]);
    expect(readFileSync(join(dir, "journal-000002.jsonl")).indexOf(0)).toBe(-1);
    const after = _DecisionLog.open(dir, false);
    expect([...after.joined()].map((j) => [j.decision, j.reward])).toEqual(
      joined.map((j) => [j.decision, j.reward]),
    );
    after.closeReader();
  });

  it("starts a new journal file at the rotation size and keeps every one", async () => {
    const dir = join(root, `rotate-${fsync}`);
    const log = _DecisionLog.open(dir, true);
    log.fsync = fsync;
    log.rotateBytes = 2_000;
    const session = log.startSession(CHECKPOINT, 1, "{}", 0);
    const rows = Array.from({ length: 120 }, (_, i) => row(i, session));
    for (let i = 0; i < rows.length; i += 6)
      await Promise.all(rows.slice(i, i + 6).map((d) => log.appendDecision(d)));
    await log.whenIndexed();
    // 120 lines of about 115 bytes in files of 2 000 (a new one starts at the first write past the
    // size): generation 2 (the first) and at least 5 more, every one kept (they hold the decisions)
    const kept = journals(dir);
    expect(kept.length).toBeGreaterThanOrEqual(6);
    expect(kept).toEqual(kept.map((_, i) => `journal-${String(i + 2).padStart(6, "0")}.jsonl`));
    expect([...log.joined()].map((j) => j.decision)).toEqual(rows);
    expect(log.find(rows[119]!.eventId)?.row).toEqual(rows[119]);
    await log.close();
    expect(journals(dir)).toEqual(kept);
    const reader = _DecisionLog.open(dir, false);
    expect([...reader.joined()].map((j) => j.decision)).toEqual(rows);
    reader.closeReader();
  });
});

function journals(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith("journal-"));
}

/** A decision's journal line as log format 2 wrote it (read, never written now). */
const line = (d: _DecisionRow): string =>
  `${JSON.stringify([0, d.eventId, d.session, d.groupId, JSON.parse(d.context), d.allowed === null ? null : JSON.parse(d.allowed), d.action, d.probability, d.explored ? 1 : 0, d.decidedMs, d.deadlineMs, d.defaultReward])}\n`;

it("reads a journal a crashed server left (format-2 and format-3 lines): readers see it, the next server indexes it and drops a torn last line", async () => {
  const dir = join(root, "crashed");
  const { log, session } = openLog("crashed", false);
  await log.appendDecision(row(0, session));
  await log.close(); // journal generation 2 indexed (and kept); the next server appends to 3
  // what a server killed before indexing leaves: two generations, the last one torn mid-line
  const rows = [1, 2, 3, 4].map((i) => row(i, session));
  writeFileSync(join(dir, "journal-000003.jsonl"), line(rows[0]!) + line(rows[1]!));
  writeFileSync(
    join(dir, "journal-000004.jsonl"),
    `${_decisionLine(rows[2]!)}${_decisionLine(rows[3]!)}[2,0.5,null,"_1.9",1,"g`,
  );
  const reader = _DecisionLog.open(dir, false);
  expect([...reader.joined()].map((j) => j.decision)).toEqual([row(0, session), ...rows]);
  reader.closeReader();
  expect(journals(dir).length).toBe(3); // readers change nothing
  const next = _DecisionLog.open(dir, true);
  expect(journals(dir).length).toBe(3); // indexed, kept
  expect([...next.joined()].map((j) => j.decision)).toEqual([row(0, session), ...rows]);
  await next.close();
});

it("refuses a journal with a line that is not a record before its last line (LOG_INVALID, file and byte)", () => {
  const dir = join(root, "corrupt");
  const { log } = openLog("corrupt", false);
  log.closeReader();
  writeFileSync(join(dir, "journal-000002.jsonl"), `${line(row(1, 1))}not a record\n${line(row(2, 1))}`);
  writeFileSync(join(dir, "journal-000003.jsonl"), line(row(3, 1)));
  const error = (() => {
    try {
      _DecisionLog.open(dir, true);
    } catch (e) {
      return e as ServeError;
    }
    return undefined;
  })();
  expect(error?.code).toBe("LOG_INVALID");
  expect(error?.message).toMatch(
    /journal-000002\.jsonl: the line at byte \d+ is not a decision or reward record/,
  );
});

it("reports a line of the live journal that SQLite cannot read, after indexing the rows before it", async () => {
  const dir = join(root, "live-corrupt");
  const { log, session } = openLog("live-corrupt", false);
  await log.appendDecision(row(0, session));
  await log.whenIndexed();
  // looks like a format-3 decision to the fast path, but its JSON is broken
  // written where the records end: at the first of the zeros laid ahead of the journal's end
  const journal = join(dir, "journal-000002.jsonl");
  const end = readFileSync(journal).indexOf(0);
  const fd = openSync(journal, "r+");
  writeSync(fd, `${_decisionLine(row(1, session))}[2,0.5,null,"x",1,{]\n`, end < 0 ? undefined : end);
  closeSync(fd);
  const until = Date.now() + 10_000;
  while (!log.stats().indexerFailing && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(log.stats().indexerFailing).toBe(true);
  const reader = _DecisionLog.open(dir, false);
  const indexed = (reader as unknown as { db: { prepare(s: string): { all(): { event_id: string }[] } } }).db
    .prepare("SELECT '_' || session || '.' || n AS event_id FROM generated_decisions ORDER BY gen, at")
    .all()
    .map((r) => r.event_id);
  reader.closeReader();
  expect(indexed).toEqual([row(0, session).eventId, row(1, session).eventId]);
  await log.close().catch(() => undefined);
});

it("writes the journal over zeros laid ahead of its end", async () => {
  const dir = join(root, "zeros");
  const { log, session } = openLog("zeros", false);
  log.rotateBytes = 200_000; // zeros laid 64 KiB to 200 KiB at a time
  await log.appendDecision(row(0, session));
  // the first write grew the file and started laying zeros after it: this one waits for them
  await log.appendDecision(row(1, session));
  const journal = join(dir, readdirSync(dir).find((name) => name.startsWith("journal-"))!);
  const laid = Buffer.byteLength(_decisionLine(row(0, session))) + 200_000;
  for (const until = Date.now() + 10_000; statSync(journal).size < laid && Date.now() < until; )
    await new Promise((r) => setTimeout(r, 10));
  const bytes = readFileSync(journal);
  const lines = Buffer.from(_decisionLine(row(0, session)) + _decisionLine(row(1, session)));
  expect(bytes.subarray(0, lines.length).equals(lines)).toBe(true);
  expect(bytes.length).toBe(laid);
  expect(bytes.subarray(lines.length).every((b) => b === 0)).toBe(true);
  await log.whenIndexed();
  expect([...log.joined()].map((j) => j.decision)).toEqual([row(0, session), row(1, session)]);
  await log.close();
});

it.runIf(process.platform === "linux")(
  "closes every journal file it moved on from, zeros still being laid in it or not",
  async () => {
    const dir = join(root, "rotate-fast");
    const { log, session } = openLog("rotate-fast", false);
    log.rotateBytes = 100; // every turn's write starts a new file, often while zeros are being laid
    const appended: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      appended.push(log.appendDecision(row(i, session)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(appended);
    await log.whenIndexed();
    await log.close();
    const open = readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(dir, "journal-"));
      } catch {
        return false;
      }
    });
    expect(open).toEqual([]);
  },
);

it("reads a journal's records up to its first zero byte (a machine crash may leave records after zeros)", async () => {
  const dir = join(root, "hole");
  const { log, session } = openLog("hole", false);
  log.closeReader();
  // never acknowledged: what follows the first zero (with fsync, only unacknowledged writes can be
  // missing, so everything acknowledged comes before it)
  const zeros = "\0".repeat(4096);
  writeFileSync(
    join(dir, "journal-000002.jsonl"),
    line(row(1, session)) + zeros + line(row(2, session)) + line(row(3, session)) + zeros,
  );
  writeFileSync(join(dir, "journal-000003.jsonl"), line(row(4, session)) + zeros);
  const next = _DecisionLog.open(dir, true);
  expect([...next.joined()].map((j) => j.decision)).toEqual([row(1, session), row(4, session)]);
  await next.close();
});

it("keeps the first record of an event id when the journal repeats one", async () => {
  const dir = join(root, "repeated");
  const { log, session } = openLog("repeated", false);
  log.closeReader();
  writeFileSync(
    join(dir, "journal-000002.jsonl"),
    line(row(1, session)) + line({ ...row(1, session), groupId: "other" }),
  );
  const next = _DecisionLog.open(dir, true);
  expect([...next.joined()].map((j) => j.decision)).toEqual([row(1, session)]);
  await next.close();
});

it("fails only the batch whose journal write fails, forgets its rows, and keeps appending", async () => {
  const dir = join(root, "write-fails");
  const { log, session } = openLog("write-fails", false);
  await log.appendDecision(row(0, session));
  // the next write goes to a descriptor opened for reading: write(2) fails with EBADF
  const appender = (log as unknown as { appender: { fd: number } }).appender;
  const good = appender.fd;
  appender.fd = openSync(join(dir, "journal-000002.jsonl"), "r");
  const failed = await Promise.allSettled([
    log.appendDecision(row(1, session)),
    log.appendDecision(row(2, session)),
  ]);
  closeSync(appender.fd);
  appender.fd = good;
  for (const r of failed) {
    expect(r.status).toBe("rejected");
    const reason = (r as PromiseRejectedResult).reason as ServeError;
    expect([ServeError.is(reason), reason.code]).toEqual([true, "LOG_WRITE_FAILED"]);
    expect(reason.message).toMatch(/the decision log could not write: .*EBADF/);
  }
  expect(log.find(row(1, session).eventId)).toBeUndefined();
  expect(log.rewardState(row(1, session).eventId)).toBeUndefined();
  await log.appendDecision(row(3, session));
  await log.whenIndexed();
  expect([...log.joined()].map((j) => j.decision)).toEqual([row(0, session), row(3, session)]);
  await log.close();
});

it("keeps a written decision of a generated id as its reward deadline, a client id's as the row", async () => {
  const { log, session } = openLog("compact", false);
  const generated = row(1, session);
  const client = { ...row(2, session), eventId: "client-2", groupId: "client-2" };
  await Promise.all([log.appendDecision(generated), log.appendDecision(client)]);
  const pending = (log as unknown as { pending: { decisions: Map<string, unknown> } }).pending.decisions;
  expect(pending.get(generated.eventId)).toBe(generated.deadlineMs);
  expect(pending.get(client.eventId)).toBe(client);
  expect(log.rewardState(generated.eventId)).toEqual({ deadlineMs: generated.deadlineMs, rewarded: false });
  expect(log.rewardState(client.eventId)).toEqual({ deadlineMs: client.deadlineMs, rewarded: false });
  expect(log.rewardState("_9.9")).toBeUndefined();
  expect(log.find(client.eventId)).toEqual({ row: client, rewarded: false });
  expect(() => log.find(generated.eventId)).toThrow(/in the journal and not yet indexed/);
  // a generated id's row comes back from the database once indexed
  await log.whenIndexed();
  expect(pending.size).toBe(0);
  expect(log.find(generated.eventId)).toEqual({ row: generated, rewarded: false });
  await log.appendReward({
    eventId: generated.eventId,
    reward: 1,
    verified: true,
    components: null,
    rewardedMs: 5,
  });
  expect(log.rewardState(generated.eventId)).toEqual({ deadlineMs: generated.deadlineMs, rewarded: true });
  await log.close();
});

it("holds a decision under an event id it generated as a number until indexed", async () => {
  const { log, session } = openLog("generated", false);
  const id0 = log.newEventId();
  const d0 = { ...row(0, session), eventId: id0, groupId: id0 };
  await log.appendDecision(d0);
  log.newEventId(); // handed out, its decision never appended
  const id2 = log.newEventId();
  const d2 = { ...row(2, session), eventId: id2, groupId: id2 };
  await log.appendDecision(d2);
  expect([id0, id2]).toEqual([`_${session}.0`, `_${session}.2`]);
  const pending = (log as unknown as { pending: { decisions: Map<string, unknown> } }).pending.decisions;
  expect(pending.size).toBe(0); // in the ring, not the map
  expect(log.rewardState(id0)).toEqual({ deadlineMs: d0.deadlineMs, rewarded: false });
  expect(log.rewardState(`_${session}.1`)).toBeUndefined();
  expect(log.rewardState(`_${session}.01`)).toBeUndefined();
  expect(() => log.find(id2)).toThrow(/not yet indexed/);
  await log.whenIndexed();
  expect(log.stats().unindexed).toBe(0);
  expect(log.find(id2)).toEqual({ row: d2, rewarded: false });
  expect(log.rewardState(id0)).toEqual({ deadlineMs: d0.deadlineMs, rewarded: false });
  await log.close();
});

it("holds appends past the backlog bound until the indexer has brought it down to half", async () => {
  const { log, session } = openLog("backlog", false);
  log.maxUnindexedRows = 8;
  const rows = Array.from({ length: 40 }, (_, i) => row(i, session));
  const seen: number[] = [];
  await Promise.all(
    rows.map((d, i) =>
      log.appendDecision(d).then(() => {
        seen[i] = log.stats().unindexed;
      }),
    ),
  );
  // the first eight fit: acknowledged once written, before the indexer took any of the forty
  expect(seen.slice(0, 8)).toEqual(Array(8).fill(40));
  // the rest waited until at most four were left unindexed
  expect(seen.slice(8).every((n) => n <= 4)).toBe(true);
  expect([...log.joined()].map((j) => j.decision)).toEqual(rows);
  await log.close();
});

it.runIf(process.platform === "linux")(
  "runs the indexer thread at the lowest CPU priority (nice 19)",
  async () => {
    const { log, session } = openLog("nice", false);
    // the threads of this process at nice 19 (another test's indexer may still be ending)
    const niced = (): string[] =>
      readdirSync("/proc/self/task").filter((tid) => {
        try {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
          return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16] === "19";
        } catch {
          return false; // the thread ended meanwhile
        }
      });
    const before = niced();
    await log.appendDecision(row(0, session));
    await log.whenIndexed();
    expect(niced().filter((tid) => !before.includes(tid))).toHaveLength(1);
    await log.close();
  },
);

type Db = { exec(sql: string): void; prepare(sql: string): { run(...values: unknown[]): void } };

it("reads and upgrades a version-4 log: its decisions stay in the database, its leftover journal is indexed and kept", async () => {
  const dir = join(root, "v4");
  const { log, session } = openLog("v4", false);
  // what a version-4 server killed under load leaves: decisions 0-2 copied whole, their journal
  // file not yet removed, and decisions 3-4 in the next journal file, not yet copied
  const db = (log as unknown as { db: Db }).db;
  db.exec("DROP TABLE generated_decisions; DROP TABLE client_decisions");
  db.exec("UPDATE meta SET value = '4' WHERE key = 'version'");
  const copy = db.prepare(
    "INSERT INTO decisions (event_id, session, group_id, context, allowed, action, probability, explored, decided_ms, deadline_ms, default_reward) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const rows = [0, 1, 2, 3, 4].map((i) => row(i, session));
  for (const d of rows.slice(0, 3))
    copy.run(
      d.eventId,
      d.session,
      d.groupId,
      d.context,
      d.allowed,
      d.action,
      d.probability,
      d.explored ? 1 : 0,
      d.decidedMs,
      d.deadlineMs,
      d.defaultReward,
    );
  db.prepare(
    "INSERT INTO rewards (event_id, reward, verified, components, rewarded_ms) VALUES (?, 1, 1, NULL, 7)",
  ).run(rows[0]!.eventId);
  db.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal', '3:0')");
  log.closeReader();
  writeFileSync(join(dir, "journal-000002.jsonl"), rows.slice(0, 3).map(_decisionLine).join(""));
  writeFileSync(join(dir, "journal-000003.jsonl"), rows.slice(3).map(_decisionLine).join(""));
  const rewarded = { eventId: rows[0]!.eventId, reward: 1, verified: true, components: null, rewardedMs: 7 };
  const expected = rows.map((d, i) => [d, i === 0 ? rewarded : undefined]);

  const reader = _DecisionLog.open(dir, false); // reads it as it is, changes nothing
  expect([...reader.joined()].map((j) => [j.decision, j.reward])).toEqual(expected);
  expect(reader.counts()).toEqual({ decisions: 5, rewards: 1 });
  reader.closeReader();
  expect(journals(dir)).toEqual(["journal-000002.jsonl", "journal-000003.jsonl"]);

  const next = _DecisionLog.open(dir, true);
  expect(journals(dir)).toEqual(["journal-000003.jsonl"]); // the file copied whole goes
  expect(next.find(rows[1]!.eventId)).toEqual({ row: rows[1], rewarded: false });
  expect(next.find(rows[3]!.eventId)).toEqual({ row: rows[3], rewarded: false }); // read from the journal
  expect(next.rewardState(rows[0]!.eventId)).toEqual({ deadlineMs: rows[0]!.deadlineMs, rewarded: true });
  expect(next.rewardState(rows[4]!.eventId)).toEqual({ deadlineMs: rows[4]!.deadlineMs, rewarded: false });
  const more = row(5, session);
  await next.appendDecision(more);
  await next.close();
  const after = _DecisionLog.open(dir, false);
  expect([...after.joined()].map((j) => [j.decision, j.reward])).toEqual([...expected, [more, undefined]]);
  after.closeReader();
  expect(journals(dir)).toEqual(["journal-000003.jsonl", "journal-000004.jsonl"]);
});

it("refuses to read a decision whose journal line was changed after it was indexed (LOG_INVALID, file and byte)", async () => {
  const dir = join(root, "changed");
  const { log, session } = openLog("changed", false);
  await log.appendDecision(row(0, session));
  await log.appendDecision(row(1, session));
  await log.close();
  const journal = join(dir, "journal-000002.jsonl");
  const second = Buffer.byteLength(_decisionLine(row(0, session)));
  const fd = openSync(journal, "r+");
  writeSync(fd, "x", second + 1);
  closeSync(fd);
  const reader = _DecisionLog.open(dir, false);
  expect(() => [...reader.joined()]).toThrow(
    new RegExp(`journal-000002\\.jsonl: the line at byte ${second} is not the decision "_${session}\\.1"`),
  );
  expect(reader.find(row(0, session).eventId)?.row).toEqual(row(0, session));
  expect(() => reader.find(row(1, session).eventId)).toThrow(/is not the decision/);
  reader.closeReader();
});
