import { diffJson } from "./_diff-json.js";
import { readEnvironment } from "./_environment.js";
import { checkInputs, inputsOf } from "./_inputs.js";
import { showValue } from "./_pointer.js";
import {
  checkMembers,
  checkNullableString,
  checkString,
  checkStringArray,
  checkTimestamp,
  createSink,
  FINGERPRINT_RULE,
  isPlainObject,
  reasonOf,
  report,
  type Sink,
} from "./_validate.js";
import { canonicalize } from "./canonical-json.js";
import { CanonicalJsonError } from "./errors.js";
import { MANIFEST_VERSION } from "./manifest.js";
import { sha256 } from "./sha256.js";

/** Result of {@link verifyManifest}. */
export interface ManifestVerification {
  /** True when the manifest is well-formed and every check passed (`problems` is empty). */
  readonly ok: boolean;
  /** The fingerprint the manifest claims (`""` when it has none). */
  readonly expected: string;
  /** The fingerprint recomputed from the manifest's `inputs` (`""` when they cannot be hashed). */
  readonly actual: string;
  /** One line per problem, each `<JSON pointer in the manifest>: <what is wrong>`. */
  readonly problems: readonly string[];
}

const MANIFEST_FIELDS = ["manifestVersion", "fingerprint", "inputs", "recorded", "environment"] as const;
const RECORDED_FIELDS = ["datasetPaths", "outputDir", "host", "user", "createdAt", "label"] as const;

/**
 * Checks a manifest without trusting any of it: recomputes the fingerprint from `inputs` (the
 * stored `fingerprint` is only compared, never used), checks that `inputs` are exactly what the
 * stored `environment` yields, and checks the shape of every section (unknown fields, wrong
 * types, an unsupported `manifestVersion` or `fingerprintVersion`, recorded facts that contradict
 * the environment). It never throws for a bad manifest: it reports.
 *
 * @param manifest - anything, typically `JSON.parse` of a manifest file
 * @returns `{ ok, expected, actual, problems }`; `ok` is true only when `problems` is empty
 *
 * @example
 * ```ts
 * const check = verifyManifest(JSON.parse(await readFile("job.manifest.json", "utf8")));
 * if (!check.ok) console.error(check.problems.join("\n"));
 * ```
 */
export function verifyManifest(manifest: unknown): ManifestVerification {
  const sink = createSink();
  let expected = "";
  let actual = "";
  if (!checkMembers(sink, manifest, "", MANIFEST_FIELDS, MANIFEST_FIELDS, "a manifest")) {
    return result(sink, expected, actual);
  }
  const version = manifest["manifestVersion"];
  if (version !== undefined && version !== MANIFEST_VERSION) {
    report(
      sink,
      "/manifestVersion",
      `unsupported manifest version ${showValue(version)} (this version of @rlvr/env-fingerprint reads ${MANIFEST_VERSION})`,
    );
  }

  const claimed = manifest["fingerprint"];
  if (typeof claimed === "string") expected = claimed;
  if (claimed !== undefined) checkString(sink, claimed, "/fingerprint", FINGERPRINT_RULE);

  const inputs = manifest["inputs"];
  if (inputs !== undefined) {
    try {
      actual = sha256(canonicalize(inputs));
    } catch (error) {
      if (!CanonicalJsonError.is(error)) throw error;
      report(sink, `/inputs${error.pointer}`, `cannot be hashed: ${reasonOf(error)}`);
    }
    checkInputs(sink, inputs, "/inputs");
  }
  if (actual !== "" && expected !== "" && actual !== expected) {
    report(
      sink,
      "/fingerprint",
      `fingerprint mismatch: the manifest says ${expected} but its inputs hash to ${actual} (the fingerprint or the inputs were edited)`,
    );
  }

  const environmentGiven = manifest["environment"];
  const environment =
    environmentGiven === undefined
      ? undefined
      : readEnvironment(sink, environmentGiven, "/environment", "environment");
  if (environment !== undefined && isPlainObject(inputs)) {
    const derived = JSON.parse(canonicalize(inputsOf(environment)));
    let inputsCopy: unknown;
    try {
      inputsCopy = JSON.parse(canonicalize(inputs));
    } catch {
      inputsCopy = undefined; // already reported above
    }
    if (inputsCopy !== undefined) {
      for (const difference of diffJson(inputsCopy, derived)) {
        const stated =
          difference.kind === "added"
            ? `is missing, but the environment gives ${showValue(difference.b)}`
            : difference.kind === "removed"
              ? `is ${showValue(difference.a)}, but the environment has no such input`
              : `is ${showValue(difference.a)}, but the environment gives ${showValue(difference.b)}`;
        report(sink, `/inputs${difference.pointer}`, `${stated} (the inputs or the environment were edited)`);
      }
    }
  }

  const recorded = manifest["recorded"];
  if (recorded !== undefined) checkRecorded(sink, recorded, environment);
  return result(sink, expected, actual);
}

function result(sink: Sink, expected: string, actual: string): ManifestVerification {
  const problems = Object.freeze([...sink.problems]);
  return Object.freeze({ ok: problems.length === 0, expected, actual, problems });
}

function checkRecorded(sink: Sink, value: unknown, environment: ReturnType<typeof readEnvironment>): void {
  if (!checkMembers(sink, value, "/recorded", RECORDED_FIELDS, RECORDED_FIELDS, "recorded facts")) return;
  const at = (name: string) => `/recorded/${name}`;
  const paths =
    value["datasetPaths"] === undefined
      ? undefined
      : checkStringArray(sink, value["datasetPaths"], at("datasetPaths"));
  for (const name of ["outputDir", "host", "user"] as const) {
    if (value[name] !== undefined) checkNullableString(sink, value[name], at(name));
  }
  if (value["createdAt"] !== undefined) checkTimestamp(sink, value["createdAt"], at("createdAt"));
  const label =
    value["label"] === undefined ? undefined : checkNullableString(sink, value["label"], at("label"));
  if (environment === undefined) return;
  if (paths !== undefined && canonicalize(paths) !== canonicalize(environment.dataset.paths)) {
    report(
      sink,
      at("datasetPaths"),
      `${showValue(paths)} disagrees with /environment/dataset/paths ${showValue(environment.dataset.paths)}`,
    );
  }
  if (label !== undefined && label !== environment.label) {
    report(
      sink,
      at("label"),
      `${showValue(label)} disagrees with /environment/label ${showValue(environment.label)}`,
    );
  }
}
