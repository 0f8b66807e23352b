import type { JobRecord } from "@rlvr/job-record";
import type { JobEvent } from "./job-events.js";
import type { Registry } from "./registry.js";
import type { ExecutorFactory } from "./tables.js";

/** The clock of a job: wall time for the record's timestamps, a monotonic one for durations. */
export interface Clock {
  /** The wall time (`volatile.startedAt`, `finishedAt`). */
  now(): Date;
  /** Monotonic milliseconds (durations). */
  monotonicMs(): number;
}

/** What a job knows about the machine and process it runs in. */
export interface HostFacts {
  /** Host name recorded in `volatile.host`, the registry and the `--out` lock. */
  readonly hostname: string;
  /** Process id recorded in `volatile.pid`, the registry and the `--out` lock. */
  readonly pid: number;
  /** Whether a process of this host is alive (stale `--out` locks are those of dead processes). */
  isProcessAlive(pid: number): boolean;
  /** Resident set size in bytes (`volatile.peakRssBytes`). */
  rssBytes(): number;
}

/**
 * Writes the job's files. `write` must be atomic (a reader sees the old file or the new one, never a
 * part): the default writes a temporary file in the same folder, syncs it and renames it. It rejects
 * with the system error (`ENOSPC`, `EROFS` ...); the job wraps it into an `IO_ERROR` naming the file.
 */
export interface FileWriter {
  /** Writes `data` to `path` atomically, creating the folder. */
  write(path: string, data: string | Uint8Array): Promise<void>;
}

/**
 * A further file made from the finished record, written with it into the output folder before the
 * registry says the job is done (the command line's Markdown and HTML reports).
 */
export interface JobOutputRenderer {
  /** Appended to the label's file stem: `".report.md"` gives `<stem>.report.md`. */
  readonly suffix: string;
  /**
   * Renders the file. A renderer that throws does not fail the job: a `warning` event says so and
   * the file is left out.
   * @param record - the finished record
   * @param context - `recordFile`: the record's file name, for links
   */
  render(
    record: JobRecord,
    context: { readonly recordFile: string },
  ): string | Uint8Array | Promise<string | Uint8Array>;
}

/** Opens the registry of a job (`spec.registryPath`); the job closes it at its end. */
export type RegistryFactory = (path: string) => Registry;

/** Options of `runJob`. Every default is filled in one place (`_run-options.ts`). */
export interface RunJobOptions {
  /**
   * Cancels the job: running work stops at its next check, the record (written into the output
   * folder) gets status `cancelled`, the registry says `cancelled`, and resume state is kept.
   * Cancelled before the job id is known (while loading), `runJob` rejects with an `ABORTED`
   * `OrchestratorError` instead.
   * @defaultValue undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Receives progress events (synchronously; errors it throws are ignored).
   * @defaultValue undefined
   */
  readonly onEvent?: (event: JobEvent) => void;
  /**
   * Continue from `<outDir>/.rlvr-job/<jobId>/`: finished stages and trials are reused. Without it,
   * existing state of the same job is discarded.
   * @defaultValue false
   */
  readonly resume?: boolean;
  /**
   * Folder relative paths of the spec are resolved against.
   * @defaultValue the current folder
   */
  readonly baseDir?: string;
  /**
   * Extra package versions entering the fingerprint (e.g. `{ "rlvr-train": VERSION }`); the `@rlvr/*`
   * packages are always included.
   * @defaultValue `{}`
   */
  readonly packages?: Readonly<Record<string, string>>;
  /**
   * Host name recorded in `volatile.host` and the registry (shorthand for `hostFacts.hostname`).
   * @defaultValue `os.hostname()`
   */
  readonly host?: string;
  /**
   * Milliseconds between registry heartbeats while the job runs.
   * @defaultValue 5000
   */
  readonly heartbeatMs?: number;
  /**
   * The executor of the tuning trials: a name of `EXECUTORS` or a factory (e.g. a queue executor's).
   * @defaultValue `"inline"` when `tuner.concurrency` is 1 or there is one trial, else `"worker-pool"`
   */
  readonly executor?: string | ExecutorFactory;
  /**
   * Opens the registry at `spec.registryPath` (ignored when it is null).
   * @defaultValue `createRegistry`
   */
  readonly registry?: RegistryFactory;
  /**
   * The clock.
   * @defaultValue `new Date()` and `performance.now()`
   */
  readonly clock?: Clock;
  /**
   * Facts about the host and process (members left out take the default).
   * @defaultValue `os.hostname()`, `process.pid`, `process.kill(pid, 0)`, `process.memoryUsage().rss`
   */
  readonly hostFacts?: Partial<HostFacts>;
  /**
   * Writes every file of the job (checkpoint, record, reports, resume state).
   * @defaultValue atomic writes (temporary file, fsync, rename)
   */
  readonly files?: FileWriter;
  /**
   * Further files rendered from the record (reports), written before the record itself.
   * @defaultValue `[]`
   */
  readonly outputs?: readonly JobOutputRenderer[];
}
