// Shared fixtures for the fingerprint tests: fixed values, so nothing depends on the machine.
import type { TrainingEnvironmentOptions } from "../environment.js";
import { FingerprintError } from "../errors.js";
import type { RuntimeInfo } from "../runtime.js";

export const DIGEST = `sha256:${"3f".repeat(32)}`;
export const OTHER_DIGEST = `sha256:${"40".repeat(32)}`;
export const RUNTIME: RuntimeInfo = { node: "v20.20.2", platform: "linux", arch: "x64" };
export const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** The error `run` throws, when `is` accepts it (the test fails when it throws nothing or something else). */
export function errorOf<E>(run: () => unknown, is: (value: unknown) => value is E): E {
  try {
    run();
  } catch (error) {
    if (is(error)) return error;
    throw error;
  }
  throw new Error("expected an error, nothing was thrown");
}

/** The {@link FingerprintError} `run` throws. */
export const fingerprintErrorOf = (run: () => unknown): FingerprintError => errorOf(run, FingerprintError.is);

/** Options of a realistic job; every test derives its variants from these. */
export function baseOptions(): TrainingEnvironmentOptions {
  return {
    seed: 7,
    dataset: {
      digest: DIGEST,
      stats: { examples: 6, groups: 3, rewardMean: 0.5, actions: { search: 3, calculator: 3 } },
      format: "jsonl",
      paths: ["data/traces.jsonl"],
    },
    rlvrConfig: { learningRate: 0.05, epochs: 3, baseline: "group", clip: { low: 0.2, high: 0.28 } },
    searchSpace: { learningRate: { type: "float", low: 0.001, high: 0.3, log: true } },
    tunerSettings: { sampler: "tpe", trials: 20 },
    packages: { "@rlvr/dataset": "0.1.0", "@rlvr/env-fingerprint": "0.1.0", "@rlvr/rlvr-loop": "0.1.0" },
    runtime: RUNTIME,
    git: { commit: COMMIT, dirty: false },
    label: "nightly",
  };
}
