import type { TrialErrorInfo } from "./trial.js";

/** A JSON-safe summary of a thrown value (name, message, string code). */
export function toErrorInfo(error: unknown): TrialErrorInfo {
  if (typeof error === "object" && error !== null) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown };
    const name = typeof e.name === "string" && e.name.length > 0 ? e.name : "Error";
    const message = typeof e.message === "string" ? e.message : String(error);
    return typeof e.code === "string" ? { name, message, code: e.code } : { name, message };
  }
  return { name: "Error", message: String(error) };
}

/** Whether a thrown value is the pruning signal of `trial.prune()` (by code, also across threads). */
export function isPruneSignal(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { code?: unknown }).code === "TRIAL_PRUNED" &&
    (error as { name?: unknown }).name === "TunerError"
  );
}
