// The job spec: its TypeBox schemas (a job given to `runJob`, a job file), types and defaults.
// Checking and resolving a spec, reading and merging job files: `job-spec-resolve.ts`.
import type { DatasetFormat } from "@rlvr/dataset";
import { type JobMode, JobModeSchema } from "@rlvr/job-record";
import type { PartialTrainConfig, TrainConfig } from "@rlvr/rlvr-loop";
import type { SearchSpaceSpec } from "@rlvr/tuner";
import { type Static, Type } from "typebox";
import { JOB_PRUNER_NAMES, JOB_SAMPLER_NAMES, type JobPrunerName, type JobSamplerName } from "./tables.js";

/** Which stages a job runs: defined with the job record (`@rlvr/job-record`), re-exported here. */
export { type JobMode, JobModeSchema };

/** Largest accepted seed: the RLVR loop's seeds are 32-bit unsigned integers. */
export const MAX_SEED = 4294967295;

/** One of the names of a table (`JOB_SAMPLERS`, `JOB_PRUNERS`), in the table's order. */
const OneOfNames = <T extends string>(names: readonly T[], description: string) =>
  Type.Unsafe<T>(
    Type.Union(
      names.map((name) => Type.Literal(name)),
      { description },
    ),
  );

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
    sampler: Type.Optional(OneOfNames<JobSamplerName>(JOB_SAMPLER_NAMES, "Sampler.")),
    pruner: Type.Optional(
      OneOfNames<JobPrunerName>(JOB_PRUNER_NAMES, "Pruner, judging the per-epoch validation metric."),
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
  readonly sampler: JobSamplerName;
  /** Pruner of the per-epoch validation metric. @defaultValue "median" */
  readonly pruner: JobPrunerName;
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
