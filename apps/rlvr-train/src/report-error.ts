import {
  describeIssues,
  EXIT_CODES,
  issuesOfError,
  lookupError,
  STAGES,
  systemCause,
} from "@rlvr/orchestrator";
import { CliError } from "./errors.js";
import { type CliIo, createPalette, printable, stripAnsi } from "./io.js";

// A function or method name at the start of a message or of a clause (`loadDataset: `,
// `LinearSoftmaxPolicy.logProbs: `, `runJob: `), then a stage name right after one (`runJob: tune: `).
const INTERNAL_NAME =
  /(^|[\s(;]|: )(?:[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*|train|evaluate|canonicalize|optimize|act): /g;
const STAGE_AFTER_NAME = new RegExp(`^(?:${STAGES.join("|")}): `);

/**
 * A package's message in public words: internal function, method and class names that prefix it or
 * one of its clauses are removed (`runJob: tune: no trial completed` becomes `no trial completed`).
 */
export function publicMessage(message: string): string {
  let out = message;
  for (let i = 0; i < 5; i++) {
    const before = out;
    out = out.replace(INTERNAL_NAME, "$1");
    if (out !== before) out = out.replace(STAGE_AFTER_NAME, "");
    if (out === before) break;
  }
  return out;
}

/** What a command prints for an error, and the exit code (see {@link reportError}). */
export interface ErrorReport {
  readonly exitCode: number;
  /** The first line, without the `error: ` tag. */
  readonly message: string;
  /** Further lines, printed as they are. */
  readonly details: readonly string[];
  /** The table's key of the error (`OrchestratorError/STAGE_FAILED`), or `undefined` when unknown. */
  readonly key: string | undefined;
}

const linesOf = (error: unknown): readonly string[] => {
  const d = (error as { details?: unknown }).details;
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === "string") : [];
};

/**
 * The one place that turns an error into a message and an exit code, from the orchestrator's error
 * table: the message in public words, one line per problem (each dataset issue once), the real
 * cause of an environment problem (`<path>: read-only file system`), and "internal error" for an
 * error the table does not know.
 */
export function describeError(error: unknown): ErrorReport {
  const found = lookupError(error);
  const system = systemCause(error);
  const systemEntry = system === undefined ? undefined : lookupError(system);
  // an operating-system error behind a wrapper the table counts as a failure: the environment's fault
  if (
    system !== undefined &&
    systemEntry !== undefined &&
    (found === undefined || found.entry.exitCode === 1 || found.name === "SystemError")
  ) {
    const where = typeof system.path === "string" ? `${system.path}: ` : "";
    return {
      exitCode: systemEntry.entry.exitCode,
      message: `${where}${systemEntry.entry.meaning}`,
      details: [],
      key: `SystemError/${systemEntry.code}`,
    };
  }
  if (found === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      exitCode: EXIT_CODES.failed,
      message: `internal error: ${message}`,
      details: [],
      key: undefined,
    };
  }
  const raw = error instanceof Error ? error.message : "";
  const [first = "", ...rest] = publicMessage(found.name === "CLIError" ? stripAnsi(raw) : raw).split("\n");
  const issues = issuesOfError(error);
  if (issues.length > 0) {
    // the message repeats the first issue; the lines below list them all, each once
    const head = first.replace(/; first: .*$/, "");
    return {
      exitCode: found.entry.exitCode,
      message: `${found.entry.meaning}: ${head}`,
      details: describeIssues(issues).map(printable),
      key: `${found.name}/${found.code}`,
    };
  }
  // a detail line the message already says (a single problem) is not printed again
  const own = linesOf(error).filter((line) => !first.includes(line.trim()));
  const details = CliError.is(error) ? own : own.length > 0 ? own.map((l) => `  ${publicMessage(l)}`) : rest;
  const message = first.trim() === "" ? found.entry.meaning : first;
  return { exitCode: found.entry.exitCode, message, details, key: `${found.name}/${found.code}` };
}

/** Prints an error on stderr (see {@link describeError}) and returns its exit code. */
export function reportError(error: unknown, io: CliIo): number {
  const c = createPalette(io);
  const report = describeError(error);
  io.stderr(`${c.red("error")}: ${report.message}\n`);
  for (const line of report.details) io.stderr(`${line}\n`);
  const debug = io.env.RLVR_DEBUG !== undefined && io.env.RLVR_DEBUG !== "";
  if (report.key === undefined) {
    io.stderr(debug ? `${stackOf(error)}\n` : "Set RLVR_DEBUG=1 for a stack trace, and report it.\n");
  } else if (debug) {
    io.stderr(`(${report.key})\n`);
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined) io.stderr(`${stackOf(cause)}\n`);
  }
  return report.exitCode;
}

function stackOf(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}
