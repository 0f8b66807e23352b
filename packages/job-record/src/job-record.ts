import { Ajv, type ValidateFunction } from "ajv";
import { type Static, type TSchema, Type } from "typebox";
import { describeAjvErrors } from "./_ajv-errors.js";

/** Version of the {@link JobRecord} layout; readers refuse other versions. */
export const JOB_RECORD_VERSION = 1;

/** JSON Schema dialect of the exported schema file. */
export const JOB_RECORD_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";

/** Which stages a job runs (see {@link JOB_MODE_STAGES}). */
export const JobModeSchema = Type.Union([Type.Literal("full"), Type.Literal("tune"), Type.Literal("train")], {
  description:
    '"full": tune, train the final policy, evaluate, checkpoint; "tune": stop after tuning; "train": no search, train with the rlvr config as given, evaluate, checkpoint (searchSpace and tuner are ignored).',
});

/** What a job runs. */
export type JobMode = Static<typeof JobModeSchema>;

const Num = (description?: string) => Type.Number(description === undefined ? {} : { description });
const Int = (description?: string) =>
  Type.Integer({ minimum: 0, ...(description === undefined ? {} : { description }) });
const Str = (description?: string) => Type.String(description === undefined ? {} : { description });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Obj = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });
const OpenObject = <T>(description: string) => Type.Unsafe<T>({ type: "object", description });
const Digest = (description: string) => Type.String({ pattern: "^sha256:[0-9a-f]{64}$", description });

/** An estimate with its bootstrap interval (percentile bootstrap over groups). */
export const EstimateSchema = Obj({
  value: Num("Point estimate."),
  lower: Num("Lower end of the interval."),
  upper: Num("Upper end of the interval."),
  standardError: Num("Standard deviation of the bootstrap replicates."),
});

/** The four off-policy estimates of one policy's value with the effective sample size. */
export const PolicyEstimatesSchema = Obj({
  ips: EstimateSchema,
  snips: EstimateSchema,
  dm: EstimateSchema,
  dr: EstimateSchema,
  effectiveSampleSize: Num("(Σw)² / Σw² of the importance weights."),
});

const SplitSizeSchema = Obj({ examples: Int(), groups: Int() });

/** One tuning trial, everything reproducible (durations and attempts are in `volatile`). */
export const TrialRecordSchema = Obj({
  number: Int("Trial number."),
  state: Type.Union([
    Type.Literal("complete"),
    Type.Literal("pruned"),
    Type.Literal("failed"),
    Type.Literal("running"),
  ]),
  params: OpenObject<Record<string, string | number | boolean>>("Parameters, by name."),
  seed: Int("Trial seed (from the study seed and the trial number)."),
  value: Nullable(Num("Objective on validation (complete trials).")),
  intermediateValues: Type.Array(Obj({ step: Int("Epoch."), value: Num("Validation metric.") })),
  error: Nullable(Obj({ name: Str(), message: Str(), code: Type.Optional(Str()) })),
});

const StageNameSchema = Type.Union(
  [
    Type.Literal("load"),
    Type.Literal("split"),
    Type.Literal("fingerprint"),
    Type.Literal("tune"),
    Type.Literal("train"),
    Type.Literal("evaluate"),
    Type.Literal("ship"),
    Type.Literal("checkpoint"),
  ],
  { description: "A pipeline stage." },
);

/** How the final model was selected (training section). */
export const SelectionSchema = Obj(
  {
    method: Type.Union([Type.Literal("best-trial"), Type.Literal("configured")], {
      description:
        "best-trial: the best tuning trial reproduced (same data, parameters and seed); configured: the job's rlvr config (no tuning).",
    }),
    trial: Nullable(Int("The reproduced trial.")),
    seed: Int("Seed of the final training."),
    validationMetric: Nullable(Str("Per-epoch validation metric (null: no validation data).")),
    bestEpoch: Nullable(Int("Epoch with the best validation value.")),
    bestValidation: Nullable(Num()),
    restoredBest: Type.Boolean({ description: "Whether the weights of bestEpoch were restored." }),
    stopReason: Str("completed, early_stopping or collapse."),
    tuningValue: Nullable(Num("The best trial's tuning objective on validation.")),
    reproducesTrial: Nullable(
      Type.Boolean({
        description:
          "Whether the final training's per-epoch validation values equal the trial's (null: not comparable).",
      }),
    ),
    summary: Str("One sentence for reports."),
  },
  "How the final model was selected.",
);

/** The shipping decision: which policy the checkpoint holds and why. */
export const ShippingSchema = Obj(
  {
    rule: Type.Union([Type.Literal("safe"), Type.Literal("learned")]),
    shipped: Type.Union([Type.Literal("learned"), Type.Literal("behavior"), Type.Literal("single-action")], {
      description:
        "learned: the trained policy; behavior: a behavior model fitted on train (imitates the logging policy); single-action: always the action below.",
    }),
    action: Nullable(Str("The action of a single-action policy.")),
    forced: Type.Boolean({
      description: "Whether the learned policy was shipped because the rule says learned.",
    }),
    reason: Str("Why, with the numbers."),
    split: Type.Literal("validation"),
    confidence: Num("Confidence level of the paired intervals."),
    validationSeenInTraining: Type.Boolean({
      description: "True with finalTraining train+validation: the bounds are then optimistic.",
    }),
    learned: PolicyEstimatesSchema,
    behavior: EstimateSchema,
    bestSingleAction: Obj({ action: Str(), estimates: PolicyEstimatesSchema }),
    singleActions: Type.Optional(
      Type.Array(
        Obj({
          action: Str(),
          dr: EstimateSchema,
          effectiveSampleSize: Num(),
          supported: Type.Boolean({
            description:
              "Effective sample size ≥ 30; an unsupported action's interval is the range of the logged rewards.",
          }),
        }),
        {
          description:
            "Every single action's DR estimate on validation with its interval and effective sample size: an action the logs rarely tried has a wide interval (no claim about it). The best single action is the one with the highest lower end.",
        },
      ),
    ),
    differences: Obj(
      {
        learnedMinusBehavior: EstimateSchema,
        learnedMinusBestSingleAction: EstimateSchema,
        bestSingleActionMinusBehavior: EstimateSchema,
      },
      "Paired DR differences on validation (the same resampled groups for both terms).",
    ),
    shippedTest: Nullable(
      Obj(
        { value: Num(), lower: Num(), upper: Num(), standardError: Num() },
        "The shipped policy's estimate on test: the learned policy's DR, the behavior's mean logged reward or the single action's DR.",
      ),
    ),
  },
  "The shipping decision, made on validation; the test evaluation does not depend on it.",
);

/** The section of a record that may differ between two runs of the same job. */
export const VolatileSchema = Obj(
  {
    startedAt: Str("ISO 8601 start time."),
    finishedAt: Str("ISO 8601 end time."),
    durationMs: Num("Wall time of the whole job (this process; a resumed job counts only its own part)."),
    stages: Type.Array(
      Obj({
        name: StageNameSchema,
        durationMs: Num("Wall time of the stage in this process."),
        share: Num("durationMs / the sum over stages, in [0, 1]."),
        resumed: Type.Boolean({ description: "Whether the stage's result came from resume state." }),
      }),
    ),
    trials: Type.Array(Obj({ number: Int(), durationMs: Nullable(Num()), attempts: Int() })),
    host: Str("Host name."),
    pid: Int("Process id."),
    resumed: Type.Boolean({ description: "Whether this run continued from resume state." }),
    datasetPaths: Type.Array(Str(), { description: "Dataset files as read (absolute)." }),
    outDir: Str("Output folder (absolute)."),
    registryPath: Nullable(Str("Registry file (absolute).")),
    stateDir: Str("Resume state folder (absolute)."),
    peakRssBytes: Int("Largest resident set size sampled at stage ends."),
  },
  "The only part of a record that may differ between two runs of the same job: times, host, paths.",
);

/** Schema of the job record (TypeBox; JSON Schema at `@rlvr/orchestrator/schema/job-record.json`). */
export const JobRecordSchema = Obj(
  {
    recordVersion: Type.Literal(JOB_RECORD_VERSION),
    jobId: Type.String({ pattern: "^job-[0-9a-f]{16}$", description: "Derived from fingerprint and label." }),
    label: Str("Human name of the job."),
    status: Type.Union([Type.Literal("succeeded"), Type.Literal("failed"), Type.Literal("cancelled")]),
    error: Nullable(
      Obj(
        { code: Str(), message: Str(), stage: Nullable(StageNameSchema) },
        "Why the job failed or was cancelled.",
      ),
    ),
    fingerprint: Digest("Fingerprint of every result-changing input (@rlvr/env-fingerprint)."),
    manifest: Nullable(
      OpenObject<Record<string, unknown>>(
        "The @rlvr/env-fingerprint manifest (recorded host, time and output folder left null: they are in volatile).",
      ),
    ),
    packages: OpenObject<Record<string, string>>("Versions of the packages that computed the result."),
    spec: Obj(
      {
        mode: Type.Optional(JobModeSchema),
        seed: Int(),
        format: Str(),
        propensityPointer: Type.Optional(
          Str("The job's propensity pointer into the raw dataset records, when one was given."),
        ),
        split: Obj({ validation: Num(), test: Num() }),
        finalTraining: Str(),
        evaluation: Obj({ resamples: Int(), confidence: Num() }),
        shipping: Type.Optional(Obj({ policy: Str("safe or learned.") })),
        tuner: OpenObject<Record<string, unknown>>("Resolved tuner settings."),
        searchSpace: OpenObject<Record<string, unknown>>("The search space."),
        baseConfig: OpenObject<Record<string, unknown>>("The resolved base TrainConfig."),
      },
      "The resolved job spec, paths excluded.",
    ),
    dataset: Nullable(
      Obj({
        digest: Digest("Content digest of the examples (@rlvr/dataset)."),
        format: Str("Detected or given format."),
        files: Type.Array(Str(), { description: "File names (no folders)." }),
        stats: OpenObject<Record<string, unknown>>("DatasetStats of @rlvr/dataset."),
        actions: Type.Array(Str(), { description: "The sorted action list of the policy." }),
      }),
    ),
    split: Nullable(
      Obj({
        seed: Int(),
        validation: Num(),
        test: Num(),
        sizes: Obj({ train: SplitSizeSchema, validation: SplitSizeSchema, test: SplitSizeSchema }),
      }),
    ),
    tuning: Nullable(
      Obj({
        objective: Str("dr or dr_lower, on validation, maximised."),
        direction: Type.Literal("maximize"),
        sampler: OpenObject<Record<string, unknown>>("The sampler's description."),
        pruner: OpenObject<Record<string, unknown>>("The pruner's description."),
        pendingWindow: Int(),
        trials: Type.Array(TrialRecordSchema),
        counts: Obj({ complete: Int(), pruned: Int(), failed: Int(), running: Int() }),
        bestTrial: Nullable(Int("Number of the best trial.")),
        bestValue: Nullable(Num()),
        bestParams: Nullable(
          OpenObject<Record<string, string | number | boolean>>("Parameters of the best trial."),
        ),
        importance: Type.Array(Obj({ name: Str(), importance: Num(), varianceExplained: Num() })),
      }),
    ),
    finalConfig: Nullable(
      OpenObject<Record<string, unknown>>("The complete TrainConfig of the final training."),
    ),
    training: Nullable(
      Obj({
        data: Str("train or train+validation."),
        examples: Int(),
        groups: Int(),
        stopReason: Str(),
        totalSteps: Int(),
        plannedSteps: Int(),
        importanceCorrection: Type.Boolean(),
        target: Type.Optional(
          Str("The offline objective used: grpo, dm or dr (@rlvr/rlvr-loop offPolicy.target)."),
        ),
        targetModels: Type.Optional(
          Nullable(
            Obj(
              { behavior: Str(), rewardModel: Str(), folds: Int() },
              "Sources of the nuisance models of dm/dr (cross-fitted on the training data).",
            ),
          ),
        ),
        selection: Type.Optional(SelectionSchema),
        degenerateGroups: Str(),
        steps: Type.Array(OpenObject<Record<string, number>>("StepMetrics of @rlvr/rlvr-loop.")),
        epochs: Type.Array(OpenObject<Record<string, number | null>>("EpochMetrics of @rlvr/rlvr-loop.")),
      }),
    ),
    evaluation: Nullable(
      Obj({
        split: Type.Literal("test"),
        examples: Int(),
        groups: Int(),
        behaviorSource: Str(),
        rewardModelSource: Str(),
        resamples: Int(),
        confidence: Num(),
        seed: Int(),
        learned: PolicyEstimatesSchema,
        baselines: Obj({
          behavior: EstimateSchema,
          uniform: PolicyEstimatesSchema,
          bestSingleAction: Obj({ action: Str(), estimates: PolicyEstimatesSchema }),
        }),
        effectiveSampleSize: Num("Of the learned policy's importance weights."),
        differences: Type.Optional(
          Obj(
            { behavior: EstimateSchema, uniform: EstimateSchema, bestSingleAction: EstimateSchema },
            "The learned policy's DR minus each baseline (the behavior's mean logged reward, the others' DR), with paired bootstrap intervals (the same resampled groups for both terms).",
          ),
        ),
        actionDistribution: Type.Optional(
          Type.Array(
            Obj({
              action: Str(),
              behavior: Num("Share of test examples that logged the action."),
              learned: Num("The learned policy's mean probability of the action on test."),
            }),
            { description: "Per action, in the dataset's action order." },
          ),
        ),
        beats: Obj(
          {
            behavior: Type.Boolean(),
            bestSingleAction: Type.Boolean(),
          },
          "Whether the learned policy's DR estimate exceeds each baseline's (point estimates).",
        ),
      }),
    ),
    shipping: Type.Optional(Nullable(ShippingSchema)),
    checkpoint: Nullable(
      Obj({
        path: Str("File name, relative to the output folder."),
        fileDigest: Digest("SHA-256 of the file's bytes."),
        contentDigest: Digest("The checkpoint header's own digest (@rlvr/rlvr-loop)."),
        bytes: Int(),
        formatVersion: Int(),
      }),
    ),
    stages: Type.Array(StageNameSchema, { description: "Stages finished, in order." }),
    volatile: VolatileSchema,
  },
  "Everything a report needs about one training job. Two runs of the same job are identical outside volatile.",
);

/** A job record. */
export type JobRecord = Static<typeof JobRecordSchema>;
/** A job record without its `volatile` section: what must be identical between two runs. */
export type StableJobRecord = Omit<JobRecord, "volatile">;
/** The record's `volatile` section. */
export type VolatileSection = Static<typeof VolatileSchema>;
/** How the final model was selected. */
export type SelectionRecord = Static<typeof SelectionSchema>;
/** The shipping decision. */
export type ShippingRecord = Static<typeof ShippingSchema>;
/** A pipeline stage name. */
export type StageName = Static<typeof StageNameSchema>;
/** One tuning trial of a record. */
export type TrialRecord = Static<typeof TrialRecordSchema>;
/** An estimate with its interval. */
export type EstimateRecord = Static<typeof EstimateSchema>;
/** The estimates of one policy. */
export type PolicyEstimatesRecord = Static<typeof PolicyEstimatesSchema>;

/** The pipeline stages, in order. */
export const STAGES: readonly StageName[] = Object.freeze([
  "load",
  "split",
  "fingerprint",
  "tune",
  "train",
  "evaluate",
  "ship",
  "checkpoint",
]);

/** The stages each job mode runs, in order. */
export const JOB_MODE_STAGES: Readonly<Record<JobMode, readonly StageName[]>> = Object.freeze({
  full: STAGES,
  tune: Object.freeze(["load", "split", "fingerprint", "tune"] as StageName[]),
  train: Object.freeze([
    "load",
    "split",
    "fingerprint",
    "train",
    "evaluate",
    "ship",
    "checkpoint",
  ] as StageName[]),
});

/** One problem found by {@link validateJobRecord}. */
export interface JobRecordIssue {
  /** RFC 6901 JSON pointer into the record (`""` for the root). */
  readonly pointer: string;
  /** What is wrong. */
  readonly message: string;
}

/** Result of {@link validateJobRecord}. */
export type JobRecordValidation =
  | { readonly valid: true; readonly record: JobRecord; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly JobRecordIssue[] };

/** The JSON Schema document of a job record, as published in `@rlvr/orchestrator/schema/job-record.json` and `@rlvr/job-record/schema/job-record.json`. */
export function jobRecordJsonSchema(): Record<string, unknown> {
  return {
    $schema: JOB_RECORD_SCHEMA_DIALECT,
    $id: "https://rlvr.dev/schema/job-record-1.json",
    title: "JobRecord",
    ...(JSON.parse(JSON.stringify(JobRecordSchema)) as Record<string, unknown>),
  };
}

/** The exact text of the published schema file: 2-space JSON and a final newline. */
export function jobRecordSchemaFileText(): string {
  return `${JSON.stringify(jobRecordJsonSchema(), null, 2)}\n`;
}

let recordValidator: ValidateFunction | undefined;

function nonFinite(value: unknown, pointer: string): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : pointer;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = nonFinite(value[i], `${pointer}/${i}`);
      if (r !== null) return r;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const r = nonFinite(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      if (r !== null) return r;
    }
  }
  return null;
}

/**
 * Validates a value against {@link JobRecordSchema} (Ajv, compiled once) plus finiteness of every
 * number. Never throws for bad input.
 * @param value - the candidate record (typically parsed JSON)
 * @returns `{ valid: true, record }` or `{ valid: false, issues }`, each issue with a JSON pointer
 */
export function validateJobRecord(value: unknown): JobRecordValidation {
  if (
    typeof value === "object" &&
    value !== null &&
    "recordVersion" in value &&
    (value as { recordVersion: unknown }).recordVersion !== JOB_RECORD_VERSION
  ) {
    return {
      valid: false,
      issues: [
        {
          pointer: "/recordVersion",
          message: `unsupported record version ${JSON.stringify((value as { recordVersion: unknown }).recordVersion)} (expected ${JOB_RECORD_VERSION})`,
        },
      ],
    };
  }
  if (recordValidator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const { $schema: _s, $id: _i, ...schema } = jobRecordJsonSchema();
    recordValidator = ajv.compile(schema);
  }
  if (!recordValidator(value)) {
    const issues = describeAjvErrors(recordValidator.errors).map((line) => {
      const at = line.indexOf(": ");
      const pointer = line.slice(0, at);
      return { pointer: pointer === "/" ? "" : pointer, message: line.slice(at + 2) };
    });
    return { valid: false, issues };
  }
  const bad = nonFinite(value, "");
  if (bad !== null) return { valid: false, issues: [{ pointer: bad, message: "must be a finite number" }] };
  return { valid: true, record: value as JobRecord, issues: [] };
}

/**
 * The record without its `volatile` section: two runs of the same job give equal results
 * (compare `JSON.stringify(stripVolatile(a)) === JSON.stringify(stripVolatile(b))`).
 * @param record - a job record
 */
export function stripVolatile(record: JobRecord): StableJobRecord {
  const { volatile: _volatile, ...stable } = record;
  return stable;
}
