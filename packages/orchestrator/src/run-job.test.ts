import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCheckpoint } from "@rlvr/rlvr-loop";
import { beforeAll, describe, expect, it } from "vitest";
import { smallSpec, tempDir, writeLogs } from "./__fixtures__/data.js";
import {
  applyParams,
  createRegistry,
  fingerprintJob,
  JOB_MODE_STAGES,
  type JobEvent,
  type JobRecord,
  OrchestratorError,
  runJob,
  STAGES,
  stripVolatile,
  validateJobRecord,
} from "./index.js";

let data: string;
let first: JobRecord;
let firstOut: string;
const events: JobEvent[] = [];

beforeAll(async () => {
  const dir = tempDir();
  data = writeLogs(dir, 1200, 3);
  firstOut = join(dir, "out1");
  first = await runJob(smallSpec(data, firstOut), { onEvent: (e) => events.push(e), host: "test-host" });
});

const stable = (r: JobRecord) => JSON.stringify(stripVolatile(r));

describe("runJob", () => {
  it("produces a valid record whose policy beats the behavior and best-single-action baselines on test", () => {
    expect(first.status).toBe("succeeded");
    expect(validateJobRecord(JSON.parse(JSON.stringify(first))).valid).toBe(true);
    expect(first.stages).toEqual(STAGES);
    const ev = first.evaluation;
    expect(ev).not.toBeNull();
    expect(ev?.learned.dr.value).toBeGreaterThan(ev?.baselines.behavior.value ?? 1);
    expect(ev?.learned.dr.value).toBeGreaterThan(ev?.baselines.bestSingleAction.estimates.dr.value ?? 1);
    expect(ev?.learned.dr.lower).toBeLessThanOrEqual(ev?.learned.dr.value ?? 0);
    expect(first.tuning?.trials).toHaveLength(6);
    expect(first.tuning?.bestParams).not.toBeNull();
    const sizes = first.split?.sizes;
    expect(
      (sizes?.train.examples ?? 0) + (sizes?.validation.examples ?? 0) + (sizes?.test.examples ?? 0),
    ).toBe(1200);
    expect(first.volatile.host).toBe("test-host");
    const shares = first.volatile.stages.reduce((s, x) => s + x.share, 0);
    expect(shares).toBeCloseTo(1, 9);
  });

  it("writes a checkpoint whose digest the record states", () => {
    const path = join(firstOut, first.checkpoint?.path ?? "missing");
    const bytes = new Uint8Array(readFileSync(path));
    expect(bytes.byteLength).toBe(first.checkpoint?.bytes);
    expect(loadCheckpoint(bytes).header.digest).toBe(first.checkpoint?.contentDigest);
    expect(first.checkpoint?.path).toBe("small.ckpt");
  });

  it("emits start and end events for every stage and trial, in order", () => {
    const stages = events.filter((e) => e.type === "stage-start").map((e) => (e as { stage: string }).stage);
    expect(stages).toEqual(STAGES);
    expect(events.filter((e) => e.type === "stage-end")).toHaveLength(STAGES.length);
    expect(events.filter((e) => e.type === "trial-start")).toHaveLength(6);
    expect(events.filter((e) => e.type === "trial-end")).toHaveLength(6);
    expect(events.some((e) => e.type === "progress" && e.stage === "train")).toBe(true);
  });

  it("derives the job id from fingerprint and label, and records the run in the registry", () => {
    expect(first.jobId).toMatch(/^job-[0-9a-f]{16}$/);
    const registry = createRegistry(join(firstOut, ".rlvr", "registry.db"));
    try {
      const run = registry.getRun(first.jobId);
      expect(run?.status).toBe("succeeded");
      expect(run?.value).toBe(first.evaluation?.learned.dr.value);
      expect(registry.getMetrics(first.jobId, "train/loss").length).toBe(first.training?.steps.length);
      expect(registry.listArtifacts(first.jobId).map((a) => a.kind)).toEqual(["checkpoint"]);
    } finally {
      registry.close();
    }
  });

  it("gives a byte-identical record outside volatile on a re-run elsewhere and with concurrency 2", async () => {
    const again = await runJob(smallSpec(data, join(tempDir(), "out2")));
    expect(stable(again)).toBe(stable(first));
    // concurrency 2 runs the trials in worker threads (the built dist/_trial-worker.js)
    const seen: JobEvent[] = [];
    const parallel = await runJob(
      smallSpec(data, join(tempDir(), "out3"), {
        tuner: { trials: 6, nStartupTrials: 3, pendingWindow: 1, resamples: 200, concurrency: 2 },
      }),
      { onEvent: (e) => seen.push(e) },
    );
    expect(stable(parallel)).toBe(stable(first));
    expect(seen.filter((e) => e.type === "trial-start")).toHaveLength(6);
    expect(seen.some((e) => e.type === "progress" && e.stage === "tune" && e.trial !== null)).toBe(true);
  });

  it("also when a tuned parameter changes the features (each worker then loads the dataset itself)", async () => {
    const spec = (concurrency: number) =>
      smallSpec(data, join(tempDir(), `feat${concurrency}`), {
        tuner: { trials: 3, nStartupTrials: 3, pendingWindow: 1, resamples: 200, concurrency },
        searchSpace: {
          "featurizer.dimension": { type: "categorical", choices: [1024, 4096] },
          epochs: { type: "int", low: 1, high: 2 },
        },
      });
    const one = await runJob(spec(1));
    const two = await runJob(spec(2));
    expect(one.status).toBe("succeeded");
    expect(stable(two)).toBe(stable(one));
  });

  it("records paired differences to the baselines and the action distribution of the test split", () => {
    const ev = first.evaluation;
    const d = ev?.differences;
    expect(d?.behavior.value).toBeCloseTo(
      (ev?.learned.dr.value ?? 0) - (ev?.baselines.behavior.value ?? 0),
      12,
    );
    expect(d?.bestSingleAction.value).toBeCloseTo(
      (ev?.learned.dr.value ?? 0) - (ev?.baselines.bestSingleAction.estimates.dr.value ?? 0),
      12,
    );
    // the learned policy beats the uniform logging policy clearly: the paired interval excludes zero
    expect(d?.behavior.lower).toBeGreaterThan(0);
    const dist = ev?.actionDistribution ?? [];
    expect(dist.map((x) => x.action)).toEqual(first.dataset?.actions);
    expect(dist.reduce((s, x) => s + x.learned, 0)).toBeCloseTo(1, 12);
    expect(dist.reduce((s, x) => s + x.behavior, 0)).toBeCloseTo(1, 12);
  });

  it("fingerprintJob gives the fingerprint and job id runJob records, without writing", async () => {
    const out = join(tempDir(), "never-written");
    const fp = await fingerprintJob(smallSpec(data, out));
    expect(fp.fingerprint).toBe(first.fingerprint);
    expect(fp.jobId).toBe(first.jobId);
    expect(fp.manifest).toEqual(first.manifest);
    expect(fp.dataset.digest).toBe(first.dataset?.digest);
    expect(existsSync(out)).toBe(false);
    await expect(fingerprintJob(smallSpec(join(tempDir(), "none.jsonl"), out))).rejects.toMatchObject({
      code: "IO_ERROR",
    });
  });

  it("runs only the tuning in mode tune, and only the final training from given parameters in mode train", async () => {
    const tuneEvents: JobEvent[] = [];
    const tuneOut = join(tempDir(), "tune");
    const tuned = await runJob(smallSpec(data, tuneOut, { mode: "tune" }), {
      onEvent: (e) => tuneEvents.push(e),
    });
    expect(tuned.status).toBe("succeeded");
    expect(tuned.stages).toEqual(JOB_MODE_STAGES.tune);
    expect(tuned.spec.mode).toBe("tune");
    expect(tuned.tuning).toEqual(first.tuning);
    expect([tuned.training, tuned.evaluation, tuned.checkpoint, tuned.finalConfig]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(tuned.jobId).not.toBe(first.jobId);
    expect(existsSync(join(tuneOut, "small.ckpt"))).toBe(false);
    expect(tuneEvents.find((e) => e.type === "stage-start")).toMatchObject({ index: 0, total: 4 });
    expect(validateJobRecord(JSON.parse(JSON.stringify(tuned))).valid).toBe(true);

    // train with the tuned parameters written into the rlvr config: the full job's final policy
    const best = tuned.tuning!.trials.find((t) => t.number === tuned.tuning!.bestTrial)!;
    const params = { ...(tuned.tuning?.bestParams ?? {}), seed: best.seed };
    const rlvr = applyParams(
      { ...(first.spec.baseConfig as unknown as Parameters<typeof applyParams>[0]) },
      params,
    );
    const trained = await runJob(
      smallSpec(data, join(tempDir(), "train"), { mode: "train", rlvr: { ...rlvr, actions: null } }),
    );
    expect(trained.status).toBe("succeeded");
    expect(trained.stages).toEqual(JOB_MODE_STAGES.train);
    expect(trained.tuning).toBeNull();
    expect(trained.spec.searchSpace).toEqual({});
    expect(trained.finalConfig).toEqual(first.finalConfig);
    // the same training; only how the model was selected is described differently
    const { selection: s1, ...t1 } = trained.training!;
    const { selection: s2, ...t2 } = first.training!;
    expect(t1).toEqual(t2);
    expect([s1?.method, s2?.method]).toEqual(["configured", "best-trial"]);
    expect(s2?.reproducesTrial).toBe(true);
    expect(trained.shipping).toEqual(first.shipping);
    expect(trained.evaluation).toEqual(first.evaluation);
    // the tuner's settings do not enter a train job's fingerprint
    const other = await runJob(
      smallSpec(data, join(tempDir(), "train2"), {
        mode: "train",
        rlvr: { ...rlvr, actions: null },
        tuner: { trials: 50 },
      }),
    );
    expect(other.fingerprint).toBe(trained.fingerprint);
  });

  it("changes the job id with the label or the seed, not with the output folder", async () => {
    const other = await runJob(
      smallSpec(data, join(tempDir(), "o"), { label: "other", tuner: { trials: 1 } }),
    );
    const base = await runJob(smallSpec(data, join(tempDir(), "p"), { tuner: { trials: 1 } }));
    expect(other.fingerprint).toBe(base.fingerprint);
    expect(other.jobId).not.toBe(base.jobId);
  });

  it("records a cancelled job when the signal aborts during tuning", async () => {
    const controller = new AbortController();
    const record = await runJob(smallSpec(data, join(tempDir(), "c")), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "trial-end" && e.trial === 1) controller.abort(new Error("stop"));
      },
    });
    expect(record.status).toBe("cancelled");
    expect(record.error?.code).toBe("ABORTED");
    expect(record.error?.stage).toBe("tune");
    expect(record.checkpoint).toBeNull();
    expect(validateJobRecord(record).valid).toBe(true);
  });

  it("rejects bad input before writing anything", async () => {
    const dir = tempDir();
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"id":"a","groupId":"g","context":{},"action":"x","reward":1.5,"verified":true}\n');
    const out = join(dir, "out");
    await expect(runJob(smallSpec(bad, out))).rejects.toMatchObject({ code: "DATASET_INVALID" });
    await expect(runJob(smallSpec(join(dir, "missing.jsonl"), out))).rejects.toSatisfy(OrchestratorError.is);
    await expect(
      runJob(smallSpec(data, out, { searchSpace: { "optimizer.lr": { type: "float", low: 0.1, high: 1 } } })),
    ).rejects.toMatchObject({ code: "INVALID_SPEC" });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(["bad.jsonl"]);
  });
});
