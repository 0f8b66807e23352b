import { availableParallelism } from "node:os";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, type ResourceLimits, Worker } from "node:worker_threads";
import { toErrorInfo } from "./_error-info.js";
import { checkOptionsObject, intOption, invalidOption, positiveOption, withDefaults } from "./_options.js";
import { WORKER_SOURCE } from "./_worker-source.js";
import { TunerError } from "./errors.js";
import type { Executor, ExecutorRequest, TrialOutcome } from "./executor.js";
import { thrownOutcome } from "./inline-executor.js";
import type { TrialErrorInfo } from "./trial.js";

/** Options of {@link createWorkerPoolExecutor}. */
export interface WorkerPoolExecutorOptions {
  /**
   * The objective's module: an absolute path or a `file:` URL of an ES module (plain JavaScript, or
   * anything the worker's Node.js options can load). Its export `exportName` is called as
   * `(params, trial) => number | Promise<number>`.
   */
  readonly module: string | URL;
  /**
   * Name of the exported objective function.
   * @defaultValue "objective"
   */
  readonly exportName?: string;
  /**
   * When given, the export `exportName` is a factory rather than the objective: each worker calls it
   * once with this value (structured-cloned into the thread) and uses the function it returns or
   * resolves to as the objective for every trial it runs. This lets a worker load data once, from
   * paths or settings passed here, instead of once per trial. A factory that throws or returns no
   * function rejects the run with `OBJECTIVE_LOAD_FAILED`.
   * @defaultValue undefined (the export is the objective)
   */
  readonly factoryData?: unknown;
  /**
   * Number of worker threads (and trials run at once).
   * @defaultValue `os.availableParallelism()`
   */
  readonly concurrency?: number;
  /**
   * Time limit per trial in milliseconds, counted from the objective's call (not the worker's start-up):
   * past it the worker is terminated (a hard stop, even for a synchronous loop), the trial recorded as
   * failed (`TRIAL_TIMEOUT`) and a new worker started.
   * @defaultValue no limit
   */
  readonly timeoutMs?: number;
  /**
   * Resource limits of each worker (heap sizes, stack size); a worker that exceeds them dies and its
   * trial is recorded as failed (`WORKER_CRASHED`).
   * @defaultValue Node.js defaults
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Node.js options of the worker threads (e.g. to drop a `--conditions` flag the workers must not
   * resolve packages with).
   * @defaultValue the parent's `process.execArgv` (Node.js's default)
   */
  readonly execArgv?: readonly string[];
}

/** The {@link Executor} returned by {@link createWorkerPoolExecutor}. */
export interface WorkerPoolExecutor extends Executor {
  /** URL of the objective module. */
  readonly moduleUrl: string;
  /** Name of the objective export. */
  readonly exportName: string;
  /** Worker threads currently alive. */
  readonly threads: number;
}

interface Job {
  readonly request: ExecutorRequest;
  readonly resolve: (outcome: TrialOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly flag: Int32Array;
  readonly reply: MessagePort;
  job: Job | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: (() => void) | undefined;
  dead: boolean;
}

type WorkerMessage =
  | { type: "started" }
  | { type: "report"; step: number; value: number }
  | { type: "prune" }
  | { type: "done"; value: number | null; valueType: string }
  | { type: "error"; error: TrialErrorInfo }
  | { type: "load-error"; error: TrialErrorInfo };

/**
 * Defaults of {@link createWorkerPoolExecutor}, filled in there (`concurrency`:
 * `os.availableParallelism()` at creation; `timeoutMs`: no limit).
 */
export const WORKER_POOL_EXECUTOR_DEFAULTS = Object.freeze({ exportName: "objective" });

const OWNER = "worker-pool executor";
const bad = (message: string): never => invalidOption(OWNER, message);

function moduleUrlOf(module: string | URL): string {
  if (module instanceof URL) {
    if (module.protocol !== "file:") bad(`module must be a file: URL, got ${module.href}`);
    return module.href;
  }
  if (typeof module !== "string" || module.length === 0)
    bad("module must be an absolute path or a file: URL");
  if (module.startsWith("file:")) return new URL(module).href;
  if (!isAbsolute(module))
    bad(`module must be an absolute path or a file: URL, got ${JSON.stringify(module)}`);
  return pathToFileURL(module).href;
}

function failed(code: string, message: string): TrialOutcome {
  return { state: "failed", error: { name: "TunerError", code, message } };
}

/**
 * An executor that runs trials in a pool of worker threads, so CPU-bound objectives run in parallel.
 * The objective is given as a module and export name (functions cannot cross threads); `trial.report`
 * and `trial.shouldPrune` work inside workers and are synchronous, as in the calling thread. A trial
 * that throws, returns a non-finite value, exceeds `timeoutMs` or kills its worker is recorded as
 * failed and the pool carries on (a dead worker is replaced); a module that cannot be loaded rejects
 * the run with `OBJECTIVE_LOAD_FAILED`, which stops `optimize`. Idle workers do not keep the process
 * alive; `close()` terminates them.
 * @param options - see {@link WorkerPoolExecutorOptions}
 * @returns the executor
 * @throws {@link TunerError} `INVALID_ARGUMENT` for a bad option
 */
export function createWorkerPoolExecutor(options: WorkerPoolExecutorOptions): WorkerPoolExecutor {
  checkOptionsObject(OWNER, options);
  const o = withDefaults({ ...WORKER_POOL_EXECUTOR_DEFAULTS, concurrency: availableParallelism() }, options);
  const moduleUrl = moduleUrlOf(o.module);
  const exportName = o.exportName;
  if (typeof exportName !== "string" || exportName.length === 0) bad("exportName must be a non-empty string");
  const concurrency = intOption(OWNER, "concurrency", o.concurrency, 1);
  const timeoutMs = o.timeoutMs === undefined ? undefined : positiveOption(OWNER, "timeoutMs", o.timeoutMs);
  const resourceLimits = options.resourceLimits;
  const execArgv = options.execArgv;
  if (execArgv !== undefined && (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== "string"))) {
    bad("execArgv must be an array of strings");
  }
  const hasFactory = options.factoryData !== undefined;
  const factoryData = options.factoryData;
  if (hasFactory) {
    try {
      structuredClone(factoryData);
    } catch (error) {
      bad(`factoryData must be structured-cloneable: ${(error as Error).message}`);
    }
  }

  const slots: Slot[] = [];
  const queue: Job[] = [];
  let closed = false;

  const release = (slot: Slot, settle: (job: Job) => void) => {
    const job = slot.job;
    if (job === undefined) return;
    slot.job = undefined;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    if (slot.onAbort !== undefined) job.request.signal.removeEventListener("abort", slot.onAbort);
    slot.onAbort = undefined;
    settle(job);
    if (!slot.dead) {
      slot.worker.unref();
      pump();
    }
  };

  const kill = (slot: Slot) => {
    if (slot.dead) return;
    slot.dead = true;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    slot.reply.close();
    void slot.worker.terminate();
  };

  const onMessage = (slot: Slot, msg: WorkerMessage) => {
    const job = slot.job;
    if (job === undefined) return;
    switch (msg.type) {
      case "started":
        // The time limit counts from here, not from the worker's start-up and module import.
        if (timeoutMs !== undefined) {
          slot.timer = setTimeout(() => {
            kill(slot);
            release(slot, (j) =>
              j.resolve(
                failed(
                  "TRIAL_TIMEOUT",
                  `trial ${job.request.task.number} exceeded its time limit of ${timeoutMs} ms`,
                ),
              ),
            );
            pump();
          }, timeoutMs);
        }
        return;
      case "report":
      case "prune": {
        let reply: { result?: unknown; error?: TrialErrorInfo };
        try {
          if (msg.type === "report") {
            job.request.channel.report(msg.step, msg.value);
            reply = { result: null };
          } else reply = { result: job.request.channel.shouldPrune() };
        } catch (error) {
          reply = { error: toErrorInfo(error) };
        }
        slot.reply.postMessage(reply);
        Atomics.store(slot.flag, 0, 1);
        Atomics.notify(slot.flag, 0);
        return;
      }
      case "done": {
        const outcome: TrialOutcome =
          msg.value !== null && Number.isFinite(msg.value)
            ? { state: "complete", value: msg.value }
            : failed(
                "INVALID_VALUE",
                `the objective returned ${msg.valueType === "number" ? "a non-finite number" : `a ${msg.valueType}`}, expected a finite number`,
              );
        release(slot, (j) => j.resolve(outcome));
        return;
      }
      case "error":
        release(slot, (j) => j.resolve(thrownOutcome(msg.error)));
        return;
      case "load-error":
        kill(slot);
        release(slot, (j) =>
          j.reject(
            new TunerError(
              "OBJECTIVE_LOAD_FAILED",
              `worker pool: cannot load the objective ${exportName} from ${moduleUrl}: ${msg.error.message}`,
              { cause: msg.error },
            ),
          ),
        );
        return;
    }
  };

  const spawn = (): Slot => {
    const flagBuffer = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { moduleUrl, exportName, hasFactory, factoryData, flag: flagBuffer, replyPort: port2 },
      transferList: [port2],
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
      ...(execArgv === undefined ? {} : { execArgv: [...execArgv] }),
    });
    const slot: Slot = {
      worker,
      flag: new Int32Array(flagBuffer),
      reply: port1,
      job: undefined,
      timer: undefined,
      onAbort: undefined,
      dead: false,
    };
    worker.on("message", (msg: WorkerMessage) => onMessage(slot, msg));
    worker.on("error", (error: unknown) => {
      kill(slot);
      release(slot, (j) =>
        j.resolve(failed("WORKER_CRASHED", `the worker thread died: ${toErrorInfo(error).message}`)),
      );
      pump();
    });
    worker.on("exit", (code: number) => {
      const wasDead = slot.dead;
      kill(slot);
      if (!wasDead) {
        release(slot, (j) =>
          j.resolve(failed("WORKER_CRASHED", `the worker thread exited with code ${code}`)),
        );
      }
      pump();
    });
    worker.unref();
    slots.push(slot);
    return slot;
  };

  const start = (slot: Slot, job: Job) => {
    slot.job = job;
    slot.worker.ref();
    const { task, signal } = job.request;
    slot.onAbort = () => {
      kill(slot);
      release(slot, (j) => j.resolve(failed("ABORTED", "the study was aborted")));
    };
    signal.addEventListener("abort", slot.onAbort, { once: true });
    slot.worker.postMessage({ type: "run", number: task.number, seed: task.seed, params: task.params });
  };

  function pump(): void {
    while (!closed && queue.length > 0) {
      const job = queue[0]!;
      if (job.request.signal.aborted) {
        queue.shift();
        job.resolve(failed("ABORTED", "the study was aborted"));
        continue;
      }
      let slot = slots.find((s) => s.job === undefined && !s.dead);
      if (slot === undefined && slots.length < concurrency) slot = spawn();
      if (slot === undefined) return;
      queue.shift();
      start(slot, job);
    }
  }

  return {
    concurrency,
    moduleUrl,
    exportName,
    get threads() {
      return slots.length;
    },
    run(request: ExecutorRequest): Promise<TrialOutcome> {
      if (closed)
        return Promise.reject(new TunerError("EXECUTOR_CLOSED", "worker pool: run() after close()"));
      return new Promise<TrialOutcome>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) {
        job.reject(new TunerError("EXECUTOR_CLOSED", "worker pool: closed before the trial started"));
      }
      const all = slots.splice(0);
      for (const slot of all) {
        slot.dead = true;
        release(slot, (j) => j.resolve(failed("ABORTED", "the worker pool was closed")));
      }
      await Promise.all(
        all.map(async (slot) => {
          slot.reply.close();
          await slot.worker.terminate();
        }),
      );
    },
  };
}
