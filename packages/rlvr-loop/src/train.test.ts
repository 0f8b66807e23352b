import type { RlvrExample } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { RlvrLoopError, TrainingDivergedError } from "./errors.js";
import { validationEstimate } from "./internal/nuisance.js";
import { createPolicy } from "./policy.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { type MetricsEvent, train } from "./train.js";
import { buildTrainingData } from "./training-data.js";

const env = createToolRoutingEnvironment();
const FEATURIZER = { dimension: 1024 } as const;
const logs = env.generateLogs({ n: 2000, seed: 3 }).dataset;
const validation = env.generateLogs({ n: 800, seed: 4 }).dataset;

const bytes = (w: Float64Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("base64");

describe("train", () => {
  it("is deterministic: same data, config and seed give bit-identical weights and metrics; another seed differs", async () => {
    const config = { seed: 5, epochs: 2, featurizer: FEATURIZER, innerIterations: 2, kl: { beta: 0.05 } };
    const a = await train(logs, config);
    const b = await train(logs, config);
    const c = await train(logs, { ...config, seed: 6 });
    expect(bytes(a.policy.weights)).toBe(bytes(b.policy.weights));
    expect(JSON.stringify(a.steps)).toBe(JSON.stringify(b.steps));
    expect(bytes(a.policy.weights)).not.toBe(bytes(c.policy.weights));
    const onlineConfig = {
      seed: 1,
      epochs: 1,
      featurizer: FEATURIZER,
      online: { roundsPerEpoch: 3, tasksPerRound: 8, groupSize: 4 },
    };
    const o1 = await train({ environment: env }, onlineConfig);
    const o2 = await train({ environment: env }, onlineConfig);
    const o3 = await train({ environment: env }, { ...onlineConfig, seed: 2 });
    expect(bytes(o1.policy.weights)).toBe(bytes(o2.policy.weights));
    expect(bytes(o1.policy.weights)).not.toBe(bytes(o3.policy.weights));
  });

  it("accepts columnar data and gives the same result as examples", async () => {
    const config = { epochs: 1, featurizer: FEATURIZER };
    const fromExamples = await train(logs, config);
    const fromColumns = await train(buildTrainingData(logs, { featurizer: FEATURIZER }), config);
    expect(bytes(fromColumns.policy.weights)).toBe(bytes(fromExamples.policy.weights));
  });

  it("streams every step and epoch to onMetrics, with the documented metric names", async () => {
    const events: MetricsEvent[] = [];
    const result = await train(
      logs,
      { epochs: 2, minibatchGroups: 100, innerIterations: 2, featurizer: FEATURIZER },
      { onMetrics: (e) => events.push(e) },
    );
    const steps = events.filter((e) => e.type === "step");
    expect(steps).toHaveLength(result.totalSteps);
    expect(result.totalSteps).toBe(2 * 5 * 2);
    expect(result.plannedSteps).toBe(result.totalSteps);
    expect(events.filter((e) => e.type === "epoch")).toHaveLength(2);
    expect(result.examplesProcessed).toBe(4000);
    const m = steps[3]!.metrics;
    for (const key of [
      "reward",
      "reward_std",
      "frac_reward_zero_std",
      "kl",
      "entropy",
      "clip_ratio/low_mean",
      "clip_ratio/high_mean",
      "clip_ratio/region_mean",
      "grad_norm",
      "learning_rate",
      "loss",
    ]) {
      expect(Number.isFinite((m as unknown as Record<string, number>)[key])).toBe(true);
    }
    // the second inner iteration of a minibatch reuses π_old, so ratios move away from 1
    expect(steps.some((e) => e.type === "step" && e.metrics["clip_ratio/region_mean"] > 0) || m.kl > 0).toBe(
      true,
    );
    expect(result.epochs[0]!.validation).toBeNull();
  });

  it("stops with a typed error naming the step and the metric when training diverges", async () => {
    const examples: RlvrExample[] = [0, 1, 2, 3].map((i) => ({
      id: `e${i}`,
      groupId: `g${i >> 1}`,
      context: { features: { size: 1e300 } },
      action: i % 2 === 0 ? "a" : "b",
      reward: i % 2 === 0 ? 1 : 0, // "a" always wins: the gradient is large and does not cancel
      verified: true,
    }));
    let error: unknown;
    try {
      await train(examples, { featurizer: { dimension: 8 }, offPolicy: { target: "grpo" } });
    } catch (err) {
      error = err;
    }
    expect(TrainingDivergedError.is(error)).toBe(true);
    expect(RlvrLoopError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: "DIVERGED",
      step: 1,
      epoch: 1,
      metric: "grad_norm",
      value: Number.POSITIVE_INFINITY,
    });
    expect((error as Error).message).toMatch(/step 1.*grad_norm is Infinity/);
  });

  it("honours an AbortSignal", async () => {
    const controller = new AbortController();
    const run = train(
      logs,
      { epochs: 5, featurizer: FEATURIZER },
      {
        signal: controller.signal,
        onMetrics: (e) => {
          if (e.type === "step" && e.metrics.step === 3) controller.abort(new Error("user"));
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: "ABORTED", cause: new Error("user") });
    await expect(train(logs, {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("validates every epoch, stops early and restores the best weights", async () => {
    const result = await train(
      { train: logs, validation },
      {
        epochs: 30,
        featurizer: FEATURIZER,
        optimizer: { learningRate: 0.2 },
        earlyStopping: { patience: 2, collapseEntropy: 0 },
      },
    );
    expect(result.validationMetric).toBe("snips");
    expect(result.validationModels).toEqual({ behavior: "logged", rewardModel: "provided" });
    expect(result.stopReason).toBe("early_stopping");
    expect(result.epochs.length).toBeLessThan(30);
    expect(result.epochs.length).toBe(result.bestEpoch! + 2);
    expect(result.restoredBest).toBe(true);
    // the returned weights are the best epoch's: their validation value is the best one
    const vdata = buildTrainingData(validation, { featurizer: FEATURIZER });
    const probs = Float64Array.from(vdata.behaviorProbs!);
    const again = validationEstimate({
      W: result.policy.weights,
      data: vdata,
      nuisance: {
        propensity: probs,
        qhat: new Float64Array(0),
        behaviorSource: "logged",
        rewardModelSource: "provided",
      },
      metric: "snips",
      pi: new Float64Array(vdata.numExamples * 4),
    });
    expect(again).toBeCloseTo(result.bestValidation!, 12);
    const dr = await train(
      { train: logs, validation: validation.examples.map(({ behaviorProb: _p, ...e }) => e) },
      { epochs: 1, featurizer: FEATURIZER },
    );
    expect(dr.validationMetric).toBe("dr");
    expect(dr.validationModels).toEqual({
      behavior: "fitted-on-training",
      rewardModel: "fitted-on-training",
    });
  });

  it("detects a collapse onto one action while validation falls, stops and restores the best epoch", async () => {
    // train says "a" always wins, validation says it never does: the policy collapses onto "a"
    const make = (split: string, n: number, winner: string): RlvrExample[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `${split}${i}`,
        groupId: `${split}g${i >> 1}`,
        context: { prompt: `request ${i % 7}`, features: { n: i % 5 } },
        action: i % 2 === 0 ? "a" : "b",
        reward: (i % 2 === 0 ? "a" : "b") === winner ? 1 : 0,
        verified: true,
        behaviorProb: 0.5,
      }));
    const source = { train: make("t", 400, "a"), validation: make("v", 200, "b") };
    const config = {
      epochs: 30,
      featurizer: { dimension: 64 },
      offPolicy: { target: "grpo" as const },
      optimizer: { learningRate: 0.3 },
    };
    const result = await train(source, config);
    expect(result.stopReason).toBe("collapse");
    expect(result.epochs.length).toBeLessThan(30);
    expect(result.epochs.at(-1)!.validation!).toBeLessThan(result.bestValidation!);
    expect(result.restoredBest).toBe(true);
    // the returned policy is the best epoch's, not the collapsed one
    const collapsed = await train(source, {
      ...config,
      epochs: result.epochs.length,
      earlyStopping: { restoreBest: false },
    });
    const pA = (policy: typeof result.policy) =>
      Math.exp(policy.logProbs({ prompt: "request 1", features: { n: 1 } })[0]!);
    expect(pA(collapsed.policy)).toBeGreaterThan(0.99);
    expect(pA(result.policy)).toBeLessThan(pA(collapsed.policy));
    const off = await train(source, { ...config, earlyStopping: { collapseEntropy: 0 } });
    expect(off.stopReason).toBe("completed");
    expect(off.epochs.length).toBe(30);
  });

  it("continues from an initial policy and checks compatibility", async () => {
    const first = await train(logs, { epochs: 1, featurizer: FEATURIZER });
    const second = await train(logs, { epochs: 1, featurizer: FEATURIZER }, { initialPolicy: first.policy });
    expect(bytes(second.policy.weights)).not.toBe(bytes(first.policy.weights));
    expect(second.steps[0]!.kl).toBe(0); // the reference is the initial policy
    const other = createPolicy({ actions: env.actions, featurizer: { dimension: 8 } });
    await expect(train(logs, { featurizer: FEATURIZER }, { initialPolicy: other })).rejects.toMatchObject({
      code: "INCOMPATIBLE_POLICY",
    });
  });

  it("applies the importance correction only with behavior probabilities", async () => {
    const stripped = logs.examples.map(({ behaviorProb: _p, ...e }) => e);
    const grpo = await train(stripped, { epochs: 1, featurizer: FEATURIZER, offPolicy: { target: "grpo" } });
    expect(grpo.importanceCorrection).toBe(false);
    expect(grpo.target).toBe("grpo");
    // offline, auto picks the direct method (a cross-fitted reward model), with or without propensities
    const auto = await train(stripped, { epochs: 1, featurizer: FEATURIZER });
    expect(auto.target).toBe("dm");
    expect(auto.targetModels).toEqual({ behavior: "none", rewardModel: "cross-fitted", folds: 10 });
    expect(auto.importanceCorrection).toBe(false);
    expect((await train(logs, { epochs: 1, featurizer: FEATURIZER })).target).toBe("dm");
    // dr: the residual weighted by a cross-fitted behavior model
    const dr = await train(stripped, { epochs: 1, featurizer: FEATURIZER, offPolicy: { target: "dr" } });
    expect(dr.targetModels).toEqual({ behavior: "cross-fitted", rewardModel: "cross-fitted", folds: 10 });
    expect(dr.importanceCorrection).toBe(true);
    await expect(train({ environment: env }, { offPolicy: { target: "dm" } })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
    await expect(train(stripped, { importanceCorrection: { enabled: true } })).rejects.toMatchObject({
      code: "INVALID_DATA",
    });
    await expect(train(logs, { epochs: 0 } as never)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(train(logs, { validation: { metric: "exact_value" } })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
  });
});
