// Every default of `RunJobOptions` filled in one place.
import { hostname } from "node:os";
import { atomicFileWriter } from "./_fs.js";
import type { JobEvent } from "./job-events.js";
import type { ResolvedJobSpec } from "./job-spec.js";
import { createRegistry } from "./registry.js";
import type { HostFacts, RunJobOptions } from "./run-options.js";
import { type ExecutorFactory, executorFactory } from "./tables.js";

/** Heartbeat period of the registry when the options name none. */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** The options of a job with every default filled. */
export interface ResolvedRunOptions {
  readonly signal: AbortSignal | undefined;
  readonly onEvent: ((event: JobEvent) => void) | undefined;
  readonly resume: boolean;
  readonly packages: Readonly<Record<string, string>>;
  readonly heartbeatMs: number;
  readonly executor: ExecutorFactory;
  readonly openRegistry: NonNullable<RunJobOptions["registry"]>;
  readonly clock: NonNullable<RunJobOptions["clock"]>;
  readonly host: HostFacts;
  readonly files: NonNullable<RunJobOptions["files"]>;
  readonly outputs: NonNullable<RunJobOptions["outputs"]>;
}

const systemClock: ResolvedRunOptions["clock"] = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user
    return (error as { code?: unknown }).code === "EPERM";
  }
}

function executorOf(choice: RunJobOptions["executor"], spec: ResolvedJobSpec): ExecutorFactory {
  if (typeof choice === "object") return choice;
  const parallel = spec.tuner.concurrency > 1 && spec.tuner.trials > 1;
  return executorFactory(choice ?? (parallel ? "worker-pool" : "inline"));
}

/** Fills every default of the options of a job over `spec`. */
export function resolveRunOptions(spec: ResolvedJobSpec, options: RunJobOptions): ResolvedRunOptions {
  const facts = options.hostFacts ?? {};
  return {
    signal: options.signal,
    onEvent: options.onEvent,
    resume: options.resume === true,
    packages: options.packages ?? {},
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    executor: executorOf(options.executor, spec),
    openRegistry: options.registry ?? createRegistry,
    clock: options.clock ?? systemClock,
    host: {
      hostname: facts.hostname ?? options.host ?? hostname(),
      pid: facts.pid ?? process.pid,
      isProcessAlive: facts.isProcessAlive ?? isProcessAlive,
      rssBytes: facts.rssBytes ?? (() => process.memoryUsage().rss),
    },
    files: options.files ?? atomicFileWriter,
    outputs: options.outputs ?? [],
  };
}
