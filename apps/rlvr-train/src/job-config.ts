import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { CliError } from "./errors.js";

/**
 * The part of a job file (`--config job.json`) that the CLI reads today. Every field is optional;
 * unknown fields are an error so that a typo never silently falls back to a default.
 */
export interface JobConfig {
  /** Seed of every random draw of the job. */
  readonly seed?: number;
  /** Human name of the job (not a reproducibility input). */
  readonly label?: string;
  /** Training configuration for @rlvr/rlvr-loop. */
  readonly rlvr?: Readonly<Record<string, unknown>>;
  /** Hyperparameter search space for @rlvr/tuner. */
  readonly searchSpace?: Readonly<Record<string, unknown>>;
  /** Tuner settings (sampler, trials, pruner). */
  readonly tuner?: Readonly<Record<string, unknown>>;
}

const OBJECT_FIELDS = ["rlvr", "searchSpace", "tuner"] as const;
const KNOWN = new Set(["$schema", "seed", "label", ...OBJECT_FIELDS]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads and checks a job file; every problem is a `BAD_INPUT` error naming the file and JSON pointer. */
export async function readJobConfig(file: string, cwd: string): Promise<JobConfig> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : String(code);
    throw new CliError("BAD_INPUT", `${file}: cannot read job config: ${why}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError("BAD_INPUT", `${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const problems: string[] = [];
  if (!isPlainObject(value)) {
    throw new CliError("BAD_INPUT", `${file}: /: expected a JSON object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value).sort()) {
    if (!KNOWN.has(key)) {
      problems.push(
        `${file}: /${escapePointer(key)}: unknown field (expected one of ${[...KNOWN].join(", ")})`,
      );
    }
  }
  const { seed, label } = value;
  if (seed !== undefined && !(Number.isSafeInteger(seed) && (seed as number) >= 0)) {
    problems.push(`${file}: /seed: expected a non-negative integer, got ${describe(seed)}`);
  }
  if (label !== undefined && (typeof label !== "string" || label.length === 0)) {
    problems.push(`${file}: /label: expected a non-empty string, got ${describe(label)}`);
  }
  for (const key of OBJECT_FIELDS) {
    if (value[key] !== undefined && !isPlainObject(value[key])) {
      problems.push(`${file}: /${key}: expected an object, got ${describe(value[key])}`);
    }
  }
  if (problems.length > 0) {
    throw new CliError("BAD_INPUT", `${file}: invalid job config (${problems.length} problem(s))`, {
      details: problems,
    });
  }
  return value as JobConfig;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
