import { DatasetError } from "./errors.js";
import { DATASET_FORMATS, type DatasetFormat } from "./formats.js";
import { parsePointer } from "./internal/_pointer.js";
import { DEFAULT_MAX_ERRORS } from "./limits.js";
import { propensityPointerProblem } from "./propensity.js";

/**
 * What to do with learning-trace examples labelled `rewardHackingSignal: "suspected"`:
 * `keep` them (counted, with a warning), `exclude` them (counted in `excluded`), or `reject` them as
 * an issue that makes the file invalid. `"confirmed"` examples are always excluded and counted.
 */
export type SuspectedPolicy = "keep" | "exclude" | "reject";

/**
 * Where an adapter finds the decision context in a source record, as RFC 6901 JSON pointers into the
 * record. The context must not depend on the action taken, so pointers into fields written after the
 * action was chosen (`toolName`, `toolInput`, `toolOutput`, `reward`, `verificationPassed`, `labels`,
 * `durationMs`, `metadata/labels`, `metadata/verificationPassed`) are refused with `BAD_OPTIONS`. A pointer that does not resolve contributes nothing.
 */
export interface ContextMapping {
  /**
   * Pointer to the prompt text (a string); `null` for no prompt.
   * @defaultValue `"/metadata/context/prompt"`
   */
  prompt?: string | null;
  /**
   * Pointer to an object of scalar features (string, finite number or boolean); `null` for none.
   * @defaultValue `"/metadata/context/features"`
   */
  features?: string | null;
  /**
   * Extra features: feature name → pointer to a scalar value. They override same-named members of
   * `features`.
   * @defaultValue `{ source: "/source" }`
   */
  featureFields?: Readonly<Record<string, string>>;
}

/** Options of the `learning-trace` adapter. */
export interface LearningTraceOptions {
  /**
   * Policy for examples labelled `rewardHackingSignal: "suspected"`.
   * @defaultValue `"keep"`
   */
  suspected?: SuspectedPolicy;
  /** Where the context comes from; see {@link ContextMapping} for the defaults. */
  context?: ContextMapping;
}

/** Options of the `legacy-rlvr` adapter. */
export interface LegacyRlvrOptions {
  /**
   * `verified` is `metadata.verificationPassed` when that is a boolean, else `reward >= verifiedThreshold`.
   * @defaultValue 0.5
   */
  verifiedThreshold?: number;
  /**
   * Policy for examples whose `metadata.labels.rewardHackingSignal` is `"suspected"` (`"confirmed"`
   * ones are always excluded).
   * @defaultValue `"keep"`
   */
  suspected?: SuspectedPolicy;
  /** Where the context comes from; see {@link ContextMapping} for the defaults. */
  context?: ContextMapping;
}

/** Options of the `completions` adapter. */
export interface CompletionsOptions {
  /**
   * `verified` is the record's boolean `verified` when present, else `reward >= verifiedThreshold`
   * (after rescaling by `rewardRange`).
   * @defaultValue 0.5
   */
  verifiedThreshold?: number;
  /**
   * Range `[min, max]` of the record's `reward`; rewards are rescaled linearly to [0, 1] and values
   * outside the range are rejected. Components in `rewards` must already be in [0, 1].
   * @defaultValue `[0, 1]`
   */
  rewardRange?: readonly [number, number];
}

/** Options of `validateDatasetFile` and `loadDataset`. */
export interface ReadOptions {
  /**
   * Format of the file(s), or `"auto"` to detect it from the content (reported; ambiguity is an issue).
   * @defaultValue `"auto"`
   */
  format?: DatasetFormat | "auto";
  /**
   * Issues collected per file; reading stops at the first issue beyond it (`issuesTruncated`).
   * @defaultValue 100
   */
  maxErrors?: number;
  /** Options of the learning-trace adapter. */
  trace?: LearningTraceOptions;
  /** Options of the legacy-rlvr adapter. */
  legacy?: LegacyRlvrOptions;
  /** Options of the completions adapter. */
  completions?: CompletionsOptions;
  /**
   * Where the logging policy's probability of the action taken is in each source record: an RFC 6901
   * JSON pointer (`~0` and `~1` escapes) into the raw record (for a learning-trace or legacy-rlvr
   * document, the object in its `examples` array; for completions, the line's object), e.g.
   * `"/metadata/behaviorProbability"`. The number found becomes the example's `behaviorProb`. Every
   * example must have one in (0, 1]: a pointer that resolves to nothing, a non-number or a number
   * outside (0, 1] is an issue of the file. Applies to the adapter formats only: with `format` `rlvr`
   * or `jsonl` it is `BAD_OPTIONS`, and a file detected as one of them gets an `OPTION_NOT_APPLICABLE`
   * issue (their examples carry `behaviorProb` themselves). `null` or absent: no propensities are read.
   * @defaultValue `null`
   */
  propensityPointer?: string | null;
  /**
   * Compute the content digest. `false` skips canonicalisation and hashing when only validity and
   * statistics matter (`ValidationReport.digest` is then `""`); `loadDataset` always computes it.
   * @defaultValue true
   */
  digest?: boolean;
  /** Aborts reading (between chunks of a JSONL file, or between files) with a `DatasetError` `ABORTED`. */
  signal?: AbortSignal;
}

/** Context mapping with defaults filled and pointers parsed. */
export interface ResolvedContextMapping {
  prompt: { pointer: string; tokens: string[] } | undefined;
  features: { pointer: string; tokens: string[] } | undefined;
  featureFields: { name: string; pointer: string; tokens: string[] }[];
}

/** Options with defaults filled in, in one place. */
export interface ResolvedReadOptions {
  format: DatasetFormat | "auto";
  maxErrors: number;
  trace: { suspected: SuspectedPolicy; context: ResolvedContextMapping };
  legacy: { verifiedThreshold: number; suspected: SuspectedPolicy; context: ResolvedContextMapping };
  completions: { verifiedThreshold: number; rewardMin: number; rewardMax: number };
  /** The propensity pointer, parsed; undefined when not given. */
  propensity: { pointer: string; tokens: string[] } | undefined;
  digest: boolean;
  signal: AbortSignal | undefined;
}

const OUTCOME_FIELDS = [
  "toolName",
  "toolInput",
  "toolOutput",
  "reward",
  "verificationPassed",
  "labels",
  "durationMs",
];
const OUTCOME_METADATA = ["labels", "verificationPassed"];

function bad(message: string): never {
  throw new DatasetError("BAD_OPTIONS", `invalid read options: ${message}`);
}

function pointerOption(name: string, pointer: unknown) {
  if (typeof pointer !== "string") bad(`${name} must be a JSON pointer string (got ${typeof pointer})`);
  const tokens = parsePointer(pointer);
  if (tokens === undefined || tokens.length === 0) {
    bad(
      `${name} must be a non-empty RFC 6901 JSON pointer such as "/metadata/context" (got ${JSON.stringify(pointer)})`,
    );
  }
  const leaky = OUTCOME_FIELDS.includes(tokens[0]!)
    ? tokens[0]
    : tokens[0] === "metadata" && OUTCOME_METADATA.includes(tokens[1] ?? "")
      ? `metadata/${tokens[1]}`
      : undefined;
  if (leaky !== undefined) {
    bad(
      `${name} ${JSON.stringify(pointer)} points into "${leaky}", which is written after the action was chosen and would leak it into the context`,
    );
  }
  return { pointer, tokens };
}

function resolveContext(where: string, m: ContextMapping | undefined): ResolvedContextMapping {
  if (m !== undefined && (typeof m !== "object" || m === null)) bad(`${where}.context must be an object`);
  const prompt = m?.prompt === undefined ? "/metadata/context/prompt" : m.prompt;
  const features = m?.features === undefined ? "/metadata/context/features" : m.features;
  const fields = m?.featureFields ?? { source: "/source" };
  if (typeof fields !== "object" || fields === null) bad(`${where}.context.featureFields must be an object`);
  return {
    prompt: prompt === null ? undefined : pointerOption(`${where}.context.prompt`, prompt),
    features: features === null ? undefined : pointerOption(`${where}.context.features`, features),
    featureFields: Object.keys(fields)
      .sort()
      .map((name) => {
        if (name === "" || name === "__proto__" || name === "constructor" || name === "prototype") {
          bad(`${where}.context.featureFields has an invalid feature name ${JSON.stringify(name)}`);
        }
        return { name, ...pointerOption(`${where}.context.featureFields.${name}`, fields[name]) };
      }),
  };
}

function policy(name: string, v: unknown): SuspectedPolicy {
  if (v === undefined) return "keep";
  if (v !== "keep" && v !== "exclude" && v !== "reject") {
    bad(`${name} must be "keep", "exclude" or "reject" (got ${JSON.stringify(v)})`);
  }
  return v;
}

function unit(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v >= 0 && v <= 1))
    bad(`${name} must be a number in [0, 1] (got ${String(v)})`);
  return v;
}

/** Validate options and fill in the defaults; throws `DatasetError` `BAD_OPTIONS` naming the option. */
export function resolveReadOptions(options: ReadOptions | undefined): ResolvedReadOptions {
  const o = options ?? {};
  if (typeof o !== "object" || o === null) bad("options must be an object");
  const format = o.format ?? "auto";
  if (format !== "auto" && !DATASET_FORMATS.includes(format)) {
    bad(`format must be "auto" or one of ${DATASET_FORMATS.join(", ")} (got ${JSON.stringify(format)})`);
  }
  const maxErrors = o.maxErrors ?? DEFAULT_MAX_ERRORS;
  if (!Number.isSafeInteger(maxErrors) || maxErrors < 1) {
    bad(`maxErrors must be a positive integer (got ${String(maxErrors)})`);
  }
  const range = o.completions?.rewardRange ?? [0, 1];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !Number.isFinite(range[0]) ||
    !Number.isFinite(range[1]) ||
    !(range[0] < range[1])
  ) {
    bad(`completions.rewardRange must be [min, max] with finite min < max (got ${JSON.stringify(range)})`);
  }
  const propensityPointer = o.propensityPointer ?? null;
  if (propensityPointer !== null) {
    const problem = propensityPointerProblem(propensityPointer);
    if (problem !== undefined) bad(`propensityPointer ${problem}`);
    if (format === "rlvr" || format === "jsonl") {
      bad(
        `propensityPointer applies to the learning-trace, legacy-rlvr and completions formats only; ${format} examples carry behaviorProb themselves`,
      );
    }
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) bad("signal must be an AbortSignal");
  if (o.digest !== undefined && typeof o.digest !== "boolean")
    bad(`digest must be a boolean (got ${String(o.digest)})`);
  return {
    format,
    maxErrors,
    trace: {
      suspected: policy("trace.suspected", o.trace?.suspected),
      context: resolveContext("trace", o.trace?.context),
    },
    legacy: {
      verifiedThreshold: unit("legacy.verifiedThreshold", o.legacy?.verifiedThreshold, 0.5),
      suspected: policy("legacy.suspected", o.legacy?.suspected),
      context: resolveContext("legacy", o.legacy?.context),
    },
    completions: {
      verifiedThreshold: unit("completions.verifiedThreshold", o.completions?.verifiedThreshold, 0.5),
      rewardMin: range[0],
      rewardMax: range[1],
    },
    propensity:
      propensityPointer === null
        ? undefined
        : { pointer: propensityPointer, tokens: parsePointer(propensityPointer) as string[] },
    digest: o.digest ?? true,
    signal: o.signal,
  };
}
