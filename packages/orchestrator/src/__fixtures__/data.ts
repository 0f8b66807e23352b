import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToolRoutingEnvironment } from "@rlvr/rlvr-loop";
import type { JobSpec } from "../job-spec.js";

/** A fresh temporary folder. */
export function tempDir(prefix = "rlvr-orch-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `n` logged decisions of the tool-routing environment (uniform behavior) as JSONL. */
export function writeLogs(dir: string, n = 1200, seed = 3, name = "logs.jsonl"): string {
  const { dataset } = createToolRoutingEnvironment().generateLogs({ n, seed });
  const file = join(dir, name);
  writeFileSync(file, `${dataset.examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return file;
}

/** A small, fast job spec over `file`. */
export function smallSpec(file: string, outDir: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    datasets: [file],
    outDir,
    label: "small",
    seed: 5,
    tuner: { trials: 6, nStartupTrials: 3, pendingWindow: 1, resamples: 200 },
    evaluation: { resamples: 200 },
    searchSpace: {
      "optimizer.learningRate": { type: "float", low: 0.005, high: 0.2, log: true },
      epochs: { type: "int", low: 1, high: 3 },
    },
    ...extra,
  };
}

/**
 * Writes `n` logged decisions of the tool-routing environment as a learning-trace document whose
 * examples carry the logging policy's probability in `metadata.behaviorProbability`.
 */
export function writeTraceLogs(dir: string, n = 1200, seed = 3, name = "traces.json"): string {
  const { dataset } = createToolRoutingEnvironment().generateLogs({ n, seed });
  const examples = dataset.examples.map((e) => ({
    id: e.id,
    requestId: e.groupId,
    toolName: e.action,
    source: "user",
    toolInput: {},
    durationMs: 1,
    reward: e.reward,
    verificationPassed: e.verified,
    labels: {
      taskOutcome: e.verified ? "success" : "fail",
      verificationAlignment: "aligned",
      policyCompliance: "compliant",
      safetyRisk: "none",
      rewardHackingSignal: "none",
    },
    metadata: { context: e.context, behaviorProbability: e.behaviorProb },
  }));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ id: "traces", label: "traces", createdAt: 0, examples }, null, 1));
  return file;
}
