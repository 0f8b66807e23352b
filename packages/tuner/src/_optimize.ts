import { bad } from "./_study-config.js";
import type { StudyCore } from "./_study-core.js";
import { channelFor } from "./_study-pruning.js";
import type { TrialRecord } from "./_trial-record.js";
import { TunerError } from "./errors.js";
import type { Executor, Objective } from "./executor.js";
import { createInlineExecutor } from "./inline-executor.js";
import type { OptimizeOptions } from "./study-types.js";
import type { FrozenTrial } from "./trial.js";

const FN = "study.optimize";

/** `optimize`'s options, checked, with its defaults filled in. */
interface Run {
  readonly objective: Objective | undefined;
  readonly executor: Executor;
  /** The executor was created here (so it is closed here). */
  readonly ownExecutor: boolean;
  readonly concurrency: number;
  /** Stop once the study holds this many trials. */
  readonly target: number;
  /** Start no trial after this `performance.now()`. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly onTrialFinished: ((trial: FrozenTrial) => void) | undefined;
}

function checkRun(study: StudyCore, objective: Objective | undefined, options: OptimizeOptions): Run {
  if (typeof options !== "object" || options === null) bad(FN, "options must be an object");
  if (study.optimizing) bad(FN, "optimize is already running on this study");
  const { trials, timeoutMs, signal, onTrialFinished } = options;
  if (trials !== undefined && !(Number.isSafeInteger(trials) && trials >= 0)) {
    bad(FN, `trials must be an integer >= 0, got ${String(trials)}`);
  }
  if (
    timeoutMs !== undefined &&
    !(typeof timeoutMs === "number" && timeoutMs >= 0 && !Number.isNaN(timeoutMs))
  ) {
    bad(FN, `timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
  }
  if (onTrialFinished !== undefined && typeof onTrialFinished !== "function") {
    bad(FN, "onTrialFinished must be a function");
  }
  const executor = options.executor ?? createInlineExecutor();
  const ownExecutor = options.executor === undefined;
  if (typeof executor?.run !== "function") bad(FN, "executor must be an Executor");
  if (ownExecutor && objective === undefined) {
    bad(FN, "an objective function is required with the inline executor");
  }
  const concurrency = options.concurrency ?? executor.concurrency;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    bad(FN, `concurrency must be an integer >= 1, got ${String(concurrency)}`);
  }
  const target = trials ?? Number.POSITIVE_INFINITY;
  if (
    target === Number.POSITIVE_INFINITY &&
    timeoutMs === undefined &&
    signal === undefined &&
    study.capacity === Number.POSITIVE_INFINITY
  ) {
    bad(FN, "give trials, timeoutMs or signal, or the study never ends");
  }
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs;
  return { objective, executor, ownExecutor, concurrency, target, deadline, signal, onTrialFinished };
}

/**
 * The `optimize` loop: ask (a queued retry first), run with the executor, tell, keeping up to
 * `concurrency` trials in flight, until the target, the deadline, the sampler's end, an abort or a
 * fatal error. Trials still running at the end were interrupted: they are parked (retried later or
 * failed, per `onInterrupted`).
 * @throws {@link TunerError} `ABORTED`, `ASK_BLOCKED`, `INVALID_ARGUMENT`, or the executor's fatal error
 */
export async function optimize(
  study: StudyCore,
  objective: Objective | undefined,
  options: OptimizeOptions,
): Promise<void> {
  study.assertOpen("optimize");
  const run = checkRun(study, objective, options);
  const { executor, signal } = run;
  const { book } = study;
  study.optimizing = true;
  const stop = new AbortController();
  let fatal: { error: unknown } | undefined;
  let aborted = false;
  const fail = (error: unknown) => {
    fatal ??= { error };
    stop.abort(error);
  };
  const onAbort = () => {
    aborted = true;
    stop.abort(signal?.reason);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  let wake: () => void = () => {};
  stop.signal.addEventListener("abort", () => wake(), { once: true });
  const running = new Map<number, Promise<void>>();

  const launch = (rec: TrialRecord) => {
    const attempt = study.startAttempt(rec, "optimize");
    const request = { task: study.task(rec), objective, channel: channelFor(study, rec, attempt) };
    const p = executor
      .run({ ...request, signal: stop.signal })
      .then((outcome) => {
        if (rec.state !== "running" || rec.attempt !== attempt) return;
        if (stop.signal.aborted && outcome.state === "failed" && outcome.error.code === "ABORTED") return;
        study.finish(rec, outcome, study.elapsed(rec), true);
        run.onTrialFinished?.(rec.frozen!);
      }, fail)
      .catch(fail)
      .finally(() => {
        running.delete(rec.number);
        wake();
      });
    running.set(rec.number, p);
  };

  const next = (): TrialRecord | "blocked" | "done" => {
    if (book.retryQueue.length > 0) return study.nextRetry() ?? "blocked";
    const k = book.size;
    if (k >= run.target || k >= study.capacity) return "done";
    if (performance.now() >= run.deadline) return "done";
    if (!book.visible(k)) return "blocked";
    return study.askNew("optimize");
  };

  try {
    for (;;) {
      if (fatal !== undefined || stop.signal.aborted) break;
      let state: TrialRecord | "blocked" | "done" = "blocked";
      while (running.size < run.concurrency) {
        try {
          state = next();
        } catch (error) {
          fail(error);
          break;
        }
        if (typeof state === "string") break;
        launch(state);
      }
      if (running.size === 0) {
        if (state === "blocked" && fatal === undefined && !stop.signal.aborted) {
          throw new TunerError(
            "ASK_BLOCKED",
            `${FN}: trial ${book.firstUnfinished} is running outside optimize (asked with study.ask()); tell it first`,
          );
        }
        break;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (stop.signal.aborted) resolve();
      });
    }
    // Let aborted runs settle (executors resolve promptly on abort).
    while (running.size > 0) await Promise.allSettled([...running.values()]);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    for (const rec of book.records) {
      if (rec.state === "running" && rec.attempt?.owner === "optimize") {
        rec.attempt.controller.abort();
        rec.attempt = undefined;
        study.park(rec);
      }
    }
    study.optimizing = false;
    if (run.ownExecutor) await executor.close();
  }
  if (fatal !== undefined) throw (fatal as { error: unknown }).error;
  if (aborted) throw new TunerError("ABORTED", "the study was aborted", { cause: signal?.reason });
}
