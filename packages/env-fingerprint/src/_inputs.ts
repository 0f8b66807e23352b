// The projection environment → fingerprint inputs. Internal (the public entry is fingerprintInputs).
import { FINGERPRINTED_FIELDS } from "./_environment.js";
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
