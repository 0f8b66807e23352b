// The decision log's rows, shared by the database side (_log.ts) and the journal (_journal.ts).

/** A decision as the log stores it (context and allowed actions as the JSON text of the request). */
export interface _DecisionRow {
  readonly eventId: string;
  readonly session: number;
  readonly groupId: string;
  readonly context: string;
  readonly allowed: string | null;
  readonly action: string;
  readonly probability: number;
  readonly explored: boolean;
  readonly decidedMs: number;
  readonly deadlineMs: number;
  readonly defaultReward: number | null;
}

/** A reward as the log stores it. */
export interface _RewardRow {
  readonly eventId: string;
  readonly reward: number;
  readonly verified: boolean;
  readonly components: string | null;
  readonly rewardedMs: number;
}

/** A logged decision and whether it has a reward. */
export interface _DecisionState {
  readonly row: _DecisionRow;
  readonly rewarded: boolean;
}

/** What the reward endpoint needs to know about a decision. */
export interface _RewardState {
  readonly deadlineMs: number;
  readonly rewarded: boolean;
}

/** A serving session: the checkpoint, seed and exploration in force from a start or reload on. */
export interface _SessionRow {
  readonly id: number;
  readonly checkpoint: string;
  readonly seed: number;
  readonly exploration: string;
}
