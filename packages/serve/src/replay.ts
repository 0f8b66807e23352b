import type { RlvrContext } from "@rlvr/dataset";
import { ServeError } from "./errors.js";
import { checkExploration, decide } from "./exploration.js";
import { _checkpointFromBytes, type _ServedCheckpoint } from "./internal/_checkpoint.js";
import { _DecisionLog } from "./internal/_log.js";

/** A decision whose replay differs from the log. */
export interface ReplayMismatch {
  /** The decision's event id. */
  readonly eventId: string;
  /** What the log holds. */
  readonly logged: { readonly action: string; readonly probability: number };
  /** What the replay decided. */
  readonly replayed: { readonly action: string; readonly probability: number };
}

/** Result of {@link replayDecisionLog}. */
export interface ReplayResult {
  /** Decisions replayed. */
  readonly decisions: number;
  /** Decisions whose action or probability differs (empty when the log replays exactly). */
  readonly mismatches: readonly ReplayMismatch[];
}

/**
 * Re-decide every logged decision with the checkpoint, seed and exploration of its serving session
 * (the checkpoint bytes are stored in the log) and the event id's keyed draw, and compare the action
 * and its probability bit for bit with the log. Throws `LOG_INVALID` when the folder holds no
 * decision log.
 * @param log - folder of the decision log
 */
export function replayDecisionLog(log: string): ReplayResult {
  const db = _DecisionLog.open(log, false);
  try {
    const sessions = db.sessions();
    const checkpoints = new Map<string, _ServedCheckpoint>();
    const mismatches: ReplayMismatch[] = [];
    let decisions = 0;
    for (const { decision } of db.joined()) {
      decisions++;
      const session = sessions.get(decision.session);
      if (session === undefined)
        throw new ServeError(
          "LOG_INVALID",
          `${db.path}: decision ${decision.eventId} names an unknown session`,
        );
      let checkpoint = checkpoints.get(session.checkpoint);
      if (checkpoint === undefined) {
        const bytes = db.checkpointBytes(session.checkpoint);
        if (bytes === undefined)
          throw new ServeError(
            "LOG_INVALID",
            `${db.path}: checkpoint ${session.checkpoint} is not stored in the log`,
          );
        checkpoint = _checkpointFromBytes(bytes, `${db.path} (checkpoint ${session.checkpoint})`);
        checkpoints.set(session.checkpoint, checkpoint);
      }
      const replayed = decide(checkpoint.policy, JSON.parse(decision.context) as RlvrContext, {
        allowedActions: decision.allowed === null ? undefined : (JSON.parse(decision.allowed) as string[]),
        exploration: checkExploration(JSON.parse(session.exploration)),
        seed: session.seed,
        eventId: decision.eventId,
      });
      if (replayed.action !== decision.action || replayed.probability !== decision.probability) {
        mismatches.push({
          eventId: decision.eventId,
          logged: { action: decision.action, probability: decision.probability },
          replayed: { action: replayed.action, probability: replayed.probability },
        });
      }
    }
    return { decisions, mismatches };
  } finally {
    db.closeReader();
  }
}
