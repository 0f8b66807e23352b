// The run registry's public types: rows, inputs, options and the Registry interface.
import type { JobRecord } from "@rlvr/job-record";

/** Status of a run in the registry. */
export type RunStatus = "running" | "succeeded" | "failed" | "cancelled";

/** A run as stored in the registry. */
export interface RunRow {
  /** Job id. */
  readonly id: string;
  /** Job label. */
  readonly label: string;
  /** Status; a run whose heartbeat stopped is `failed` with `resumable: true`. */
  readonly status: RunStatus;
  /** Fingerprint of the job. */
  readonly fingerprint: string;
  /** Fingerprint family: the job's inputs without dataset and seed (see {@link fingerprintFamily}). */
  readonly family: string | null;
  /** Dataset content digest. */
  readonly datasetDigest: string;
  /** Parameters (seed, tuner settings, search space; after the job, the best parameters too). */
  readonly params: Record<string, unknown>;
  /** Host that ran it. */
  readonly host: string;
  /** Process id that ran it. */
  readonly pid: number;
  /** Output folder. */
  readonly outDir: string;
  /** Epoch milliseconds of the first start. */
  readonly createdAt: number;
  /** Epoch milliseconds of the latest (re)start. */
  readonly startedAt: number;
  /** Epoch milliseconds of the last heartbeat. */
  readonly heartbeatAt: number;
  /** Epoch milliseconds of the end, or null. */
  readonly finishedAt: number | null;
  /** Test DR estimate of the learned policy, or null. */
  readonly value: number | null;
  /** Lower end of its interval, or null. */
  readonly valueLower: number | null;
  /** Error message of a failed or cancelled run, or null. */
  readonly error: string | null;
  /** Whether the run can be resumed (`runJob` with `resume: true`). */
  readonly resumable: boolean;
  /** How many times the run was started. */
  readonly attempts: number;
}

/** One point of a metric series. */
export interface MetricPoint {
  /** Metric name (`train/reward`, `train/loss`, `epoch/validation`, `trial/value` ...). */
  readonly name: string;
  /** Step (optimizer step, epoch or trial number). */
  readonly step: number;
  /** Value. */
  readonly value: number;
}

/** A file a run produced. */
export interface ArtifactRow {
  /** Run id. */
  readonly runId: string;
  /** Kind (`checkpoint`, `record`, `report-md`, `report-html` ...). */
  readonly kind: string;
  /** Path. */
  readonly path: string;
  /** `sha256:<hex>` of the content. */
  readonly digest: string;
  /** Size in bytes. */
  readonly bytes: number;
}

/** A checkpoint with its metrics. */
export interface CheckpointRow {
  /** Run id. */
  readonly runId: string;
  /** Fingerprint family of the run. */
  readonly family: string | null;
  /** Checkpoint path. */
  readonly path: string;
  /** `sha256:<hex>` of the file. */
  readonly digest: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Test DR estimate. */
  readonly value: number;
  /** Lower end of its interval. */
  readonly lower: number;
  /** Upper end of its interval. */
  readonly upper: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** Input of {@link Registry.startRun}. */
export interface StartRunInput {
  readonly id: string;
  readonly label: string;
  readonly fingerprint: string;
  readonly family?: string | null;
  readonly datasetDigest: string;
  readonly params: Record<string, unknown>;
  readonly host: string;
  readonly pid: number;
  readonly outDir: string;
}

/** Filter of {@link Registry.listRuns}. */
export interface ListRunsOptions {
  /** Only this label. @defaultValue all */
  readonly label?: string;
  /** Only this status. @defaultValue all */
  readonly status?: RunStatus;
  /** Only this fingerprint. @defaultValue all */
  readonly fingerprint?: string;
  /** Most recent first, at most this many. @defaultValue 100 */
  readonly limit?: number;
}

/** Result of {@link Registry.compareRuns}. */
export interface RunComparison {
  readonly a: RunRow;
  readonly b: RunRow;
  /** The last value of every metric either run has, by name (sorted). */
  readonly metrics: readonly {
    readonly name: string;
    readonly a: number | null;
    readonly b: number | null;
  }[];
  /** Parameters that differ, by top-level key (sorted). */
  readonly paramsChanged: readonly string[];
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /**
   * A `running` run whose heartbeat is older than this is marked `failed` (resumable) by
   * {@link Registry.reapStale}, which `listRuns` and `getRun` call.
   * @defaultValue 60000
   */
  readonly staleAfterMs?: number;
  /**
   * SQLite busy timeout: how long a writer waits for another's lock.
   * @defaultValue 10000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Clock (epoch milliseconds), for tests.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
}

/** The run registry: an embedded SQLite database (WAL mode, busy timeout, one transaction per write). */
export interface Registry {
  /** The database file. */
  readonly path: string;
  /** Records a run as `running` (a restart of an existing id keeps its history and counts an attempt). */
  startRun(run: StartRunInput): void;
  /** Refreshes a running run's heartbeat. */
  heartbeat(runId: string): void;
  /** Records a finished job from its record: status, value, metric series, checkpoint, artifacts. */
  finishRun(record: JobRecord): void;
  /** Records (or replaces) an artifact of a run. */
  addArtifact(artifact: ArtifactRow): void;
  /** Appends metric points to a run (replacing points with the same name and step). */
  addMetrics(runId: string, points: readonly MetricPoint[]): void;
  /** One run, or null. */
  getRun(id: string): RunRow | null;
  /** Runs, most recent first. */
  listRuns(options?: ListRunsOptions): RunRow[];
  /** A run's metric series (all, or one name), by name then step. */
  getMetrics(runId: string, name?: string): MetricPoint[];
  /** A run's artifacts, by kind then path. */
  listArtifacts(runId: string): ArtifactRow[];
  /** Checkpoints, best lower bound first (all, or one family). */
  listCheckpoints(family?: string): CheckpointRow[];
  /**
   * The rollback candidate for a run: the best earlier checkpoint (highest lower bound) of the same
   * fingerprint family whose test DR estimate beats this run's; null when this run is the best.
   */
  rollbackCandidate(runId: string): CheckpointRow | null;
  /** Two runs side by side (last value of each metric, changed parameters). */
  compareRuns(a: string, b: string): RunComparison;
  /** Marks `running` runs whose heartbeat is stale as `failed` + resumable; returns their ids. */
  reapStale(): string[];
  /** Closes the connection. */
  close(): void;
}
