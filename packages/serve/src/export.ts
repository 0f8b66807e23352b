import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RlvrExample } from "@rlvr/dataset";
import { ServeError } from "./errors.js";
import { _DecisionLog, type _DecisionRow, type _RewardRow } from "./internal/_log.js";

/** Options of {@link exportDecisionLog} and {@link writeDecisionExport}. */
export interface ExportOptions {
  /** Folder of the decision log. */
  readonly log: string;
  /**
   * The time of the export, in milliseconds since the epoch: decisions whose wait time has not ended
   * by then and that have no reward yet are pending and left out.
   * @defaultValue `Date.now()`
   */
  readonly now?: number;
  /**
   * Reward of a decision that got none by the end of its wait time: a number in [0, 1] for every such
   * decision, `null` to leave them all out, `undefined` for the default reward each decision was
   * served with (the server's `defaultReward`, itself `null` unless set).
   * @defaultValue undefined
   */
  readonly defaultReward?: number | null;
  /**
   * The examples' `source`.
   * @defaultValue "rlvr-serve"
   */
  readonly source?: string;
}

/** What an export wrote. */
export interface ExportSummary {
  /** Decisions in the log. */
  readonly decisions: number;
  /** Examples written (rewarded + defaulted). */
  readonly examples: number;
  /** Examples with the reward their client posted. */
  readonly rewarded: number;
  /** Examples given the default reward (no reward by the end of the wait time). */
  readonly defaulted: number;
  /** Decisions left out: no reward by the end of the wait time and no default reward. */
  readonly omitted: number;
  /** Decisions left out because their wait time has not ended and they have no reward yet. */
  readonly pending: number;
}

/**
 * One decision as a dataset example (see docs/serving.md, "Export"): `id` the event id, `behaviorProb`
 * the probability the server drew the action with, `source` and metadata naming the checkpoint.
 */
function toExample(
  decision: _DecisionRow,
  reward: _RewardRow | { reward: number; verified: boolean; components: null },
  extra: { checkpoint: string; source: string; defaulted: boolean },
): RlvrExample {
  const example: RlvrExample = {
    id: decision.eventId,
    groupId: decision.groupId,
    context: JSON.parse(decision.context),
    action: decision.action,
    reward: reward.reward,
    verified: reward.verified,
    behaviorProb: decision.probability,
    source: extra.source,
    metadata: {
      checkpoint: extra.checkpoint,
      explored: decision.explored,
      decidedAt: new Date(decision.decidedMs).toISOString(),
      ...(extra.defaulted ? { defaultReward: true } : {}),
    },
  };
  if (reward.components !== null) example.rewards = JSON.parse(reward.components);
  if (decision.allowed !== null) example.allowedActions = JSON.parse(decision.allowed);
  return example;
}

/** Walk the joined log and hand each exported example to `emit`; returns the counts. */
function walk(options: ExportOptions, emit: (example: RlvrExample) => void): ExportSummary {
  const now = options.now ?? Date.now();
  const source = options.source ?? "rlvr-serve";
  if (typeof source !== "string" || source === "")
    throw new ServeError("INVALID_OPTIONS", "export: source must be a non-empty string");
  const override = options.defaultReward;
  if (override !== undefined && override !== null && !(override >= 0 && override <= 1))
    throw new ServeError(
      "INVALID_OPTIONS",
      `export: defaultReward must be in [0, 1] or null, got ${String(override)}`,
    );
  const log = _DecisionLog.open(options.log, false);
  const counts = { decisions: 0, rewarded: 0, defaulted: 0, omitted: 0, pending: 0 };
  try {
    const sessions = log.sessions();
    for (const { decision, reward } of log.joined()) {
      counts.decisions++;
      const checkpoint = sessions.get(decision.session)?.checkpoint ?? "";
      if (reward !== undefined) {
        counts.rewarded++;
        emit(toExample(decision, reward, { checkpoint, source, defaulted: false }));
        continue;
      }
      if (now <= decision.deadlineMs) {
        counts.pending++;
        continue;
      }
      const fallback = override === undefined ? decision.defaultReward : override;
      if (fallback === null) {
        counts.omitted++;
        continue;
      }
      counts.defaulted++;
      emit(
        toExample(
          decision,
          { reward: fallback, verified: false, components: null },
          { checkpoint, source, defaulted: true },
        ),
      );
    }
  } finally {
    log.closeReader();
  }
  return { ...counts, examples: counts.rewarded + counts.defaulted };
}

/**
 * The decision log joined with its rewards as dataset examples, in log order (see
 * {@link ExportOptions} for pending and unrewarded decisions). Throws `LOG_INVALID` when the folder
 * holds no decision log.
 * @param options - log folder, time, default reward
 */
export function exportDecisionLog(options: ExportOptions): {
  examples: RlvrExample[];
  summary: ExportSummary;
} {
  const examples: RlvrExample[] = [];
  const summary = walk(options, (e) => examples.push(e));
  return { examples, summary };
}

/**
 * Write {@link exportDecisionLog}'s examples to `out` as JSONL (one example per line, the native
 * format `rlvr-train run --dataset` reads), atomically: a temporary file beside it, flushed to disk,
 * then renamed. Throws `OUTPUT_WRITE_FAILED` when the file cannot be written.
 * @param options - the export options and the output file
 */
export function writeDecisionExport(options: ExportOptions & { readonly out: string }): ExportSummary {
  const out = options.out;
  const temp = join(dirname(out), `.${out.split(/[\\/]/).pop()}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, "w");
  } catch (error) {
    throw new ServeError(
      "OUTPUT_WRITE_FAILED",
      `${out}: cannot write the export: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let chunk: string[] = [];
  let size = 0;
  const drain = () => {
    writeSync(fd, chunk.join(""));
    chunk = [];
    size = 0;
  };
  try {
    const summary = walk(options, (example) => {
      const line = `${JSON.stringify(example)}\n`;
      chunk.push(line);
      size += line.length;
      if (size > 1 << 20) drain();
    });
    drain();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, out);
    return summary;
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    if (ServeError.is(error)) throw error;
    throw new ServeError(
      "OUTPUT_WRITE_FAILED",
      `${out}: cannot write the export: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
