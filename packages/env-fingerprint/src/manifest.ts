import { requireEnvironment } from "./_environment.js";
import { inputsOf } from "./_inputs.js";
import { showValue } from "./_pointer.js";
import {
  checkMembers,
  checkNullableString,
  checkStringArray,
  checkTimestamp,
  createSink,
  deepFreeze,
  problemsError,
} from "./_validate.js";
import { canonicalize } from "./canonical-json.js";
import type { TrainingEnvironment } from "./environment.js";
import type { FingerprintInputs } from "./fingerprint.js";
import { sha256 } from "./sha256.js";

/** Version of the {@link Manifest} format. */
export const MANIFEST_VERSION = 1;

/** Facts about one run that {@link buildManifest} records and that never enter the fingerprint. */
export interface RecordedOptions {
  /**
   * Files the dataset was read from.
   * @defaultValue the environment's `dataset.paths`
   */
  readonly datasetPaths?: readonly string[];
  /**
   * Folder the job writes its results to.
   * @defaultValue null
   */
  readonly outputDir?: string | null;
  /**
   * Host name of the machine.
   * @defaultValue null
   */
  readonly host?: string | null;
  /**
   * User who ran the job.
   * @defaultValue null
   */
  readonly user?: string | null;
  /**
   * When the manifest was made: an ISO 8601 date-time with a time zone, or a `Date` (stored as
   * its `toISOString()`). This package never reads the clock: pass it to record it.
   * @defaultValue null
   */
  readonly createdAt?: string | Date | null;
  /**
   * Human name of the job.
   * @defaultValue the environment's `label`
   */
  readonly label?: string | null;
}

/** The `recorded` section of a {@link Manifest}: every field present, `null` where unknown. */
export interface ManifestRecord {
  /** Files the dataset was read from (also the manifest environment's `dataset.paths`). */
  readonly datasetPaths: readonly string[];
  /** Folder the job writes its results to. */
  readonly outputDir: string | null;
  /** Host name of the machine. */
  readonly host: string | null;
  /** User who ran the job. */
  readonly user: string | null;
  /** ISO 8601 date-time the manifest was made. */
  readonly createdAt: string | null;
  /** Human name of the job (also the manifest environment's `label`). */
  readonly label: string | null;
}

/**
 * The reproducibility record of a job, written as JSON next to its results:
 *
 * - `fingerprint`: `"sha256:<hex>"` of the canonical JSON of `inputs`;
 * - `inputs`: exactly what entered the fingerprint ({@link fingerprintInputs} of `environment`);
 * - `recorded`: facts about this run that do not enter it (paths, output folder, host, user,
 *   time, label);
 * - `environment`: the complete {@link TrainingEnvironment}, including recorded-only parts
 *   (dataset statistics and format, git state).
 *
 * {@link verifyManifest} recomputes the fingerprint from `inputs` and checks that `inputs` follow
 * from `environment`, so an edited manifest is detected.
 */
export interface Manifest {
  /** {@link MANIFEST_VERSION}. */
  readonly manifestVersion: typeof MANIFEST_VERSION;
  /** `"sha256:<64 hex>"` of `canonicalize(inputs)`. */
  readonly fingerprint: string;
  /** What entered the fingerprint. */
  readonly inputs: FingerprintInputs;
  /** Facts about the run that did not enter the fingerprint. */
  readonly recorded: ManifestRecord;
  /** The complete environment the inputs were taken from. */
  readonly environment: TrainingEnvironment;
}

const RECORDED_FIELDS = ["datasetPaths", "outputDir", "host", "user", "createdAt", "label"] as const;

/**
 * Builds the {@link Manifest} of an environment, adding the facts of this run that do not enter
 * the fingerprint. `datasetPaths` and `label` may be given either in the environment or here; when
 * given in both they must agree. The manifest's `environment` carries the values finally recorded.
 *
 * @param env - an environment from {@link createTrainingEnvironment}
 * @param recorded - facts about this run (see {@link RecordedOptions})
 * @returns a deep-frozen manifest; write it with `JSON.stringify(manifest, null, 2)`
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ENVIRONMENT` for a malformed `env`,
 *   `FINGERPRINT_INVALID_OPTIONS` for malformed or conflicting `recorded` facts
 *
 * @example
 * ```ts
 * const manifest = buildManifest(env, {
 *   datasetPaths: ["data/traces.jsonl"],
 *   host: os.hostname(),
 *   createdAt: new Date(),
 * });
 * await writeFile("job.manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
 * ```
 */
export function buildManifest(env: TrainingEnvironment, recorded?: RecordedOptions): Manifest {
  const environment = requireEnvironment(env, "the environment of the manifest");
  const sink = createSink();
  const given: Record<string, unknown> =
    recorded === undefined ? {} : (recorded as unknown as Record<string, unknown>);
  if (checkMembers(sink, given, "", RECORDED_FIELDS, [], "recorded facts")) {
    const at = (name: string) => `/${name}`;
    const paths =
      given["datasetPaths"] === undefined
        ? environment.dataset.paths
        : checkStringArray(sink, given["datasetPaths"], at("datasetPaths"));
    if (
      paths !== undefined &&
      given["datasetPaths"] !== undefined &&
      environment.dataset.paths.length > 0 &&
      canonicalize(paths) !== canonicalize(environment.dataset.paths)
    ) {
      sink.problems.push(
        `/datasetPaths: ${showValue(paths)} conflicts with the environment's dataset.paths ${showValue(environment.dataset.paths)}`,
      );
    }
    const label =
      given["label"] === undefined
        ? environment.label
        : checkNullableString(sink, given["label"], at("label"), { maxLength: 1024 });
    if (
      label !== undefined &&
      given["label"] !== undefined &&
      environment.label !== null &&
      label !== environment.label
    ) {
      sink.problems.push(
        `/label: ${showValue(label)} conflicts with the environment's label ${showValue(environment.label)}`,
      );
    }
    const optional = (name: string) =>
      given[name] === undefined
        ? null
        : checkNullableString(sink, given[name], at(name), { maxLength: 4096 });
    const outputDir = optional("outputDir");
    const host = optional("host");
    const user = optional("user");
    const createdAt =
      given["createdAt"] === undefined ? null : checkTimestamp(sink, given["createdAt"], at("createdAt"));
    if (
      sink.problems.length === 0 &&
      paths !== undefined &&
      label !== undefined &&
      outputDir !== undefined &&
      host !== undefined &&
      user !== undefined &&
      createdAt !== undefined
    ) {
      const finalEnvironment: TrainingEnvironment =
        paths === environment.dataset.paths && label === environment.label
          ? environment
          : { ...environment, dataset: { ...environment.dataset, paths: [...paths] }, label };
      const inputs = inputsOf(finalEnvironment);
      return deepFreeze({
        manifestVersion: MANIFEST_VERSION,
        fingerprint: sha256(canonicalize(inputs)),
        inputs,
        recorded: { datasetPaths: [...paths], outputDir, host, user, createdAt, label },
        environment: finalEnvironment,
      });
    }
  }
  throw problemsError(sink, "FINGERPRINT_INVALID_OPTIONS", "invalid recorded facts for the manifest");
}
