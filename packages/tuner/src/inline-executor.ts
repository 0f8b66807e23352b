import { isPruneSignal, toErrorInfo } from "./_error-info.js";
import { checkOptionsObject, intOption, positiveOption, withDefaults } from "./_options.js";
import { makeTrialHandle } from "./_trial-handle.js";
import { TunerError } from "./errors.js";
import type { Executor, ExecutorRequest, TrialOutcome } from "./executor.js";

/** Options of {@link createInlineExecutor}. */
export interface InlineExecutorOptions {
  /**
   * Trials run at once (useful for objectives that wait on I/O; CPU-bound objectives gain nothing).
   * @defaultValue 1
   */
  readonly concurrency?: number;
  /**
   * Time limit per trial in milliseconds: past it the trial is recorded as failed (`TRIAL_TIMEOUT`)
   * and its `trial.signal` is aborted. The objective cannot be stopped from outside its thread, so a
   * synchronous loop keeps running until it returns: use the worker-pool executor for hard limits.
   * @defaultValue no limit
   */
  readonly timeoutMs?: number;
}

/** Defaults of {@link createInlineExecutor}, filled in there (`timeoutMs`: no limit). */
export const INLINE_EXECUTOR_DEFAULTS = Object.freeze({ concurrency: 1 });

const OWNER = "inline executor";

/** Turn an objective's return value or throw into an outcome. */
export function settleOutcome(value: unknown): TrialOutcome {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return {
      state: "failed",
      error: {
        name: "TunerError",
        code: "INVALID_VALUE",
        message: `the objective returned ${typeof value === "number" ? String(value) : `a ${typeof value}`}, expected a finite number`,
      },
    };
  }
  return { state: "complete", value };
}

/** The outcome for a thrown value. */
export function thrownOutcome(error: unknown): TrialOutcome {
  return isPruneSignal(error) ? { state: "pruned" } : { state: "failed", error: toErrorInfo(error) };
}

/**
 * An executor that calls the objective function in the calling thread. The default of `optimize`.
 * @param options - see {@link InlineExecutorOptions}
 * @returns the executor
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createInlineExecutor(options: InlineExecutorOptions = {}): Executor {
  checkOptionsObject(OWNER, options);
  const o = withDefaults(INLINE_EXECUTOR_DEFAULTS, options);
  const concurrency = intOption(OWNER, "concurrency", o.concurrency, 1);
  const timeoutMs = o.timeoutMs === undefined ? undefined : positiveOption(OWNER, "timeoutMs", o.timeoutMs);
  let closed = false;
  return Object.freeze({
    concurrency,
    async run(request: ExecutorRequest): Promise<TrialOutcome> {
      if (closed) throw new TunerError("EXECUTOR_CLOSED", "inline executor: run() after close()");
      const { task, objective, channel, signal } = request;
      if (objective === undefined) {
        throw new TunerError("INVALID_ARGUMENT", "inline executor: optimize needs an objective function");
      }
      const controller = new AbortController();
      const trial = makeTrialHandle(task, channel, controller.signal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const stop = new Promise<TrialOutcome>((resolve) => {
        onAbort = () => {
          controller.abort(signal.reason);
          resolve({
            state: "failed",
            error: { name: "TunerError", code: "ABORTED", message: "the study was aborted" },
          });
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            const error = new TunerError(
              "TRIAL_TIMEOUT",
              `trial ${task.number} exceeded its time limit of ${timeoutMs} ms`,
            );
            controller.abort(error);
            resolve({ state: "failed", error: toErrorInfo(error) });
          }, timeoutMs);
        }
      });
      const work = (async (): Promise<TrialOutcome> => {
        try {
          return settleOutcome(await objective(task.params, trial));
        } catch (error) {
          return thrownOutcome(error);
        }
      })();
      try {
        return await Promise.race([work, stop]);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
      }
    },
    async close() {
      closed = true;
    },
  } satisfies Executor);
}
