import { requireEnvironment } from "./_environment.js";
import { type FINGERPRINT_VERSION, inputsOf } from "./_inputs.js";
import { canonicalize } from "./canonical-json.js";
import type { TrainingEnvironment } from "./environment.js";
import { sha256 } from "./sha256.js";

export { FINGERPRINT_VERSION } from "./_inputs.js";

/**
 * Exactly what enters the fingerprint: `fingerprint(env)` is the SHA-256 of
 * `canonicalize(fingerprintInputs(env))`. See {@link FINGERPRINT_FIELDS} for why each field is here.
 */
export interface FingerprintInputs
  extends Pick<
    TrainingEnvironment,
    "seed" | "rlvrConfig" | "searchSpace" | "tunerSettings" | "extraInputs" | "packages" | "runtime"
  > {
  /** {@link FINGERPRINT_VERSION}. */
  readonly fingerprintVersion: typeof FINGERPRINT_VERSION;
  /** The dataset's content digest, nothing else about the dataset. */
  readonly dataset: { readonly digest: string };
}

/** One row of {@link FINGERPRINT_FIELDS} or {@link RECORDED_ONLY_FIELDS}. */
export interface FingerprintField {
  /**
   * JSON pointer of the field: in {@link FingerprintInputs} for {@link FINGERPRINT_FIELDS}, in the
   * {@link Manifest} for {@link RECORDED_ONLY_FIELDS}.
   */
  readonly pointer: string;
  /** Where the value comes from (a pointer into {@link TrainingEnvironment}, or a `buildManifest` option). */
  readonly source: string;
  /** Why the field enters the fingerprint, or why it does not. */
  readonly reason: string;
}

/**
 * The fields that enter the fingerprint: every input that can change a result. Anything not listed
 * here (see {@link RECORDED_ONLY_FIELDS}) may differ between two runs with the same fingerprint.
 */
export const FINGERPRINT_FIELDS: readonly FingerprintField[] = Object.freeze(
  [
    {
      pointer: "/fingerprintVersion",
      source: "the constant FINGERPRINT_VERSION",
      reason: "the definition of the fingerprint itself; a new definition must never collide with an old one",
    },
    {
      pointer: "/seed",
      source: "/seed",
      reason: "every random draw of the job (splits, initialisation, sampling, tuning) derives from it",
    },
    {
      pointer: "/dataset/digest",
      source: "/dataset/digest",
      reason:
        "the content of the examples, independent of file name, key order, whitespace and JSON/JSONL encoding; any changed value changes it",
    },
    {
      pointer: "/rlvrConfig",
      source: "/rlvrConfig",
      reason:
        "the training configuration, with defaults filled so that an explicit default and an omitted one agree",
    },
    {
      pointer: "/searchSpace",
      source: "/searchSpace",
      reason: "the hyperparameter space the tuner explores",
    },
    {
      pointer: "/tunerSettings",
      source: "/tunerSettings",
      reason: "sampler, number of trials, pruner and objective decide which parameters win",
    },
    {
      pointer: "/extraInputs",
      source: "/extraInputs",
      reason: "any other result-changing input the caller has (split fractions, evaluation settings)",
    },
    {
      pointer: "/packages",
      source: "/packages",
      reason: "the code identity: the versions of the packages that compute the result",
    },
    {
      pointer: "/runtime/node",
      source: "/runtime/node",
      reason:
        "Math.exp, Math.log, Math.pow ... are not specified to the last bit and have changed between V8 versions",
    },
    {
      pointer: "/runtime/platform",
      source: "/runtime/platform",
      reason: "platform libraries and native code may round differently",
    },
    {
      pointer: "/runtime/arch",
      source: "/runtime/arch",
      reason:
        "CPU architectures may differ in the last bit of library functions (fused multiply-add, SIMD paths)",
    },
  ].map((field) => Object.freeze(field)),
);

/**
 * Fields a {@link Manifest} records for audit that do not enter the fingerprint, and why not.
 */
export const RECORDED_ONLY_FIELDS: readonly FingerprintField[] = Object.freeze(
  [
    {
      pointer: "/recorded/datasetPaths",
      source: "buildManifest recorded.datasetPaths, else /dataset/paths",
      reason: "a path names where the data is, not what it is: moving or renaming the file changes nothing",
    },
    {
      pointer: "/environment/dataset/format",
      source: "/dataset/format",
      reason: "the encoding of the examples; the same examples in JSON or JSONL must keep the fingerprint",
    },
    {
      pointer: "/environment/dataset/stats",
      source: "/dataset/stats",
      reason:
        "derived from the content, which the digest already covers; entering them too would count the data twice and let a fix in the statistics code change every fingerprint",
    },
    {
      pointer: "/environment/git",
      source: "/git",
      reason:
        "audit only: the code identity is given by the package versions, and a commit in the user's own repository must not change the job id",
    },
    {
      pointer: "/recorded/label",
      source: "buildManifest recorded.label, else /label",
      reason: "a name for people, not an input",
    },
    {
      pointer: "/recorded/outputDir",
      source: "buildManifest recorded.outputDir",
      reason: "where results are written, not what they are",
    },
    {
      pointer: "/recorded/host",
      source: "buildManifest recorded.host",
      reason: "a deterministic job gives the same result on any host",
    },
    {
      pointer: "/recorded/user",
      source: "buildManifest recorded.user",
      reason: "who ran the job does not change its result",
    },
    {
      pointer: "/recorded/createdAt",
      source: "buildManifest recorded.createdAt",
      reason: "results never depend on wall time",
    },
  ].map((field) => Object.freeze(field)),
);

/**
 * Exactly the part of an environment that enters its fingerprint: version of the definition, seed,
 * dataset digest, configurations, package versions and runtime. Paths, statistics, format, git
 * state and label are left out (see {@link RECORDED_ONLY_FIELDS}).
 *
 * @param env - an environment from {@link createTrainingEnvironment} (or one read back from JSON)
 * @returns the frozen inputs
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ENVIRONMENT` when `env` is not a complete
 *   environment (for example options that did not go through `createTrainingEnvironment`)
 */
export function fingerprintInputs(env: TrainingEnvironment): FingerprintInputs {
  return inputsOf(requireEnvironment(env, "the environment whose inputs are asked for"));
}

/**
 * The fingerprint of an environment: `"sha256:<64 hex>"` of the RFC 8785 canonical JSON of
 * {@link fingerprintInputs}. Equal for two jobs exactly when every result-changing input is equal.
 *
 * @param env - an environment from {@link createTrainingEnvironment}
 * @returns `"sha256:<64 lowercase hex digits>"`
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ENVIRONMENT` as {@link fingerprintInputs}
 */
export function fingerprint(env: TrainingEnvironment): string {
  return sha256(canonicalize(inputsOf(requireEnvironment(env, "the environment to fingerprint"))));
}
