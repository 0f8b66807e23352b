import type { ScheduleConfig } from "../config-schema.js";

/** A schedule over a planned number of steps. */
export interface PlannedSchedule {
  /** Peak learning rate. */
  readonly peak: number;
  readonly schedule: ScheduleConfig;
  /** Optimizer steps planned. */
  readonly totalSteps: number;
}

/**
 * Learning rate at optimizer step `step` (1-based) of `totalSteps`: linear warm-up
 * lr · step / warmup for step ≤ warmup, then with progress p = (step − warmup − 1) / (total − warmup)
 * in [0, 1): constant lr; linear lr · (f + (1 − f)(1 − p)); cosine lr · (f + (1 − f) · (1 + cos πp) / 2),
 * f = minLearningRateRatio. Steps beyond `totalSteps` (never planned) use p = 1.
 */
export function learningRateAt(planned: PlannedSchedule, step: number): number {
  const { peak, schedule, totalSteps } = planned;
  const warmup = schedule.warmupSteps;
  if (warmup > 0 && step <= warmup) return (peak * step) / warmup;
  if (schedule.kind === "constant") return peak;
  const span = Math.max(1, totalSteps - warmup);
  const p = Math.min(1, Math.max(0, (step - warmup - 1) / span));
  const f = schedule.minLearningRateRatio;
  const shape = schedule.kind === "linear" ? 1 - p : (1 + Math.cos(Math.PI * p)) / 2;
  return peak * (f + (1 - f) * shape);
}
