import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type DatasetFormat, propensityPointerProblem } from "@rlvr/dataset";
import { describeAjvErrors, type JobMode, JobModeSchema } from "@rlvr/job-record";
import { type PartialTrainConfig, resolveTrainConfig, type TrainConfig } from "@rlvr/rlvr-loop";
import { type SearchSpaceSpec, validateSearchSpace } from "@rlvr/tuner";
import { Ajv, type ValidateFunction } from "ajv";
import { type Static, Type } from "typebox";
import { DEFAULT_SEARCH_SPACE, DEFAULT_TUNER_SETTINGS } from "./defaults.js";
import { OrchestratorError } from "./errors.js";

/** Which stages a job runs: defined with the job record (`@rlvr/job-record`), re-exported here. */
export { type JobMode, JobModeSchema };

/** Largest accepted seed: the RLVR loop's seeds are 32-bit unsigned integers. */
export const MAX_SEED = 4294967295;

const Fraction = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

/** Objective of the tuning stage, measured on the validation split (always maximised). */
export const TuningObjectiveSchema = Type.Union([Type.Literal("dr"), Type.Literal("dr_lower")], {
  description:
    '"dr": the doubly robust estimate of the policy\'s value; "dr_lower": the lower end of its bootstrap interval (default: offline selection overfits noisy estimates).',
});

/** Tuner settings of a job (see docs/orchestrator.md for the defaults). */
export const TunerSettingsSchema = Type.Object(
  {
    trials: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: "Total trials." })),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        description: "Trials run at once. Does not change any result (the tuner's pending window does).",
      }),
    ),
    sampler: Type.Optional(
      Type.Union([Type.Literal("tpe"), Type.Literal("random"), Type.Literal("grid")], {
        description: "Sampler.",
      }),
    ),
    pruner: Type.Optional(
      Type.Union([Type.Literal("median"), Type.Literal("successive_halving"), Type.Literal("none")], {
        description: "Pruner, judging the per-epoch validation metric.",
      }),
    ),
    objective: Type.Optional(TuningObjectiveSchema),
    nStartupTrials: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100000, description: "Random trials before TPE starts." }),
    ),
    pendingWindow: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1024,
        description: "The tuner's pending window: a property of the study, so it enters the fingerprint.",
      }),
    ),
    resamples: Type.Optional(
      Type.Integer({ minimum: 200, maximum: 100000, description: "Bootstrap resamples of the objective." }),
    ),
  },
  { additionalProperties: false },
);

/** Split fractions (by group; the rest is train). */
export const SplitSchema = Type.Object(
  {
    validation: Type.Optional(Fraction("Share of groups for validation (tuning objective).")),
    test: Type.Optional(Fraction("Share of groups for the held-out test evaluation.")),
  },
  { additionalProperties: false },
);

/** The shipping rule: which policy the checkpoint holds. */
export const ShippingSettingsSchema = Type.Object(
  {
    policy: Type.Optional(
      Type.Union([Type.Literal("safe"), Type.Literal("learned")], {
        description:
          "safe: ship the learned policy only when the lower bound of its paired DR difference on validation to the best baseline the data supports (the behavior, or a single action that demonstrably beats it) is above 0, else that baseline; learned: always ship the learned policy.",
      }),
    ),
  },
  { additionalProperties: false },
);

/** Settings of the final evaluation on the test split. */
export const EvaluationSettingsSchema = Type.Object(
  {
    resamples: Type.Optional(
      Type.Integer({ minimum: 200, maximum: 100000, description: "Bootstrap resamples." }),
    ),
    confidence: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        description: "Confidence level of the intervals.",
      }),
    ),
  },
  { additionalProperties: false },
);

const jobProperties = {
  $schema: Type.Optional(Type.String({ description: "Ignored; lets editors find this schema." })),
  mode: Type.Optional(JobModeSchema),
  datasets: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    description: "Dataset files, read as one dataset in this order (relative to the job file in a job file).",
  }),
  format: Type.Optional(
    Type.Union(
      [
        Type.Literal("auto"),
        Type.Literal("rlvr"),
        Type.Literal("jsonl"),
        Type.Literal("learning-trace"),
        Type.Literal("legacy-rlvr"),
        Type.Literal("completions"),
      ],
      { description: "Dataset format, or auto-detection." },
    ),
  ),
  propensityPointer: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      description:
        'RFC 6901 JSON pointer into each raw record of the adapter formats (learning-trace, legacy-rlvr, completions) to the logging policy\'s probability of the action, e.g. "/metadata/behaviorProbability"; every example must have one in (0, 1]. null: none (the default).',
    }),
  ),
  seed: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_SEED, description: "Seed of every random draw of the job." }),
  ),
  label: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "Human name of the job (not an input)." }),
  ),
  outDir: Type.Optional(Type.String({ minLength: 1, description: "Output folder." })),
  registryPath: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      description: "SQLite registry file; null disables the registry.",
    }),
  ),
  split: Type.Optional(SplitSchema),
  rlvr: Type.Optional(
    Type.Unsafe<PartialTrainConfig>({
      type: "object",
      description: "Partial @rlvr/rlvr-loop TrainConfig; tuned parameters override it.",
    }),
  ),
  searchSpace: Type.Optional(
    Type.Unsafe<SearchSpaceSpec>({
      type: "object",
      description: "Search space (@rlvr/tuner spec); parameter names are dotted paths into the TrainConfig.",
    }),
  ),
  tuner: Type.Optional(TunerSettingsSchema),
  finalTraining: Type.Optional(
    Type.Union([Type.Literal("train+validation"), Type.Literal("train")], {
      description:
        "Data of the final training with the best parameters: train (the best trial reproduced, validation held out for the shipping rule) or train+validation.",
    }),
  ),
  evaluation: Type.Optional(EvaluationSettingsSchema),
  shipping: Type.Optional(ShippingSettingsSchema),
};

/**
 * TypeBox schema of a job spec: what `runJob` takes and what a job file (`--config job.json`)
 * holds. Unknown members are errors. See {@link resolveJobSpec} for the defaults.
 */
export const JobSpecSchema = Type.Object(jobProperties, { additionalProperties: false, title: "JobSpec" });

/**
 * TypeBox schema of a job file: a {@link JobSpecSchema} whose `datasets` may be left to the command
 * line. Relative paths in it are relative to the file's folder (see {@link readJobFile}).
 */
export const JobFileSchema = Type.Object(
  { ...jobProperties, datasets: Type.Optional(jobProperties.datasets) },
  { additionalProperties: false, title: "JobFile" },
);

/** A job spec as given (every member but `datasets` optional). */
export type JobSpec = Static<typeof JobSpecSchema>;
/** A job file's content. */
export type JobFile = Static<typeof JobFileSchema>;
/** Tuner settings as given. */
export type TunerSettings = Static<typeof TunerSettingsSchema>;
/** The tuning objective. */
export type TuningObjective = Static<typeof TuningObjectiveSchema>;

/** Complete tuner settings, every default filled. */
export interface ResolvedTunerSettings {
  /** Total trials. @defaultValue 20 */
  readonly trials: number;
  /** Trials at once (does not change results). @defaultValue 1 */
  readonly concurrency: number;
  /** Sampler. @defaultValue "tpe" */
  readonly sampler: "tpe" | "random" | "grid";
  /** Pruner of the per-epoch validation metric. @defaultValue "median" */
  readonly pruner: "median" | "successive_halving" | "none";
  /** Objective on validation. @defaultValue "dr_lower" */
  readonly objective: TuningObjective;
  /** Random trials before TPE. @defaultValue 8 */
  readonly nStartupTrials: number;
  /** Tuner pending window. @defaultValue 3 */
  readonly pendingWindow: number;
  /** Bootstrap resamples of the objective's interval. @defaultValue 200 */
  readonly resamples: number;
}

/** A job spec with every default filled and every path absolute (the output of {@link resolveJobSpec}). */
export interface ResolvedJobSpec {
  /** Which stages run. @defaultValue "full" */
  readonly mode: JobMode;
  /** Dataset files (absolute). */
  readonly datasets: readonly string[];
  /** Dataset format. @defaultValue "auto" */
  readonly format: "auto" | DatasetFormat;
  /**
   * JSON pointer to each raw record's propensity (`@rlvr/dataset`'s `propensityPointer`), or null.
   * Not a fingerprint input of its own: the propensities it reads are part of the dataset's content
   * digest. @defaultValue null
   */
  readonly propensityPointer: string | null;
  /** Seed of every random draw. @defaultValue 0 */
  readonly seed: number;
  /** Human name of the job. @defaultValue "job" */
  readonly label: string;
  /** Output folder (absolute). @defaultValue the current folder */
  readonly outDir: string;
  /** Registry file (absolute), or null for none. @defaultValue `<outDir>/.rlvr/registry.db` */
  readonly registryPath: string | null;
  /** Split fractions. @defaultValue `{ validation: 0.15, test: 0.2 }` */
  readonly split: { readonly validation: number; readonly test: number };
  /** The base training configuration, every default of `@rlvr/rlvr-loop` filled (seed = the job seed). */
  readonly rlvr: TrainConfig;
  /** The search space. @defaultValue {@link DEFAULT_SEARCH_SPACE}; `{}` in mode "train" */
  readonly searchSpace: SearchSpaceSpec;
  /** Tuner settings. @defaultValue {@link DEFAULT_TUNER_SETTINGS} */
  readonly tuner: ResolvedTunerSettings;
  /** Data of the final training. @defaultValue "train" */
  readonly finalTraining: "train+validation" | "train";
  /** The shipping rule. @defaultValue `{ policy: "safe" }` */
  readonly shipping: { readonly policy: "safe" | "learned" };
  /** Test evaluation settings. @defaultValue `{ resamples: 500, confidence: 0.95 }` */
  readonly evaluation: { readonly resamples: number; readonly confidence: number };
}

/** Default split fractions (by group). */
export const DEFAULT_SPLIT = Object.freeze({ validation: 0.15, test: 0.2 });
/** Default test evaluation settings. */
export const DEFAULT_EVALUATION = Object.freeze({ resamples: 500, confidence: 0.95 });
/** Default job label. */
export const DEFAULT_LABEL = "job";

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
    throw new OrchestratorError(
      "INVALID_SPEC",
      `resolveJobSpec: invalid job spec:\n  ${problems.join("\n  ")}`,
      {
        details: problems,
      },
    );
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
 *   every problem's JSON pointer
 */
export async function readJobFile(path: string): Promise<JobFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new OrchestratorError("IO_ERROR", `readJobFile: cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OrchestratorError("INVALID_SPEC", `${path}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
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
