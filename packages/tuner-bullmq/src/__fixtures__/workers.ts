// Test helper: worker processes (worker-child.mjs) and the reference study the tests compare with.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  createMedianPruner,
  createStudy,
  createTpeSampler,
  defineSearchSpace,
  type Executor,
  type Objective,
  type StudyStorage,
  type TuningResult,
} from "@rlvr/tuner";
import { braninObjective } from "./objectives.mjs";

/** A worker process and the events it printed. */
export interface WorkerProcess {
  readonly proc: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
  /** Resolves with the first event (past or future) matching `test`. */
  waitFor(test: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the exit; resolves with the exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
  /** What it wrote on stderr. */
  stderr(): string;
  /** Resolves with the exit code (or signal) when the process exits. */
  readonly exited: Promise<number | string | null>;
}

const CHILD = fileURLToPath(new URL("./worker-child.mjs", import.meta.url));

/** Starts a worker process with these options (JSON) and waits until it takes trials. */
export async function spawnWorker(options: Record<string, unknown>): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=@rlvr/source", CHILD, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  let buffered = "";
  let errors = "";
  proc.stdout?.on("data", (d: Buffer) => {
    buffered += d.toString();
    let i = buffered.indexOf("\n");
    while (i >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.startsWith("{")) events.push(JSON.parse(line) as Record<string, unknown>);
      i = buffered.indexOf("\n");
    }
    for (const listener of listeners) listener();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    errors += d.toString();
  });
  const exited = new Promise<number | string | null>((resolve) =>
    proc.once("exit", (code, signal) => {
      for (const listener of listeners) listener();
      resolve(code ?? signal);
    }),
  );
  const worker: WorkerProcess = {
    proc,
    events,
    waitFor(test, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(test);
          if (hit !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(hit);
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`the worker exited (${proc.exitCode ?? proc.signalCode}): ${errors}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching worker event within ${timeoutMs} ms: ${JSON.stringify(events)} ${errors}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    stderr: () => errors,
    exited,
  };
  // Loading from sources through tsx takes seconds, more when several start at once on a busy machine.
  await worker.waitFor((e) => e["type"] === "ready", 180_000);
  return worker;
}

/** The search space of the tests. */
export const SPACE = defineSearchSpace({
  x1: { type: "float", low: -5, high: 10 },
  x2: { type: "float", low: 0, high: 15 },
});

/** A study with TPE and the median pruner (it prunes on this objective). */
export function referenceStudy(extra: { readonly storage?: StudyStorage; readonly loadIfExists?: boolean } = {}) {
  return createStudy({
    ...extra,
    space: SPACE,
    seed: 7,
    // The TPE of before `pendingWeight` / `startupCountsPending` (window-3 defaults since issue 15): with
    // it, these 12 trials include pruned ones, which the executor tests need.
    sampler: createTpeSampler({ nStartupTrials: 4, pendingWeight: 1, startupCountsPending: false }),
    pruner: createMedianPruner({ nStartupTrials: 3 }),
    pendingWindow: 3,
  });
}

/** Runs the reference study to `trials` with an executor (or inline with `objective`). */
export async function runStudy(
  trials: number,
  how: { readonly executor: Executor } | { readonly objective: Objective },
): Promise<TuningResult> {
  const study = referenceStudy();
  return "executor" in how
    ? study.optimize({ trials, executor: how.executor })
    : study.optimize(how.objective, { trials, concurrency: 4 });
}

/** The inline objective equal to the workers' `branin` runner. */
export const inlineBranin =
  (options: { readonly offset?: number } = {}): Objective =>
  (params, trial) =>
    braninObjective(params, trial, options);

/** A result without its volatile member (durations). */
export function stable(result: TuningResult): unknown {
  return { ...result, trials: result.trials.map(({ durationMs: _d, ...t }) => t), bestTrial: result.bestTrial?.number };
}
