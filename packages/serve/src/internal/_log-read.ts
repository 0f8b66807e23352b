import { _journalGens, _readJournal, _rowsOf } from "./_journal.js";
import type { _JournalLines } from "./_journal-lines.js";
import { type _Db, _decisionOf, _indexedPosition } from "./_log-db.js";
import type { _DecisionRow, _RewardRow } from "./_rows.js";

// What a reader of the decision log (export, replay) sees: the decisions in log order with their
// rewards, from the database, the journal lines it indexes, and the journal lines past the index.

/** Rows a reader found in the journal past what the database held when its snapshot was taken. @internal */
export interface _Tail {
  readonly decisions: _DecisionRow[];
  readonly rewards: Map<string, _RewardRow>;
}

/**
 * The journal's records past the indexed position, read before the snapshot is taken; then the
 * snapshot (a transaction left open on `db` for every later read), and the rows it already holds
 * dropped from what was read.
 * @internal
 */
export function _readTail(dir: string, db: _Db): _Tail {
  const from = _indexedPosition(db);
  const found: ReturnType<typeof _rowsOf>[] = [];
  for (const gen of _journalGens(dir)) {
    if (gen < from.gen) continue;
    try {
      found.push(_rowsOf(_readJournal(dir, gen, gen === from.gen ? from.offset : 0, false), gen));
    } catch (error) {
      // removed meanwhile (a server upgrading a version-4 log removes the files it had copied
      // whole): the snapshot below holds its rows
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  db.exec("BEGIN");
  const at = _indexedPosition(db);
  const after = (p: { gen: number; end: number }): boolean =>
    p.gen > at.gen || (p.gen === at.gen && p.end > at.offset);
  const decisions: _DecisionRow[] = [];
  const rewards = new Map<string, _RewardRow>();
  for (const part of found) {
    for (const d of part.decisions) if (after(d)) decisions.push(d.row);
    for (const r of part.rewards)
      if (after(r) && !rewards.has(r.row.eventId)) rewards.set(r.row.eventId, r.row);
  }
  return { decisions, rewards };
}

const REWARD_COLUMNS =
  "r.reward AS r_reward, r.verified AS r_verified, r.components AS r_components, r.rewarded_ms AS r_ms";

/**
 * Every decision in log order (those a log of version 4 or older copied whole, those indexed in the
 * journal when the log has positions, then the tail's), with its reward when it has one.
 * @internal
 */
export function* _joinedRows(
  db: _Db,
  source: { lines: _JournalLines; positions: boolean; tail: _Tail | undefined },
): Generator<{ decision: _DecisionRow; reward: _RewardRow | undefined }> {
  const { lines, tail } = source;
  const reward = (r: Record<string, unknown>, eventId: string): _RewardRow | undefined =>
    r.r_reward === null || r.r_reward === undefined
      ? tail?.rewards.get(eventId)
      : {
          eventId,
          reward: r.r_reward as number,
          verified: Number(r.r_verified) === 1,
          components: (r.r_components as string | null) ?? null,
          rewardedMs: Number(r.r_ms),
        };
  const copied = db
    .prepare(
      `SELECT d.*, ${REWARD_COLUMNS} FROM decisions d LEFT JOIN rewards r ON r.event_id = d.event_id ORDER BY d.seq`,
    )
    .iterate() as Iterable<Record<string, unknown>>;
  for (const r of copied) {
    const decision = _decisionOf(r);
    yield { decision, reward: reward(r, decision.eventId) };
  }
  if (source.positions) {
    // a decision copied whole keeps its place if the journal repeats its id (the server refuses that)
    const indexed = db
      .prepare(
        `SELECT x.gen, x.at, x.event_id, ${REWARD_COLUMNS} FROM (SELECT gen, at, '_' || session || '.' || n AS event_id FROM generated_decisions UNION ALL SELECT gen, at, event_id FROM client_decisions) x LEFT JOIN rewards r ON r.event_id = x.event_id WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.event_id = x.event_id) ORDER BY x.gen, x.at`,
      )
      .iterate() as Iterable<Record<string, unknown>>;
    for (const r of indexed) {
      const eventId = r.event_id as string;
      yield { decision: lines.decision(Number(r.gen), Number(r.at), eventId), reward: reward(r, eventId) };
    }
  }
  for (const decision of tail?.decisions ?? [])
    yield { decision, reward: tail?.rewards.get(decision.eventId) };
}

/**
 * Counts of decisions and rewards: in the database (its positions too when the log has them) and
 * in the tail.
 * @internal
 */
export function _countRows(
  db: _Db,
  positions: boolean,
  tail: _Tail | undefined,
): { decisions: number; rewards: number } {
  const count = (table: string): number =>
    Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  const indexed = positions ? count("generated_decisions") + count("client_decisions") : 0;
  return {
    decisions: count("decisions") + indexed + (tail?.decisions.length ?? 0),
    rewards: count("rewards") + (tail?.rewards.size ?? 0),
  };
}
