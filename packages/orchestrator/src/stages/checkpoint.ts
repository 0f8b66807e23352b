// Stage `checkpoint`: the shipped policy, with the job's identity and test estimate, written
// atomically to `<outDir>/<label stem>.ckpt`.
import { join } from "node:path";
import { type JobRecord, sanitizeLabel } from "@rlvr/job-record";
import { loadCheckpoint, serializeCheckpoint } from "@rlvr/rlvr-loop";
import { sha256Bytes, writeChecked } from "../_fs.js";
import type { JobContext, Stage } from "./_stage.js";
import type { EvaluationOutput } from "./evaluate.js";
import type { JobIdentity } from "./fingerprint.js";
import type { ShipOutput } from "./ship.js";
import type { TrainOutput } from "./train.js";

/** The record's `checkpoint`. */
export type CheckpointOutput = NonNullable<JobRecord["checkpoint"]>;

/** What the checkpoint stage is given. */
export interface CheckpointInput {
  readonly identity: JobIdentity;
  readonly trained: TrainOutput;
  readonly evaluation: EvaluationOutput;
  readonly shipped: ShipOutput;
}

/** File name of a job's checkpoint inside the output folder: `<label stem>.ckpt` (see `sanitizeLabel`). */
export function checkpointFileName(label: string): string {
  return `${sanitizeLabel(label)}.ckpt`;
}

/** The checkpoint stage (not kept for resume: writing it again is cheap and exact). */
export const checkpointStage: Stage<CheckpointInput, CheckpointOutput, JobContext> = {
  name: "checkpoint",
  async run({ identity, trained, evaluation, shipped }, { spec, options }) {
    const { shipping } = shipped;
    const shippedTest = shipping.shippedTest ?? evaluation.learned.dr;
    const bytes = serializeCheckpoint(shipped.policy, {
      config: trained.finalConfig,
      metrics: { testDr: shippedTest.value, testDrLower: shippedTest.lower, testDrUpper: shippedTest.upper },
      metadata: {
        jobId: identity.jobId,
        fingerprint: identity.fingerprint,
        label: spec.label,
        shipped: shipping.shipped,
        ...(shipping.action ? { shippedAction: shipping.action } : {}),
      },
    });
    const name = checkpointFileName(spec.label);
    await writeChecked(options.files, join(spec.outDir, name), bytes);
    const header = loadCheckpoint(bytes).header;
    return {
      path: name,
      fileDigest: sha256Bytes(bytes),
      contentDigest: header.digest,
      bytes: bytes.byteLength,
      formatVersion: header.formatVersion,
    };
  },
};
