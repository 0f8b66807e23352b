// Stage `fingerprint`: the fingerprint of every result-changing input, the job id, and the job's
// resume state folder (kept when resuming the same fingerprint, else made afresh).
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  buildManifest,
  createTrainingEnvironment,
  fingerprint as fingerprintOf,
  sha256,
  type TrainingEnvironment,
} from "@rlvr/env-fingerprint";
import { writeChecked } from "../_fs.js";
import { OrchestratorError } from "../errors.js";
import type { ResolvedJobSpec } from "../job-spec.js";
import { json, type Stage } from "./_stage.js";
import type { LoadedData } from "./load.js";

/** Who the job is: fingerprint, manifest, package versions, id. */
export interface JobIdentity {
  readonly jobId: string;
  readonly fingerprint: string;
  /** The manifest as the record holds it. */
  readonly manifest: Record<string, unknown>;
  /** Versions of the packages that compute the result. */
  readonly packages: Record<string, string>;
  /** The training environment that was fingerprinted. */
  readonly environment: TrainingEnvironment;
}

/**
 * The job id: `job-` and the first 16 hex digits of SHA-256 of `fingerprint + "\n" + label`. Never the
 * clock, so the same job (inputs and label) always has the same id.
 */
export function deriveJobId(fingerprint: string, label: string): string {
  return `job-${sha256(`${fingerprint}\n${label}`).slice("sha256:".length, "sha256:".length + 16)}`;
}

/** Folder of a job's resume state: `<outDir>/.rlvr-job/<jobId>`. */
export function jobStateDir(outDir: string, jobId: string): string {
  return join(outDir, ".rlvr-job", jobId);
}

/**
 * Computes the fingerprint, manifest and job id of a job from its loaded dataset and spec.
 * @param packages - versions of the packages that compute the result (the `@rlvr/*` ones and extra)
 */
export function identityOf(
  spec: ResolvedJobSpec,
  loaded: LoadedData,
  packages: Record<string, string>,
): JobIdentity {
  const { concurrency: _concurrency, ...tunerSettings } = spec.tuner;
  const environment = createTrainingEnvironment({
    seed: spec.seed,
    dataset: {
      digest: loaded.digest,
      stats: loaded.stats,
      format: loaded.format,
      paths: spec.datasets.map((p) => basename(p)),
    },
    rlvrConfig: spec.rlvr,
    searchSpace: spec.searchSpace,
    // A job that runs no search does not depend on the tuner's settings.
    tunerSettings: spec.mode === "train" ? {} : tunerSettings,
    extraInputs: {
      mode: spec.mode,
      split: spec.split,
      finalTraining: spec.finalTraining,
      evaluation: spec.evaluation,
      shipping: spec.shipping,
    },
    packages,
    label: spec.label,
  });
  const fingerprint = fingerprintOf(environment);
  return {
    jobId: deriveJobId(fingerprint, spec.label),
    fingerprint,
    manifest: json(buildManifest(environment)) as unknown as Record<string, unknown>,
    packages,
    environment,
  };
}

/** What the fingerprint stage is given: the dataset and what claims the output folder. */
export interface FingerprintInput {
  readonly loaded: LoadedData;
  readonly packages: Record<string, string>;
  /** Called with the job id before anything is written (the `--out` lock records it). */
  readonly claim: (jobId: string) => Promise<void>;
}

/** Fingerprints the job and prepares its resume state folder. */
export const fingerprintStage: Stage<FingerprintInput, JobIdentity> = {
  name: "fingerprint",
  async run({ loaded, packages, claim }, { spec, options }) {
    const identity = identityOf(spec, loaded, packages);
    await claim(identity.jobId);
    const stateDir = jobStateDir(spec.outDir, identity.jobId);
    const marker = join(stateDir, "job.json");
    if (options.resume && existsSync(marker)) {
      const stored = JSON.parse(await readFile(marker, "utf8")) as { fingerprint?: unknown };
      if (stored.fingerprint !== identity.fingerprint) {
        throw new OrchestratorError(
          "RESUME_MISMATCH",
          `resume state in ${stateDir} belongs to fingerprint ${String(stored.fingerprint)}, not ${identity.fingerprint}`,
        );
      }
    } else {
      await rm(stateDir, { recursive: true, force: true });
      await mkdir(join(stateDir, "stages"), { recursive: true });
      const body = { jobId: identity.jobId, fingerprint: identity.fingerprint, label: spec.label };
      await writeChecked(options.files, marker, `${JSON.stringify(body)}\n`);
    }
    return identity;
  },
};
