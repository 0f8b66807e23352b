// The one table from errors to exit codes and public wording. Every package's error class is keyed
// by its `name`, then by its `code`; a code missing from a package's list is a compile error here
// (`satisfies Record<Code, ErrorEntry>`). The command lines print and exit through this table only.
import type { DatasetErrorCode } from "@rlvr/dataset";
import type { CanonicalJsonErrorCode, FingerprintErrorCode } from "@rlvr/env-fingerprint";
import type { RlvrLoopErrorCode } from "@rlvr/rlvr-loop";
import type { TunerErrorCode } from "@rlvr/tuner";
import type { TunerBullmqErrorCode } from "@rlvr/tuner-bullmq";
import type { OrchestratorErrorCode } from "./errors.js";

/**
 * Exit codes of the command lines: 0 ok, 1 the job failed (or a replay differs), 2 bad input, bad
 * usage or an environment the user must fix (unusable output folder, read-only file system, missing
 * file, disk full before the job starts), 130 interrupted (SIGINT or SIGTERM).
 */
export const EXIT_CODES = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** One of {@link EXIT_CODES}. */
export type ExitCodeValue = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** What the table says about one error code. */
export interface ErrorEntry {
  /** The process exit code. */
  readonly exitCode: ExitCodeValue;
  /** What the error means, in public words (no internal names); docs/cli.md shows the same table. */
  readonly meaning: string;
}

/**
 * Codes of the command line's own errors (`CliError` of `rlvr-train`): `USAGE` a bad command line,
 * `BAD_INPUT` a bad input file, `ENVIRONMENT` a folder or file the user must fix, `FAILED` the
 * command failed, `INTERRUPTED` stopped by a signal.
 */
export type CliErrorCode = "USAGE" | "BAD_INPUT" | "ENVIRONMENT" | "FAILED" | "INTERRUPTED";

/** Operating-system error codes (Node's `error.code` with a `syscall`) the table words. */
export type SystemErrorCode =
  | "ENOENT"
  | "ENOTDIR"
  | "EISDIR"
  | "EROFS"
  | "EACCES"
  | "EPERM"
  | "ENOSPC"
  | "EDQUOT"
  | "EEXIST"
  | "ENAMETOOLONG"
  | "ELOOP"
  | "EMFILE"
  | "EIO";

const bad = (meaning: string): ErrorEntry => ({ exitCode: EXIT_CODES.badInput, meaning });
const failed = (meaning: string): ErrorEntry => ({ exitCode: EXIT_CODES.failed, meaning });
const interrupted: ErrorEntry = { exitCode: EXIT_CODES.interrupted, meaning: "interrupted" };

const datasetError = {
  FILE_NOT_FOUND: bad("dataset file not found"),
  FILE_READ_ERROR: bad("dataset file cannot be read"),
  BAD_OPTIONS: bad("invalid dataset options"),
  INVALID_EXAMPLE: bad("an example cannot be used"),
  ABORTED: interrupted,
  INVALID_STATE: failed("internal error in the dataset reader"),
  DATASET_INVALID: bad("invalid dataset"),
  JSON_INVALID: bad("a JSON file is not strict JSON (syntax or a duplicate key)"),
} as const satisfies Record<DatasetErrorCode, ErrorEntry>;

const fingerprintError = {
  FINGERPRINT_INVALID_OPTIONS: bad("invalid fingerprint inputs"),
  FINGERPRINT_INVALID_ENVIRONMENT: bad("invalid training environment"),
  FINGERPRINT_INVALID_ARGUMENT: bad("invalid fingerprint input"),
} as const satisfies Record<FingerprintErrorCode, ErrorEntry>;

const canonicalJsonError = {
  CANONICAL_JSON_NAN: bad("a value is NaN, which JSON cannot hold"),
  CANONICAL_JSON_INFINITY: bad("a value is infinite, which JSON cannot hold"),
  CANONICAL_JSON_LONE_SURROGATE: bad("a text has an unpaired UTF-16 surrogate"),
  CANONICAL_JSON_CYCLE: bad("a value contains itself"),
  CANONICAL_JSON_UNSUPPORTED_TYPE: bad("a value is not plain JSON data"),
  CANONICAL_JSON_TOO_DEEP: bad("a value is nested too deeply"),
} as const satisfies Record<CanonicalJsonErrorCode, ErrorEntry>;

const tunerError = {
  INVALID_ARGUMENT: bad("invalid tuner setting"),
  INVALID_SEARCH_SPACE: bad("invalid search space"),
  SEARCH_EXHAUSTED: failed("the search space has no more points"),
  ASK_BLOCKED: failed("internal error in the tuner (a trial waited for another)"),
  TRIAL_NOT_FOUND: failed("internal error in the tuner (unknown trial)"),
  TRIAL_FINISHED: failed("internal error in the tuner (trial already finished)"),
  INVALID_REPORT: failed("internal error in the tuner (invalid intermediate value)"),
  TRIAL_PRUNED: failed("trial pruned"),
  TRIAL_TIMEOUT: failed("a trial ran out of time"),
  INVALID_VALUE: failed("a trial's objective is not a finite number"),
  WORKER_CRASHED: failed("a worker thread crashed"),
  TRIAL_INTERRUPTED: failed("a trial was interrupted"),
  OBJECTIVE_LOAD_FAILED: failed("the trial worker could not load its code"),
  EXECUTOR_CLOSED: failed("internal error in the tuner (executor closed)"),
  ABORTED: interrupted,
  STUDY_EXISTS: bad("a tuning study already exists there"),
  STUDY_NOT_FOUND: bad("no tuning study to resume"),
  STUDY_MISMATCH: bad("the stored tuning study belongs to other settings"),
  JOURNAL_CORRUPT: bad("the tuning journal is corrupt"),
  JOURNAL_IO: bad("the tuning journal cannot be read or written"),
} as const satisfies Record<TunerErrorCode, ErrorEntry>;

const tunerBullmqError = {
  INVALID_ARGUMENT: bad("invalid queue setting"),
  REDIS_UNREACHABLE: failed("the Redis server did not answer in time"),
  REDIS_RESTARTED: failed("the Redis server restarted while trials were queued (resume the job)"),
  INVALID_PAYLOAD: failed("a queued trial is malformed or of another version"),
  UNKNOWN_RUNNER: failed("the workers run another version of the trial code"),
  INVALID_RESULT: failed("a trial's result from a worker is malformed"),
  TASK_MISMATCH: failed("the queue holds another study's trials under this run"),
  JOB_FAILED: failed("the queue gave up on a trial"),
  CHANNEL_TIMEOUT: failed("a worker got no answer from the job in time"),
  REPLAY_MISMATCH: failed("a re-run trial reported different values (not deterministic)"),
  BLOB_NOT_FOUND: failed("the job's shipped data is no longer in Redis"),
  BLOB_CORRUPT: failed("the job's shipped data is corrupt"),
  CLOSED: failed("the queue connection was closed"),
} as const satisfies Record<TunerBullmqErrorCode, ErrorEntry>;

const rlvrLoopError = {
  INVALID_ARGUMENT: bad("invalid training setting"),
  INVALID_CONFIG: bad("invalid training configuration"),
  INVALID_DATA: bad("an example cannot be used for training"),
  INCOMPATIBLE_POLICY: bad("the policy does not fit the data"),
  CHECKPOINT_INVALID: bad("not a readable checkpoint"),
  CHECKPOINT_DIGEST_MISMATCH: bad("the checkpoint's content does not match its digest"),
  UNSUPPORTED: bad("not supported for this policy or environment"),
  ABORTED: interrupted,
  DIVERGED: failed("training diverged"),
} as const satisfies Record<RlvrLoopErrorCode, ErrorEntry>;

const orchestratorError = {
  INVALID_SPEC: bad("invalid job file or options"),
  INVALID_RECORD: bad("not a valid job record"),
  INVALID_ARGUMENT: bad("invalid argument"),
  DATASET_INVALID: bad("invalid dataset"),
  ABORTED: interrupted,
  STAGE_FAILED: failed("the job failed"),
  RESUME_MISMATCH: bad("the resume state belongs to another job"),
  IO_ERROR: bad("a file cannot be read or written"),
  REGISTRY_ERROR: bad("the run registry cannot be used"),
  SQLITE_UNAVAILABLE: failed("the SQLite binding cannot be loaded"),
  PACKAGE_MISSING: bad("an optional package the command needs is not installed"),
  OUTPUT_UNUSABLE: bad("the output folder cannot be used (not a folder, read-only or not writable)"),
  OUTPUT_LOCKED: bad("another job is writing the same output folder"),
} as const satisfies Record<OrchestratorErrorCode, ErrorEntry>;

const cliError = {
  USAGE: bad("bad usage"),
  BAD_INPUT: bad("bad input"),
  ENVIRONMENT: bad("a folder or file cannot be used"),
  FAILED: failed("the command failed"),
  INTERRUPTED: interrupted,
} as const satisfies Record<CliErrorCode, ErrorEntry>;

const systemError = {
  ENOENT: bad("no such file or directory"),
  ENOTDIR: bad("not a directory"),
  EISDIR: bad("is a directory"),
  EROFS: bad("read-only file system"),
  EACCES: bad("permission denied"),
  EPERM: bad("operation not permitted"),
  ENOSPC: bad("no space left on device"),
  EDQUOT: bad("disk quota exceeded"),
  EEXIST: bad("file exists"),
  ENAMETOOLONG: bad("file name too long"),
  ELOOP: bad("too many levels of symbolic links"),
  EMFILE: bad("too many open files"),
  EIO: failed("input/output error"),
} as const satisfies Record<SystemErrorCode, ErrorEntry>;

// The report renderer's ReportError (which the orchestrator does not import) and citty's argument
// errors are keyed by string; apps/rlvr-train's tests check them against the renderer's code list.
const reportError: Readonly<Record<string, ErrorEntry>> = {
  INVALID_ARGUMENT: bad("invalid report option"),
  INVALID_RECORD: bad("not a valid job record"),
  RENDER_FAILED: failed("a chart could not be rendered"),
};

// The serving package's ServeError (the orchestrator does not import @rlvr/serve), keyed by string;
// apps/rlvr-train's tests check them against the serving package's code list. Codes that answer an
// HTTP request are listed for completeness: the command line meets them only as a bug.
const serveError: Readonly<Record<string, ErrorEntry>> = {
  INVALID_OPTIONS: bad("invalid serving option"),
  CHECKPOINT_UNREADABLE: bad("the checkpoint cannot be read"),
  LOG_UNAVAILABLE: bad("the decision log folder cannot be used"),
  LOG_INVALID: bad("not a readable decision log"),
  LOG_WRITE_FAILED: failed("the decision log could not be written"),
  LISTEN_FAILED: bad("cannot listen on that host and port"),
  OUTPUT_WRITE_FAILED: bad("the export file cannot be written"),
  INVALID_REQUEST: bad("invalid request"),
  UNKNOWN_ACTION: bad("an action the checkpoint does not know"),
  BODY_TOO_LARGE: bad("request body too large"),
  UNSUPPORTED_MEDIA_TYPE: bad("request body is not JSON"),
  UNAUTHORIZED: bad("missing or wrong admin token"),
  ADMIN_DISABLED: bad("admin endpoints are disabled"),
  NOT_FOUND: bad("no such endpoint"),
  EVENT_NOT_FOUND: bad("unknown decision"),
  EVENT_EXISTS: bad("the decision already exists"),
  REWARD_EXISTS: bad("the decision already has a reward"),
  REWARD_TOO_LATE: bad("the reward came after the wait time"),
  RELOAD_FAILED: failed("the new checkpoint could not be loaded"),
  SHUTTING_DOWN: failed("the server is shutting down"),
  INTERNAL: failed("internal error in the server"),
};

const cittyError: Readonly<Record<string, ErrorEntry>> = {
  EARG: bad("bad usage"),
  E_UNKNOWN_COMMAND: bad("bad usage"),
  E_NO_COMMAND: bad("bad usage"),
  E_DEFAULT_CONFLICT: failed("internal error in the command table"),
  E_NO_VERSION: failed("internal error in the command table"),
};

/**
 * Every error the command lines can meet, by error `name` then `code`: exit code and meaning.
 * `SystemError` holds operating-system errors (Node's errors with a `syscall`), `CLIError` the
 * argument errors of citty (the argument parser).
 */
export const ERROR_TABLE = {
  DatasetError: datasetError,
  DatasetValidationError: { DATASET_INVALID: datasetError.DATASET_INVALID },
  FingerprintError: { ...fingerprintError, ...canonicalJsonError },
  CanonicalJsonError: canonicalJsonError,
  TunerError: tunerError,
  TunerBullmqError: tunerBullmqError,
  SearchSpaceError: { INVALID_SEARCH_SPACE: tunerError.INVALID_SEARCH_SPACE },
  RlvrLoopError: rlvrLoopError,
  TrainingDivergedError: { DIVERGED: rlvrLoopError.DIVERGED },
  OrchestratorError: orchestratorError,
  ReportError: reportError,
  ServeError: serveError,
  CliError: cliError,
  CLIError: cittyError,
  SystemError: systemError,
} as const satisfies Readonly<Record<string, Readonly<Record<string, ErrorEntry>>>>;

/** An error name the table knows. */
export type ErrorTableName = keyof typeof ERROR_TABLE;

/** The table's answer for one error: its name and code, and the entry. */
export interface ErrorLookup {
  readonly name: ErrorTableName;
  readonly code: string;
  readonly entry: ErrorEntry;
}

/** Whether a value is an operating-system error of Node (a string `code` and a `syscall`). */
export function isSystemError(value: unknown): value is NodeJS.ErrnoException {
  return (
    value instanceof Error &&
    typeof (value as NodeJS.ErrnoException).code === "string" &&
    typeof (value as NodeJS.ErrnoException).syscall === "string"
  );
}

/**
 * Looks an error up by its `name` and `code` (operating-system errors under `SystemError`).
 * @returns the entry, or `undefined` for an error the table does not know (an internal error: exit 1)
 */
export function lookupError(error: unknown): ErrorLookup | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code !== "string") return undefined;
  const key = isSystemError(error) ? "SystemError" : name;
  if (typeof key !== "string" || !Object.hasOwn(ERROR_TABLE, key)) return undefined;
  const section: Readonly<Record<string, ErrorEntry>> = ERROR_TABLE[key as ErrorTableName];
  const entry = Object.hasOwn(section, code) ? section[code] : undefined;
  return entry === undefined ? undefined : { name: key as ErrorTableName, code, entry };
}

/**
 * The first error in `error`'s `cause` chain (itself included, at most 10 deep) that is an
 * operating-system error, or `undefined`: the real cause behind a wrapped I/O failure.
 */
export function systemCause(error: unknown): NodeJS.ErrnoException | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 10 && typeof e === "object" && e !== null; depth++) {
    if (isSystemError(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
