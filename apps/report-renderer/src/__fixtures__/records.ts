// Hand-built job records that validate against the JobRecord schema of @rlvr/job-record. Values
// are deterministic functions of the index (no randomness), shaped like a real job's.
import { buildManifest, createTrainingEnvironment } from "@rlvr/env-fingerprint";
import type { JobRecord, TrialRecord } from "@rlvr/job-record";

/** Options of {@link makeRecord}. */
export interface FixtureOptions {
  readonly label?: string;
  readonly actions?: readonly string[];
  readonly trials?: number;
  readonly steps?: number;
  readonly epochs?: number;
  readonly seed?: number;
  readonly learnedShift?: number;
  readonly learningRate?: number;
  readonly status?: JobRecord["status"];
  /**
   * Adds the newer sections: `shipping` with this policy shipped, and `training.target`,
   * `targetModels` and `selection`. @defaultValue none (an older record without them)
   */
  readonly shipped?: "learned" | "behavior" | "single-action";
  /** With `shipped: "learned"`: the rule forced it (the learned policy does not beat both). */
  readonly forced?: boolean;
}

/** The `shipping` section of a fixture record. */
function shippingOf(o: FixtureOptions, bestAction: string, label: string): NonNullable<JobRecord["shipping"]> {
  const shipped = o.shipped ?? "learned";
  const beats = shipped === "learned" && o.forced !== true;
  const dLB = beats ? est(0.12, 0.05) : est(0.01, 0.04);
  const dLS = beats ? est(0.08, 0.05) : est(-0.03, 0.05);
  const dSB = shipped === "single-action" ? est(0.04, 0.03) : est(0.04 - (shipped === "behavior" ? 0.05 : 0), 0.03);
  const f = (e: { value: number; lower: number; upper: number }) =>
    `${e.value.toFixed(4)} [${e.lower.toFixed(4)}, ${e.upper.toFixed(4)}]`;
  const why = `the learned policy does not beat both baselines on validation (DR difference to the behavior ${f(dLB)}, to always "${bestAction}" ${f(dLS)}; paired 95 % intervals must lie above 0)`;
  const reason = beats
    ? `the learned policy beats both baselines on validation: DR difference to the behavior ${f(dLB)}, to always "${bestAction}" ${f(dLS)} (paired 95 % intervals above 0)`
    : shipped === "learned"
      ? `shipped because the rule is "learned" (forced); on validation its DR difference to the behavior is ${f(dLB)} and to always "${bestAction}" ${f(dLS)}, not both above 0`
      : shipped === "single-action"
        ? `${why}; always "${bestAction}" beats the behavior (difference ${f(dSB)}), so it is shipped`
        : `${why}; always "${bestAction}" does not beat the behavior either (difference ${f(dSB)}), so a behavior model fitted on train (imitating the logging policy) is shipped`;
  return {
    rule: o.forced === true ? "learned" : "safe",
    shipped,
    action: shipped === "single-action" ? bestAction : null,
    forced: o.forced === true,
    reason: label.includes("<") ? `${reason} ${label}` : reason,
    split: "validation",
    confidence: 0.95,
    validationSeenInTraining: true,
    learned: pol(0.61, 0.04, 110),
    behavior: est(0.5, 0.03),
    bestSingleAction: { action: bestAction, estimates: pol(0.58, 0.05, 55) },
    differences: {
      learnedMinusBehavior: dLB,
      learnedMinusBestSingleAction: dLS,
      bestSingleActionMinusBehavior: dSB,
    },
    shippedTest: shipped === "learned" ? est(0.7, 0.04) : shipped === "behavior" ? est(0.52, 0.03) : est(0.6, 0.05),
  };
}

const hex = (n: number, len: number) => {
  let s = "";
  let x = (n * 2654435761) >>> 0;
  while (s.length < len) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    s += x.toString(16).padStart(8, "0");
  }
  return s.slice(0, len);
};

const est = (value: number, half: number) => ({
  value,
  lower: value - half,
  upper: value + half,
  standardError: half / 1.96,
});
const pol = (value: number, half: number, ess: number) => ({
  ips: est(value + 0.004, half * 1.3),
  snips: est(value + 0.002, half * 1.1),
  dm: est(value - 0.003, half * 0.8),
  dr: est(value, half),
  effectiveSampleSize: ess,
});

/** A valid, complete job record. */
export function makeRecord(o: FixtureOptions = {}): JobRecord {
  const label = o.label ?? "demo";
  const actions = o.actions ?? ["calculator", "code_interpreter", "search", "answer_directly"];
  const nTrials = o.trials ?? 12;
  const nSteps = o.steps ?? 120;
  const nEpochs = o.epochs ?? 6;
  const seed = o.seed ?? 7;
  const lr = o.learningRate ?? 0.05;
  const shift = o.learnedShift ?? 0.18;
  const status = o.status ?? "succeeded";
  const datasetDigest = `sha256:${hex(seed + 1, 64)}`;
  const env = createTrainingEnvironment({
    seed,
    dataset: { digest: datasetDigest },
    rlvrConfig: { learningRate: lr, epochs: nEpochs },
    searchSpace: { learningRate: { type: "float", low: 0.001, high: 0.3, log: true } },
    tunerSettings: { trials: nTrials, sampler: "tpe" },
    packages: { "@rlvr/orchestrator": "0.0.0" },
    runtime: { node: "20.20.0", platform: "linux", arch: "x64" },
  });
  const manifest = buildManifest(env, { label });
  const trials: TrialRecord[] = [];
  for (let i = 0; i < nTrials; i++) {
    const lrI = 0.001 * 300 ** ((i * 0.618034) % 1);
    const clip = [0.1, 0.2, 0.3][i % 3]!;
    const base = 0.55 + 0.2 * Math.exp(-((Math.log(lrI) - Math.log(0.05)) ** 2) / 2) - 0.02 * (i % 3);
    const state: TrialRecord["state"] = i % 7 === 5 ? "pruned" : i % 11 === 9 ? "failed" : "complete";
    trials.push({
      number: i,
      state,
      params: { learningRate: lrI, clipEpsilon: clip, baseline: i % 2 === 0 ? "group_mean" : "none" },
      seed: 1000 + i,
      value: state === "complete" ? base : null,
      intermediateValues:
        state === "failed"
          ? []
          : Array.from({ length: state === "pruned" ? 2 : 4 }, (_, s) => ({ step: s + 1, value: base - 0.05 * (3 - s) })),
      error: state === "failed" ? { name: "TunerError", message: "trial diverged", code: "INVALID_VALUE" } : null,
    });
  }
  const complete = trials.filter((t) => t.state === "complete");
  const best = complete.reduce<TrialRecord | null>((b, t) => (b === null || t.value! > b.value! ? t : b), null);
  const steps = Array.from({ length: nSteps }, (_, s) => {
    const p = s / Math.max(1, nSteps - 1);
    return {
      step: s + 1,
      epoch: 1 + Math.floor((s * nEpochs) / nSteps),
      reward: 0.5 + 0.25 * (1 - Math.exp(-4 * p)) + 0.03 * Math.sin(s * 1.7),
      reward_std: 0.3,
      frac_reward_zero_std: 0.1,
      kl: 0.002 + 0.01 * p + 0.002 * Math.cos(s),
      entropy: 1.38 - 0.6 * p,
      "clip_ratio/low_mean": 0,
      "clip_ratio/high_mean": 0.01 * p,
      "clip_ratio/region_mean": 0.01 * p + 0.003 * Math.abs(Math.sin(s)),
      grad_norm: 0.8 * Math.exp(-2 * p) + 0.05 * Math.abs(Math.cos(s * 0.3)),
      learning_rate: lr,
      loss: -0.1 * p,
      num_examples: 64,
      num_groups: 16,
    };
  });
  const epochs = Array.from({ length: nEpochs }, (_, e) => ({
    epoch: e + 1,
    steps: Math.round(nSteps / nEpochs),
    examples: 1000,
    reward: 0.5 + 0.25 * (1 - Math.exp(-4 * ((e + 1) / nEpochs))),
    reward_std: 0.3,
    frac_reward_zero_std: 0.1,
    kl: 0.004 * (e + 1),
    entropy: 1.38 - 0.1 * e,
    "clip_ratio/region_mean": 0.002 * e,
    grad_norm: 0.5 / (e + 1),
    loss: -0.02 * e,
    learning_rate: lr,
    validation: 0.55 + 0.2 * (1 - Math.exp(-3 * ((e + 1) / nEpochs))),
  }));
  const actionCounts: Record<string, number> = {};
  actions.forEach((a, i) => {
    Object.defineProperty(actionCounts, a, { value: 400 - 60 * i, enumerable: true, writable: true, configurable: true });
  });
  const behavior = 0.52;
  const succeeded = status === "succeeded";
  const newer = succeeded && o.shipped !== undefined;
  return {
    recordVersion: 1,
    jobId: `job-${hex(seed * 31 + label.length, 16)}`,
    label,
    status,
    error: succeeded ? null : { code: "ABORTED", message: "the job was cancelled <by the user>", stage: "tune" },
    fingerprint: manifest.fingerprint,
    manifest: JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>,
    packages: { "@rlvr/orchestrator": "0.0.0", "@rlvr/rlvr-loop": "0.0.0" },
    spec: {
      seed,
      format: "auto",
      split: { validation: 0.15, test: 0.15 },
      finalTraining: "train+validation",
      evaluation: { resamples: 200, confidence: 0.95 },
      tuner: { trials: nTrials, sampler: "tpe", pruner: "median" },
      searchSpace: { learningRate: { type: "float", low: 0.001, high: 0.3, log: true } },
      baseConfig: { epochs: nEpochs },
    },
    dataset: {
      digest: datasetDigest,
      format: "jsonl",
      files: ["sample.jsonl"],
      stats: { examples: 2000, groups: 500, actions: actionCounts, rewardMean: 0.52 },
      actions: [...actions].sort(),
    },
    split: {
      seed,
      validation: 0.15,
      test: 0.15,
      sizes: {
        train: { examples: 1400, groups: 350 },
        validation: { examples: 300, groups: 75 },
        test: { examples: 300, groups: 75 },
      },
    },
    tuning: succeeded
      ? {
          objective: "dr_lower",
          direction: "maximize",
          sampler: { name: "tpe" },
          pruner: { name: "median" },
          pendingWindow: 1,
          trials,
          counts: {
            complete: complete.length,
            pruned: trials.filter((t) => t.state === "pruned").length,
            failed: trials.filter((t) => t.state === "failed").length,
            running: 0,
          },
          bestTrial: best?.number ?? null,
          bestValue: best?.value ?? null,
          bestParams: best?.params ?? null,
          importance: [
            { name: "learningRate", importance: 0.71, varianceExplained: 0.0031 },
            { name: "clipEpsilon", importance: 0.2, varianceExplained: 0.0009 },
            { name: "baseline", importance: 0.09, varianceExplained: 0.0004 },
          ],
        }
      : null,
    finalConfig: succeeded ? { learningRate: lr, epochs: nEpochs } : null,
    training: succeeded
      ? {
          data: "train+validation",
          examples: 1700,
          groups: 425,
          stopReason: "completed",
          totalSteps: nSteps,
          plannedSteps: nSteps,
          importanceCorrection: true,
          ...(newer
            ? {
                target: "dm",
                targetModels: { behavior: "none", rewardModel: "cross-fitted", folds: 5 },
                selection: {
                  method: "best-trial" as const,
                  trial: best?.number ?? null,
                  seed: 1000 + (best?.number ?? 0),
                  validationMetric: "snips",
                  bestEpoch: 3,
                  bestValidation: 0.7,
                  restoredBest: true,
                  stopReason: "early_stopping",
                  tuningValue: best?.value ?? null,
                  reproducesTrial: true,
                  summary: `best trial #${best?.number ?? 0} reproduced on train with its parameters and seed (identical validation curve); stopped early at epoch 5; the weights of epoch 3 (best validation) were restored.`,
                },
              }
            : {}),
          degenerateGroups: "skip",
          steps,
          epochs,
        }
      : null,
    evaluation: succeeded
      ? {
          split: "test",
          examples: 300,
          groups: 75,
          behaviorSource: "logged",
          rewardModelSource: "fitted-on-training",
          resamples: 200,
          confidence: 0.95,
          seed,
          learned: pol(behavior + shift, 0.04, 120),
          baselines: {
            behavior: est(behavior, 0.03),
            uniform: pol(0.45, 0.035, 210),
            bestSingleAction: { action: actions[0]!, estimates: pol(0.6, 0.05, 60) },
          },
          effectiveSampleSize: 120,
          beats: { behavior: shift > 0, bestSingleAction: behavior + shift > 0.6 },
        }
      : null,
    ...(newer ? { shipping: shippingOf(o, actions[0]!, label) } : {}),
    checkpoint: succeeded
      ? {
          path: `${label}.checkpoint.json`,
          fileDigest: `sha256:${hex(seed + 2, 64)}`,
          contentDigest: `sha256:${hex(seed + 3, 64)}`,
          bytes: 18_342,
          formatVersion: 1,
        }
      : null,
    stages: succeeded
      ? ["load", "split", "fingerprint", "tune", "train", "evaluate", ...(newer ? (["ship"] as const) : []), "checkpoint"]
      : ["load", "split", "fingerprint"],
    volatile: {
      startedAt: "2025-01-01T00:00:00.000Z",
      finishedAt: "2025-01-01T00:00:04.200Z",
      durationMs: 4200,
      stages: [
        { name: "load", durationMs: 120, share: 0.03, resumed: false },
        { name: "tune", durationMs: 3300, share: 0.79, resumed: false },
        { name: "train", durationMs: 600, share: 0.14, resumed: false },
        { name: "evaluate", durationMs: 180, share: 0.04, resumed: false },
      ],
      trials: trials.map((t) => ({ number: t.number, durationMs: 250, attempts: 1 })),
      host: "ci-host",
      pid: 4242,
      resumed: false,
      datasetPaths: ["/data/sample.jsonl"],
      outDir: "/tmp/out",
      registryPath: null,
      stateDir: "/tmp/out/.rlvr-job/x",
      peakRssBytes: 123_456_789,
    },
  };
}

/** The payload every test expects to stay inert. */
export const XSS = `<script>alert(1)</script>`;

/** A record whose action names, label, parameter values and shipping reason carry markup. */
export function makeMaliciousRecord(): JobRecord {
  return makeRecord({
    label: `evil ${XSS} <img src=x onerror=alert(2)>`,
    actions: [XSS, `"><svg onload=alert(3)>`, "a|b`c*d_[e](javascript:alert(4))", "__proto__"],
    shipped: "single-action",
  });
}

/** A newer record where the learned policy did not beat the baselines and the behavior model was shipped. */
export function makeBaselineShippedRecord(): JobRecord {
  return makeRecord({ label: "baseline-shipped", shipped: "behavior" });
}
