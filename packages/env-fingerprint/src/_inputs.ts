// The projection environment → fingerprint inputs, and the shape check of stored inputs. Internal (the
// public entries are fingerprintInputs and verifyManifest).
import { CONFIG_FIELDS, FINGERPRINTED_FIELDS } from "./_environment.js";
import { child, showValue } from "./_pointer.js";
import {
  checkDigest,
  checkJsonObject,
  checkMembers,
  checkPackages,
  checkRuntime,
  checkSeed,
  isPlainObject,
  report,
  type Sink,
} from "./_validate.js";
import type { TrainingEnvironment } from "./environment.js";
import type { FingerprintInputs } from "./fingerprint.js";

/**
 * Version of the fingerprint definition, written into {@link FingerprintInputs} so that two
 * definitions can never produce the same fingerprint by accident. It changes (a breaking change)
 * whenever a field is added to or removed from the inputs, or the encoding of one changes.
 */
export const FINGERPRINT_VERSION = 1;

/**
 * Field names of FingerprintInputs, in the order they are built: the version, then the fingerprinted
 * fields of the environment.
 */
export const INPUT_FIELDS = ["fingerprintVersion", ...FINGERPRINTED_FIELDS] as const;

/** Inputs of an already checked environment. */
export function inputsOf(env: TrainingEnvironment): FingerprintInputs {
  return Object.freeze({
    fingerprintVersion: FINGERPRINT_VERSION,
    seed: env.seed,
    dataset: Object.freeze({ digest: env.dataset.digest }),
    rlvrConfig: env.rlvrConfig,
    searchSpace: env.searchSpace,
    tunerSettings: env.tunerSettings,
    extraInputs: env.extraInputs,
    packages: env.packages,
    runtime: Object.freeze({
      node: env.runtime.node,
      platform: env.runtime.platform,
      arch: env.runtime.arch,
    }),
  });
}

/** Checks the shape of stored fingerprint inputs (a manifest's `inputs`), reporting every problem. */
export function checkInputs(sink: Sink, value: unknown, pointer: string): void {
  if (!checkMembers(sink, value, pointer, INPUT_FIELDS, INPUT_FIELDS, "fingerprint inputs")) return;
  const at = (name: string) => child(pointer, name);
  const version = value["fingerprintVersion"];
  if (version !== undefined && version !== FINGERPRINT_VERSION) {
    report(
      sink,
      at("fingerprintVersion"),
      `unsupported fingerprint version ${showValue(version)} (this version of @rlvr/env-fingerprint computes ${FINGERPRINT_VERSION})`,
    );
  }
  if (value["seed"] !== undefined) checkSeed(sink, value["seed"], at("seed"));
  const dataset = value["dataset"];
  if (
    dataset !== undefined &&
    checkMembers(sink, dataset, at("dataset"), ["digest"], ["digest"], "{ digest }")
  ) {
    if (dataset["digest"] !== undefined) checkDigest(sink, dataset["digest"], child(at("dataset"), "digest"));
  }
  for (const name of CONFIG_FIELDS) {
    // Canonical-JSON problems inside were already reported when hashing.
    if (value[name] !== undefined && !isPlainObject(value[name]))
      checkJsonObject(sink, value[name], at(name));
  }
  if (value["packages"] !== undefined) checkPackages(sink, value["packages"], at("packages"));
  if (value["runtime"] !== undefined) checkRuntime(sink, value["runtime"], at("runtime"));
}
