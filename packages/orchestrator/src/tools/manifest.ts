import {
  buildManifest,
  diffFingerprintInputs,
  type FingerprintDiff,
  type Manifest,
  type ManifestVerification,
  type TrainingEnvironment,
  verifyManifest,
} from "@rlvr/env-fingerprint";
import { OrchestratorError } from "../errors.js";

/** Who made a manifest, where and when (recorded, never hashed). */
export interface ManifestRecordedBy {
  readonly host: string;
  readonly user: string;
  /** ISO 8601 time. */
  readonly createdAt: string;
}

/**
 * The manifest of a job's training environment (see `fingerprintJob`): every fingerprint input, the
 * fingerprint, and who made it where and when.
 */
export function createManifest(environment: TrainingEnvironment, recorded: ManifestRecordedBy): Manifest {
  return buildManifest(environment, recorded);
}

/**
 * Recomputes a manifest's fingerprint from its inputs and checks its shape.
 * @returns `ok`, the claimed and recomputed fingerprints, and one line per problem
 */
export function checkManifest(value: unknown): ManifestVerification {
  return verifyManifest(value);
}

/**
 * The fingerprint inputs that differ between two manifests (JSON pointer, kind, both values), after
 * checking that both verify.
 * @param names - how to name the two manifests in an error (their files) @defaultValue `["first", "second"]`
 * @throws {@link OrchestratorError} `INVALID_ARGUMENT` when one does not verify (`details` lists why)
 */
export function diffManifests(
  a: unknown,
  b: unknown,
  names: readonly [string, string] = ["first", "second"],
): FingerprintDiff[] {
  for (const [name, m] of [
    [names[0], a],
    [names[1], b],
  ] as const) {
    const check = verifyManifest(m);
    if (!check.ok) {
      throw new OrchestratorError("INVALID_ARGUMENT", `${name}: not a trustworthy manifest`, {
        details: check.problems,
      });
    }
  }
  return diffFingerprintInputs(a as Manifest, b as Manifest);
}
