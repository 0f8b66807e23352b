// A job's view of the run registry: start, heartbeats, finish; nothing when the spec has none.
import type { JobRecord } from "@rlvr/job-record";
import type { JobBasis } from "./_record.js";
import type { ResolvedRunOptions } from "./_run-options.js";
import type { ResolvedJobSpec } from "./job-spec.js";
import { fingerprintFamily } from "./registry.js";

/** What a job tells the registry. */
export interface JobRegistry {
  heartbeat(): void;
  /** Records the finished (or failed, cancelled) job and closes the registry. */
  finish(record: JobRecord): void;
  /** Stops the heartbeat timer and closes the registry without recording (idempotent). */
  close(): void;
}

/** The registry of a job without one. */
export const NO_REGISTRY: JobRegistry = Object.freeze({
  heartbeat: () => undefined,
  finish: () => undefined,
  close: () => undefined,
});

/** Opens the registry of the spec, records the run as `running` and starts the heartbeat timer. */
export function startJobRegistry(
  spec: ResolvedJobSpec,
  options: ResolvedRunOptions,
  basis: JobBasis,
): JobRegistry {
  if (spec.registryPath === null) return NO_REGISTRY;
  const registry = options.openRegistry(spec.registryPath);
  const { identity, loaded } = basis;
  const jobId = identity.jobId;
  const timer = setInterval(() => {
    try {
      registry.heartbeat(jobId);
    } catch {
      // a busy registry must not stop the job; the next heartbeat retries
    }
  }, options.heartbeatMs);
  timer.unref();
  let open = true;
  const close = () => {
    clearInterval(timer);
    if (open) registry.close();
    open = false;
  };
  try {
    registry.startRun({
      id: jobId,
      label: spec.label,
      fingerprint: identity.fingerprint,
      family: fingerprintFamily((identity.manifest as { inputs: Record<string, unknown> }).inputs),
      datasetDigest: loaded.digest,
      params: { mode: spec.mode, seed: spec.seed, tuner: spec.tuner, searchSpace: spec.searchSpace },
      host: options.host.hostname,
      pid: options.host.pid,
      outDir: spec.outDir,
    });
  } catch (error) {
    close();
    throw error;
  }
  return {
    heartbeat: () => registry.heartbeat(jobId),
    finish(record) {
      try {
        registry.finishRun(record);
      } finally {
        close();
      }
    },
    close,
  };
}
