import { isAbsolute, resolve } from "node:path";
import {
  EXECUTOR_NAMES,
  type ExecutorFactory,
  executorFactory,
  type JobFile,
  type JobSpec,
  MAX_SEED,
  mergeJobSpecs,
  OrchestratorError,
  readJobFile,
} from "@rlvr/orchestrator";
import type { ArgsDef } from "citty";
import { optionalString, parseSeed } from "./args.js";
import { CliError } from "./errors.js";
import { FORMAT_OPTIONS, PROPENSITY_POINTER_HELP, parsePropensityPointer } from "./formats.js";

/** Options shared by `run`, `tune`, `train` and `eval` (citty argument definitions). */
export const JOB_ARGS = {
  dataset: {
    type: "string",
    description: "Dataset file (repeat the flag, or list more files after it)",
    valueHint: "file...",
  },
  config: {
    type: "string",
    description: "Job file (JSON, see docs/orchestrator.md); flags override its members",
    valueHint: "job.json",
  },
  format: {
    type: "enum",
    options: [...FORMAT_OPTIONS],
    description: "Dataset format (default: the job file's, else auto)",
  },
  "propensity-pointer": {
    type: "string",
    description: `${PROPENSITY_POINTER_HELP} (default: the job file's, else none)`,
    valueHint: "pointer",
  },
  seed: {
    type: "string",
    description: "Seed of every random draw (default: the job file's, else 0)",
    valueHint: "S",
  },
  label: {
    type: "string",
    description: 'Job label; output file names come from it (default "job")',
    valueHint: "L",
  },
  out: {
    type: "string",
    description: "Output folder; nothing is written outside it (default: .)",
    valueHint: "DIR",
  },
  trials: { type: "string", description: "Tuning trials (default 20)", valueHint: "N" },
  concurrency: {
    type: "string",
    description: "Trials run at once; never changes the result (default 1)",
    valueHint: "N",
  },
  registry: {
    type: "string",
    description: "SQLite run registry (default: <out>/.rlvr/registry.db)",
    valueHint: "file",
  },
  resume: { type: "boolean", description: "Continue an interrupted job from its finished stages and trials" },
  json: { type: "boolean", description: "Print the job record as JSON on stdout and no progress" },
} as const satisfies ArgsDef;

/** The Redis endpoint flags shared by the commands that tune (`--executor bullmq`) and `worker`. */
export const REDIS_ARGS = {
  redis: {
    type: "string",
    description:
      "Redis URL of the trial queue: redis://[[user]:password@]host[:port][/db], or rediss:// for TLS (default: $RLVR_REDIS_URL, which keeps a password out of the process list)",
    valueHint: "URL",
  },
  queue: {
    type: "string",
    description: 'Name of the trial queue; the job and its workers must agree (default "trials")',
    valueHint: "NAME",
  },
} as const satisfies ArgsDef;

/** The executor flags of the commands that tune (`run`, `tune`, `demo`). */
export const EXECUTOR_ARGS = {
  executor: {
    type: "enum",
    options: [...EXECUTOR_NAMES],
    description:
      "Where tuning trials run: inline (this thread), worker-pool (threads of this process), bullmq (`rlvr-train worker` processes on any machine, through Redis); never changes the result (default: inline, worker-pool with --concurrency above 1, bullmq with --redis)",
  },
  ...REDIS_ARGS,
} as const satisfies ArgsDef;

/** Parsed values of {@link REDIS_ARGS}. */
export interface RedisArgValues {
  readonly redis?: unknown;
  readonly queue?: unknown;
}

/**
 * The Redis endpoint of `--redis` (else `$RLVR_REDIS_URL`) and `--queue`, or null when neither
 * names a URL.
 */
export function redisEndpoint(
  args: RedisArgValues,
  env: Readonly<Record<string, string | undefined>>,
): { readonly redis: string; readonly queue?: string } | null {
  const url = optionalString(args.redis, "--redis") ?? (env.RLVR_REDIS_URL || undefined);
  if (url === undefined) return null;
  if (!/^rediss?:\/\/[^/?#\s]/.test(url)) {
    throw new CliError(
      "USAGE",
      `--redis: expected a redis:// or rediss:// URL, got ${JSON.stringify(url.replace(/:[^:@/]*@/, ":***@"))}`,
    );
  }
  const queue = optionalString(args.queue, "--queue");
  return { redis: url, ...(queue === undefined ? {} : { queue }) };
}

/**
 * The executor of `--executor` and `--redis`: `--redis` alone means bullmq; bullmq without a URL
 * (flag or `$RLVR_REDIS_URL`) and `--redis` with another executor are usage errors. Undefined leaves
 * the choice to the job (inline, or worker-pool with `--concurrency` above 1).
 */
export function parseExecutor(
  args: RedisArgValues & { readonly executor?: unknown },
  env: Readonly<Record<string, string | undefined>>,
): ExecutorFactory | undefined {
  const name = optionalString(args.executor, "--executor");
  const flagged = optionalString(args.redis, "--redis") !== undefined;
  if (name === undefined && !flagged) return undefined;
  if (name !== undefined && name !== "bullmq") {
    if (flagged) throw new CliError("USAGE", `--redis only applies to --executor bullmq, not ${name}`);
    return executorFactory(name);
  }
  const endpoint = redisEndpoint(args, env);
  if (endpoint === null) {
    throw new CliError(
      "USAGE",
      "--executor bullmq needs the queue's Redis URL: --redis URL or RLVR_REDIS_URL",
    );
  }
  return executorFactory("bullmq", endpoint);
}

/** The shipping rule flag of the commands that train a final policy (`run`, `train`, `demo`). */
export const SHIP_ARGS = {
  ship: {
    type: "string",
    description:
      "Shipping rule: safe ships the learned policy only if it beats the best baseline the data supports on validation (paired interval above 0), else that baseline; learned always ships it (default: the job file's, else safe)",
    valueHint: "safe|learned",
  },
} as const satisfies ArgsDef;

/** Values of `--ship`. */
export const SHIP_RULES = ["safe", "learned"] as const;

/** Parses `--ship`: `safe` or `learned`. */
export function parseShip(text: string): (typeof SHIP_RULES)[number] {
  if (!(SHIP_RULES as readonly string[]).includes(text)) {
    throw new CliError("USAGE", `--ship: expected safe or learned, got ${JSON.stringify(text)}`);
  }
  return text as (typeof SHIP_RULES)[number];
}

/** Parsed values of {@link JOB_ARGS} as citty hands them over. */
export interface JobArgValues {
  readonly _: readonly string[];
  readonly dataset?: unknown;
  readonly config?: unknown;
  readonly format?: unknown;
  readonly "propensity-pointer"?: unknown;
  readonly seed?: unknown;
  readonly label?: unknown;
  readonly out?: unknown;
  readonly trials?: unknown;
  readonly concurrency?: unknown;
  readonly registry?: unknown;
  /** `--ship` ({@link SHIP_ARGS}), on the commands that declare it. */
  readonly ship?: unknown;
}

/** Parses a positive integer flag within `[1, max]`. */
export function parseCount(text: string, flag: string, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new CliError("USAGE", `${flag}: expected an integer from 1 to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

const abs = (cwd: string, p: string) => (isAbsolute(p) ? p : resolve(cwd, p));

/** Dataset files from `--dataset a --dataset b` and from positional arguments after it. */
export function datasetFiles(args: JobArgValues): string[] {
  const given = args.dataset;
  const flags =
    given === undefined || given === false ? [] : Array.isArray(given) ? given.map(String) : [String(given)];
  for (const f of flags) if (f.length === 0) throw new CliError("USAGE", "option --dataset needs a value");
  return [...flags, ...args._];
}

/**
 * Builds the job spec of a command: the job file (`--config`) first, then the flags over it. Paths
 * on the command line are relative to the working folder, paths in the job file to its folder.
 * @param defaults - members used when neither the job file nor a flag gives them (e.g. demo's dataset)
 * @throws {@link CliError} `USAGE` for a bad flag, `BAD_INPUT` for an unreadable or invalid job file
 */
export async function buildJobSpec(
  args: JobArgValues,
  cwd: string,
  defaults: Partial<JobFile> = {},
): Promise<JobSpec> {
  const configFile = optionalString(args.config, "--config");
  let file: JobFile = {};
  if (configFile !== undefined) {
    try {
      file = await readJobFile(abs(cwd, configFile));
    } catch (error) {
      if (OrchestratorError.is(error)) {
        throw new CliError("BAD_INPUT", error.message.split("\n")[0] ?? error.message, {
          cause: error,
          details: error.details.map((d) => `  ${d}`),
        });
      }
      throw error;
    }
  }
  const seedText = optionalString(args.seed, "--seed");
  const seed = seedText === undefined ? undefined : parseSeed(seedText, "--seed");
  if (seed !== undefined && seed > MAX_SEED) {
    throw new CliError("USAGE", `--seed: at most ${MAX_SEED} (a 32-bit unsigned integer), got ${seed}`);
  }
  const trialsText = optionalString(args.trials, "--trials");
  const concurrencyText = optionalString(args.concurrency, "--concurrency");
  const tuner = {
    ...(trialsText === undefined ? {} : { trials: parseCount(trialsText, "--trials", 100000) }),
    ...(concurrencyText === undefined
      ? {}
      : { concurrency: parseCount(concurrencyText, "--concurrency", 64) }),
  };
  const propensityPointer = parsePropensityPointer(
    optionalString(args["propensity-pointer"], "--propensity-pointer"),
    args.format,
  );
  const label = optionalString(args.label, "--label");
  if (label !== undefined && label.length > 200) {
    throw new CliError("USAGE", `--label: at most 200 characters, got ${label.length}`);
  }
  const shipText = optionalString(args.ship, "--ship");
  const ship = shipText === undefined ? undefined : parseShip(shipText);
  const out = optionalString(args.out, "--out");
  const registry = optionalString(args.registry, "--registry");
  const datasets = datasetFiles(args).map((f) => abs(cwd, f));
  const flags: Partial<JobFile> = {
    ...(datasets.length > 0 ? { datasets } : {}),
    ...(typeof args.format === "string" && args.format !== ""
      ? { format: args.format as JobFile["format"] }
      : {}),
    ...(propensityPointer === undefined ? {} : { propensityPointer }),
    ...(seed === undefined ? {} : { seed }),
    ...(label === undefined ? {} : { label }),
    ...(out === undefined ? {} : { outDir: abs(cwd, out) }),
    ...(registry === undefined ? {} : { registryPath: abs(cwd, registry) }),
    ...(Object.keys(tuner).length > 0 ? { tuner } : {}),
    ...(ship === undefined ? {} : { shipping: { policy: ship } }),
  };
  const merged = mergeJobSpecs({ outDir: cwd, ...defaults }, file, flags);
  if (merged.datasets === undefined || merged.datasets.length === 0) {
    throw new CliError("USAGE", "no dataset given: use --dataset <file...> or `datasets` in the job file");
  }
  return merged as JobSpec;
}
