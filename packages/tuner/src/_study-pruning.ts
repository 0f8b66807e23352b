import type { StudyCore } from "./_study-core.js";
import type { Attempt, TrialRecord } from "./_trial-record.js";
import { TunerError } from "./errors.js";
import type { TrialChannel } from "./executor.js";

/**
 * What an objective's `trial.report` and `trial.shouldPrune` reach: the study, for this attempt of
 * this trial only (calls from an attempt that was interrupted are refused).
 */
export function channelFor(study: StudyCore, rec: TrialRecord, attempt: Attempt): TrialChannel {
  const current = () => {
    if (rec.attempt !== attempt && rec.state === "running") {
      throw new TunerError("TRIAL_FINISHED", `trial ${rec.number}: this attempt was interrupted`);
    }
  };
  return {
    report: (step, value) => {
      current();
      report(study, rec, step, value);
    },
    shouldPrune: () => {
      current();
      return shouldPrune(study, rec);
    },
  };
}

function assertRunning(rec: TrialRecord): void {
  if (rec.state !== "running") {
    throw new TunerError("TRIAL_FINISHED", `trial ${rec.number} has already finished (${rec.state})`);
  }
}

/** Records intermediate value `value` at `step` (steps increase; values are finite). */
function report(study: StudyCore, rec: TrialRecord, step: number, value: number): void {
  assertRunning(rec);
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TunerError(
      "INVALID_REPORT",
      `trial ${rec.number}: a reported step must be a non-negative integer, got ${String(step)}`,
    );
  }
  const last = rec.intermediate[rec.intermediate.length - 1];
  if (last !== undefined && step <= last.step) {
    throw new TunerError(
      "INVALID_REPORT",
      `trial ${rec.number}: reported step ${step} is not after the last reported step ${last.step} (steps must increase)`,
    );
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TunerError(
      "INVALID_REPORT",
      `trial ${rec.number}: the value reported at step ${step} must be a finite number, got ${String(value)}`,
    );
  }
  rec.intermediate.push(Object.freeze({ step, value }));
  if (!study.closed) study.storage.append({ type: "report", number: rec.number, step, value }, false);
}

/** The pruner's verdict on the trial's reports so far, against the trials visible to it. */
function shouldPrune(study: StudyCore, rec: TrialRecord): boolean {
  assertRunning(rec);
  if (rec.intermediate.length === 0) return false;
  return study.config.pruner.prune({
    number: rec.number,
    direction: study.config.direction,
    intermediateValues: rec.intermediate.slice(),
    history: rec.history ?? study.book.historyFor(rec.number),
  });
}
