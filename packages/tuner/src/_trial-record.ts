import type { Params } from "./search-space.js";
import type { FrozenTrial, IntermediateValue, TrialErrorInfo, TrialState } from "./trial.js";

/** One run of a trial: `ask()` (the caller tells) or `optimize` (interrupted if still running at its end). */
export interface Attempt {
  readonly owner: "ask" | "optimize";
  readonly controller: AbortController;
}

/** A trial's mutable state inside a study. */
export interface TrialRecord {
  readonly number: number;
  readonly seed: number;
  readonly params: Params;
  state: TrialState;
  value: number | undefined;
  intermediate: IntermediateValue[];
  error: TrialErrorInfo | undefined;
  durationMs: number | undefined;
  attempts: number;
  frozen: FrozenTrial | undefined;
  /** Visible finished trials (fixed at ask/retry time). */
  history: readonly FrozenTrial[] | undefined;
  startedAt: number;
  /** The current attempt: reports and pruning questions from another (stale) attempt are refused. */
  attempt: Attempt | undefined;
}

/** A running trial's record, first attempt. */
export function newRecord(number: number, seed: number, params: Params): TrialRecord {
  return {
    number,
    seed,
    params,
    state: "running",
    value: undefined,
    intermediate: [],
    error: undefined,
    durationMs: undefined,
    attempts: 1,
    frozen: undefined,
    history: undefined,
    startedAt: performance.now(),
    attempt: undefined,
  };
}

/** The public, frozen snapshot of a record (optional fields only when set). */
export function freezeRecord(rec: TrialRecord): FrozenTrial {
  const out: {
    number: number;
    state: TrialState;
    params: Params;
    seed: number;
    value?: number;
    intermediateValues: readonly IntermediateValue[];
    error?: TrialErrorInfo;
    durationMs?: number;
    attempts: number;
  } = {
    number: rec.number,
    state: rec.state,
    params: rec.params,
    seed: rec.seed,
    intermediateValues: Object.freeze(rec.intermediate.slice()),
    attempts: rec.attempts,
  };
  if (rec.value !== undefined) out.value = rec.value;
  if (rec.error !== undefined) out.error = rec.error;
  if (rec.durationMs !== undefined) out.durationMs = rec.durationMs;
  return Object.freeze(out);
}

/** The error recorded for a trial that was running when its process stopped and is not retried. */
export function interruptedError(rec: TrialRecord): TrialErrorInfo {
  return Object.freeze({
    name: "TunerError",
    code: "TRIAL_INTERRUPTED",
    message: `trial ${rec.number} was running when its process stopped (attempt ${rec.attempts})`,
  });
}
