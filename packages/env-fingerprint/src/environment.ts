import { readChecked } from "./_environment.js";
import type { GitState } from "./git.js";
import type { JsonObject } from "./json.js";
import type { RuntimeInfo } from "./runtime.js";

/** The dataset part of {@link TrainingEnvironmentOptions}. */
export interface DatasetOptions {
  /**
   * Content digest of the examples, as `@rlvr/dataset` computes it (`"sha256:<hex>"`): the same
   * examples in any file, key order or encoding have the same digest. Enters the fingerprint.
   */
  readonly digest: string;
  /**
   * Dataset statistics (counts, reward mean, ...). Recorded only: they are derived from the
   * content, which the digest already covers.
   * @defaultValue null
   */
  readonly stats?: object | null;
  /**
   * Detected file format (`"jsonl"`, `"learning-trace"`, ...). Recorded only: the same examples in
   * another encoding must keep the fingerprint.
   * @defaultValue null
   */
  readonly format?: string | null;
  /**
   * Files the examples were read from. Recorded only: moving a file must not change the
   * fingerprint.
   * @defaultValue `[]`
   */
  readonly paths?: readonly string[];
}

/**
 * Options of {@link createTrainingEnvironment}. A {@link TrainingEnvironment} is itself valid
 * options (`createTrainingEnvironment(env)` returns an equal environment), so a stored
 * environment can be re-created from a manifest.
 */
export interface TrainingEnvironmentOptions {
  /** Seed of every random draw of the job: a safe integer or a non-empty string. Enters the fingerprint. */
  readonly seed: number | string;
  /** The dataset: its content digest (enters) and recorded-only facts. */
  readonly dataset: DatasetOptions;
  /**
   * RLVR training configuration, with the defaults of `@rlvr/rlvr-loop` already filled in by the
   * caller (so that an explicit default and an omitted one fingerprint alike). Enters the fingerprint.
   * @defaultValue `{}`
   */
  readonly rlvrConfig?: object;
  /**
   * Hyperparameter search space of the tuner. Enters the fingerprint.
   * @defaultValue `{}`
   */
  readonly searchSpace?: object;
  /**
   * Tuner settings (sampler, number of trials, pruner, objective). Enters the fingerprint.
   * @defaultValue `{}`
   */
  readonly tunerSettings?: object;
  /**
   * Any other input that can change a result and has no field of its own (split fractions,
   * evaluation settings, verifier definitions). Enters the fingerprint.
   * @defaultValue `{}`
   */
  readonly extraInputs?: object;
  /**
   * Versions of the packages whose code computes the result, by npm name (the `@rlvr/*` packages
   * and the CLI; add others, such as `pure-rand`, whose version can change a result). Enters the
   * fingerprint: this is the code identity.
   * @defaultValue `{}`
   */
  readonly packages?: Readonly<Record<string, string>>;
  /**
   * Node.js version, platform and architecture. Enters the fingerprint.
   * @defaultValue `detectRuntime()` (the current process)
   */
  readonly runtime?: RuntimeInfo;
  /**
   * Commit and dirty flag of the job's git work tree (see `detectGitState`). Recorded only. Never
   * detected automatically: pass `detectGitState(dir)` to record it.
   * @defaultValue null
   */
  readonly git?: GitState | null;
  /**
   * Human name of the job. Recorded only: a name is not an input.
   * @defaultValue null
   */
  readonly label?: string | null;
}

/** The dataset part of a {@link TrainingEnvironment}. */
export interface DatasetFacts {
  /** Content digest of the examples. Enters the fingerprint. */
  readonly digest: string;
  /** Dataset statistics (canonical copy), or null. Recorded only. */
  readonly stats: JsonObject | null;
  /** Detected file format, or null. Recorded only. */
  readonly format: string | null;
  /** Files the examples were read from. Recorded only. */
  readonly paths: readonly string[];
}

/**
 * The canonical description of everything a training job starts from: every field present,
 * defaults filled, configuration objects in canonical form (RFC 8785: members sorted, `undefined`
 * members dropped, `-0` as `0`), deep-frozen. Made by {@link createTrainingEnvironment}; its
 * fingerprint is {@link fingerprint}, the part that enters it {@link fingerprintInputs}.
 */
export interface TrainingEnvironment {
  /** Seed of every random draw. Enters the fingerprint. */
  readonly seed: number | string;
  /** Dataset digest (enters) and recorded-only facts. */
  readonly dataset: DatasetFacts;
  /** RLVR training configuration (defaults filled by the caller). Enters the fingerprint. */
  readonly rlvrConfig: JsonObject;
  /** Hyperparameter search space. Enters the fingerprint. */
  readonly searchSpace: JsonObject;
  /** Tuner settings. Enters the fingerprint. */
  readonly tunerSettings: JsonObject;
  /** Other result-changing inputs. Enters the fingerprint. */
  readonly extraInputs: JsonObject;
  /** Package versions by name, sorted by name. Enters the fingerprint. */
  readonly packages: Readonly<Record<string, string>>;
  /** Node.js version, platform, architecture. Enters the fingerprint. */
  readonly runtime: RuntimeInfo;
  /** Git commit and dirty flag, or null. Recorded only. */
  readonly git: GitState | null;
  /** Human name of the job, or null. Recorded only. */
  readonly label: string | null;
}

/**
 * Builds the canonical {@link TrainingEnvironment} of a job: checks every option, fills the
 * defaults, copies configuration objects to their canonical form and deep-freezes the result.
 * Every problem is reported at once, each with the JSON pointer of the bad option.
 *
 * @param options - see {@link TrainingEnvironmentOptions}
 * @returns a frozen environment; `fingerprint(env)` is its fingerprint
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_OPTIONS` listing every problem in `details`
 *   (unknown fields are errors, so a typo never falls back to a default silently)
 *
 * @example
 * ```ts
 * const env = createTrainingEnvironment({
 *   seed: 7,
 *   dataset: { digest: report.digest, stats: report.stats, paths: ["data/traces.jsonl"] },
 *   rlvrConfig: { learningRate: 0.05, epochs: 3 },
 *   packages: { "@rlvr/dataset": "1.2.0", "@rlvr/rlvr-loop": "0.4.1" },
 *   git: detectGitState(process.cwd()),
 * });
 * ```
 */
export function createTrainingEnvironment(options: TrainingEnvironmentOptions): TrainingEnvironment {
  return readChecked(options, "options", {
    code: "FINGERPRINT_INVALID_OPTIONS",
    what: "invalid training-environment options",
  });
}
