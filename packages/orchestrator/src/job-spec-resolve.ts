// Checking a job spec, filling its defaults in one place, reading and merging job files.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseJsonText, propensityPointerProblem } from "@rlvr/dataset";
import { describeAjvErrors, MAX_LABEL_STEM_LENGTH, sanitizeLabel } from "@rlvr/job-record";
import { resolveTrainConfig } from "@rlvr/rlvr-loop";
import { validateSearchSpace } from "@rlvr/tuner";
import { Ajv, type ValidateFunction } from "ajv";
import { DEFAULT_SEARCH_SPACE, DEFAULT_TUNER_SETTINGS } from "./defaults.js";
import { OrchestratorError } from "./errors.js";
import {
  DEFAULT_EVALUATION,
  DEFAULT_LABEL,
  DEFAULT_SPLIT,
  type JobFile,
  JobFileSchema,
  type JobSpec,
  JobSpecSchema,
  type ResolvedJobSpec,
} from "./job-spec.js";

let specValidator: ValidateFunction | undefined;
let fileValidator: ValidateFunction | undefined;

function plainSchema(schema: object): object {
  return JSON.parse(JSON.stringify(schema)) as object;
}

function compile(schema: object): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  return ajv.compile(plainSchema(schema));
}

function checkedSearchSpace(value: unknown, problems: string[], where: string): void {
  for (const issue of validateSearchSpace(value)) {
    problems.push(`${where}/searchSpace${issue.path}: ${issue.message}`);
  }
}

/** Why a label cannot name files (see `sanitizeLabel`), or undefined. */
function labelProblem(label: string): string | undefined {
  if (/\p{Cs}/u.test(label)) return "contains a lone UTF-16 surrogate (not a character)";
  const length = sanitizeLabel(label).length;
  if (length > MAX_LABEL_STEM_LENGTH) {
    return `its file-name stem would have ${length} characters, more than ${MAX_LABEL_STEM_LENGTH} (use a shorter label, or fewer characters outside A-Z, a-z, 0-9, ".", "_", "-")`;
  }
  return undefined;
}

/**
 * Checks a value against {@link JobSpecSchema} (or {@link JobFileSchema} with `file: true`) and the
 * rules JSON Schema cannot say (search space rules, split fractions summing to at most 1). Never
 * throws for bad input.
 * @param value - the candidate spec (typically parsed JSON)
 * @param options - `file: true` checks a job file (datasets optional)
 * @returns one `pointer: message` line per problem; empty when valid
 */
export function validateJobSpec(value: unknown, options: { readonly file?: boolean } = {}): string[] {
  if (options.file) {
    if (fileValidator === undefined) fileValidator = compile(JobFileSchema);
  } else if (specValidator === undefined) {
    specValidator = compile(JobSpecSchema);
  }
  const validate = (options.file ? fileValidator : specValidator) as ValidateFunction;
  if (!validate(value)) return describeAjvErrors(validate.errors);
  const problems: string[] = [];
  const spec = value as JobFile;
  if (typeof spec.propensityPointer === "string") {
    const problem = propensityPointerProblem(spec.propensityPointer);
    if (problem !== undefined) problems.push(`/propensityPointer: ${problem}`);
    else if (spec.format === "rlvr" || spec.format === "jsonl") {
      problems.push(
        `/propensityPointer: applies to the learning-trace, legacy-rlvr and completions formats only; ${spec.format} examples carry behaviorProb themselves`,
      );
    }
  }
  if (typeof spec.label === "string") {
    const problem = labelProblem(spec.label);
    if (problem !== undefined) problems.push(`/label: ${problem}`);
  }
  if (spec.searchSpace !== undefined) checkedSearchSpace(spec.searchSpace, problems, "");
  const v = spec.split?.validation ?? DEFAULT_SPLIT.validation;
  const t = spec.split?.test ?? DEFAULT_SPLIT.test;
  if (v + t >= 1) problems.push(`/split: validation + test must leave groups for train (got ${v} + ${t})`);
  if (spec.rlvr !== undefined) {
    try {
      resolveTrainConfig(spec.rlvr);
    } catch (error) {
      problems.push(`/rlvr: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * Fills every default of a job spec in one place and checks it. Relative paths are resolved against
 * `options.baseDir` (the current folder by default).
 * @param spec - the job spec
 * @param options - `baseDir`: folder relative paths are resolved against (default `process.cwd()` via `path.resolve`)
 * @returns the resolved spec
 * @throws {@link OrchestratorError} `INVALID_SPEC` listing every problem
 */
export function resolveJobSpec(spec: JobSpec, options: { readonly baseDir?: string } = {}): ResolvedJobSpec {
  const problems = validateJobSpec(spec);
  if (problems.length > 0) {
    throw new OrchestratorError("INVALID_SPEC", `invalid job spec:\n  ${problems.join("\n  ")}`, {
      details: problems,
    });
  }
  const base = options.baseDir ?? ".";
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const seed = spec.seed ?? 0;
  const outDir = abs(spec.outDir ?? ".");
  const registryPath =
    spec.registryPath === null
      ? null
      : spec.registryPath === undefined
        ? join(outDir, ".rlvr", "registry.db")
        : abs(spec.registryPath);
  const rlvr = resolveTrainConfig({ ...(spec.rlvr ?? {}), seed: spec.rlvr?.seed ?? seed });
  const mode = spec.mode ?? "full";
  return {
    mode,
    datasets: spec.datasets.map(abs),
    format: spec.format ?? "auto",
    propensityPointer: spec.propensityPointer ?? null,
    seed,
    label: spec.label ?? DEFAULT_LABEL,
    outDir,
    registryPath,
    split: {
      validation: spec.split?.validation ?? DEFAULT_SPLIT.validation,
      test: spec.split?.test ?? DEFAULT_SPLIT.test,
    },
    rlvr,
    searchSpace: mode === "train" ? {} : (spec.searchSpace ?? DEFAULT_SEARCH_SPACE),
    tuner: { ...DEFAULT_TUNER_SETTINGS, ...(spec.tuner ?? {}) },
    finalTraining: spec.finalTraining ?? "train",
    evaluation: { ...DEFAULT_EVALUATION, ...(spec.evaluation ?? {}) },
    shipping: { policy: spec.shipping?.policy ?? "safe" },
  };
}

/**
 * Reads a job file (`--config job.json`): JSON following {@link JobFileSchema}. Relative `datasets`,
 * `outDir` and `registryPath` are made absolute against the file's folder.
 * @param path - the job file
 * @returns the job file's content with absolute paths
 * @throws {@link OrchestratorError} `IO_ERROR` when unreadable, `INVALID_SPEC` naming the file and
 *   every problem's JSON pointer (also for text that is not strict JSON: a syntax error, a duplicate
 *   key, a number out of range, with its line)
 */
export async function readJobFile(path: string): Promise<JobFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new OrchestratorError("IO_ERROR", `cannot read the job file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = parseJsonText(text, { file: path });
  } catch (error) {
    const details = (error as { details?: readonly string[] }).details ?? [];
    throw new OrchestratorError("INVALID_SPEC", `not valid JSON: ${(error as Error).message}`, {
      cause: error,
      details,
    });
  }
  const problems = validateJobSpec(value, { file: true });
  if (problems.length > 0) {
    throw new OrchestratorError("INVALID_SPEC", `${path}: invalid job file:\n  ${problems.join("\n  ")}`, {
      details: problems.map((p) => `${path}: ${p}`),
    });
  }
  const file = value as JobFile;
  const dir = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const { $schema: _ignored, ...rest } = file;
  return {
    ...rest,
    ...(file.datasets !== undefined ? { datasets: file.datasets.map(abs) } : {}),
    ...(file.outDir !== undefined ? { outDir: abs(file.outDir) } : {}),
    ...(typeof file.registryPath === "string" ? { registryPath: abs(file.registryPath) } : {}),
  };
}

/**
 * Merges job specs left to right (a job file, then command-line flags): later members win; `split`,
 * `tuner` and `evaluation` are merged member by member, `rlvr` one level deep (nested objects member
 * by member), `datasets` and `searchSpace` replaced. `undefined` members are ignored.
 * @param specs - the specs, lowest priority first
 */
export function mergeJobSpecs(...specs: readonly Partial<JobFile>[]): JobFile {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    for (const [key, value] of Object.entries(spec)) {
      if (value === undefined) continue;
      const prev = out[key];
      if (
        (key === "split" || key === "tuner" || key === "evaluation") &&
        typeof prev === "object" &&
        prev !== null
      ) {
        out[key] = { ...prev, ...(value as object) };
      } else if (key === "rlvr" && typeof prev === "object" && prev !== null) {
        const merged: Record<string, unknown> = { ...(prev as Record<string, unknown>) };
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const p = merged[k];
          merged[k] =
            typeof p === "object" &&
            p !== null &&
            !Array.isArray(p) &&
            typeof v === "object" &&
            v !== null &&
            !Array.isArray(v)
              ? { ...p, ...v }
              : v;
        }
        out[key] = merged;
      } else {
        out[key] = value;
      }
    }
  }
  return out as JobFile;
}

/** The JSON Schema of a job file (draft-07 dialect), for editors and other languages. */
export function jobFileJsonSchema(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...(plainSchema(JobFileSchema) as Record<string, unknown>),
  };
}
