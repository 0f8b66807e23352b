import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PartialTrainConfig } from "./config.js";
import { createRng } from "./rng.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { type TrainHooks, type TrainingResult, type TrainingSource, train } from "./train.js";
import { type TrainingData, trainingDataFromArrays } from "./training-data.js";

// Golden hashes of training results, recorded with the trainer as it was before the loop-speed work
// (performance changes must keep every floating-point operation and its order). A hash changes if a
// single bit of the final weights, of any step metric or of any epoch metric changes. If a change is
// MEANT to alter the arithmetic, regenerate the hashes (print `digest(result)`) and say so in the changeset.

const env = createToolRoutingEnvironment();
const FEATURIZER = { dimension: 256 } as const;
const grouped = env.generateLogs({ n: 600, seed: 3 }).dataset;
const distinct = env.generateLogs({ n: 400, seed: 7, groupSize: 1 }).dataset;
const validation = env.generateLogs({ n: 200, seed: 4 }).dataset;
const unlogged = validation.examples.map(({ behaviorProb: _p, ...e }) => e);

const sha = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

function digest(result: TrainingResult): { weights: string; steps: string; epochs: string } {
  const w = result.policy.weights;
  return {
    weights: sha(new Uint8Array(w.buffer, w.byteOffset, w.byteLength)),
    steps: sha(JSON.stringify(result.steps)),
    epochs: sha(JSON.stringify(result.epochs)),
  };
}

/**
 * Synthetic columnar data: `A` actions (5, or 13 to exercise the chunks of eight, four and one of the
 * sparse kernels), 32 buckets + bias, groups of 1 to 4 examples where some
 * attempts share their context (and mask) and others do not, allowed-action masks, non-unit feature
 * values of both signs, continuous and degenerate rewards, sample weights, behavior probabilities
 * (with `nanEvery` > 0 every nanEvery-th one is unknown).
 */
function synthetic(seed: number, numGroups: number, nanEvery: number, A = 5): TrainingData {
  const rng = createRng(seed);
  const u = (): number => (rng.next() >>> 0) / 4294967296;
  const D = 32;
  const offsets: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const actionIndex: number[] = [];
  const rewards: number[] = [];
  const weights: number[] = [];
  const behaviorProbs: number[] = [];
  const mask: number[] = [];
  const groupOffsets: number[] = [0];
  for (let g = 0; g < numGroups; g++) {
    const size = 1 + Math.floor(u() * 4);
    const degenerate = u() < 0.2;
    let feats: number[] = [];
    let vals: number[] = [];
    let allowed: number[] = [];
    for (let j = 0; j < size; j++) {
      if (j === 0 || u() < 0.3) {
        const set = new Set<number>();
        const count = 1 + Math.floor(u() * 6);
        while (set.size < count) set.add(Math.floor(u() * D));
        feats = [...set].sort((x, y) => x - y);
        feats.push(D); // bias
        vals = feats.map((f) => (f === D ? 1 : Math.round((u() * 3 - 1) * 8) / 8 || 0.5));
        allowed = Array.from({ length: A }, () => (u() < 0.7 ? 1 : 0));
        if (!allowed.includes(1)) allowed[0] = 1;
      }
      const choices = allowed.flatMap((on, a) => (on === 1 ? [a] : []));
      const a = choices[Math.floor(u() * choices.length)]!;
      indices.push(...feats);
      values.push(...vals);
      offsets.push(indices.length);
      actionIndex.push(a);
      rewards.push(degenerate ? 0.5 : u() < 0.5 ? Math.round(u() * 4) / 4 : a === feats[0]! % A ? 1 : 0);
      weights.push(0.5 + Math.floor(u() * 4) / 2);
      const p = (0.5 + u()) / choices.length;
      behaviorProbs.push(nanEvery > 0 && actionIndex.length % nanEvery === 0 ? Number.NaN : Math.min(1, p));
      mask.push(...allowed);
    }
    groupOffsets.push(actionIndex.length);
  }
  return trainingDataFromArrays({
    actions: Array.from({ length: A }, (_, a) => `a${String(a).padStart(2, "0")}`),
    rows: D + 1,
    offsets: Int32Array.from(offsets),
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    actionIndex: Int32Array.from(actionIndex),
    rewards: Float64Array.from(rewards),
    weights: Float64Array.from(weights),
    behaviorProbs: Float64Array.from(behaviorProbs),
    allowedMask: Uint8Array.from(mask),
    groupOffsets: Int32Array.from(groupOffsets),
  });
}

const SYNTH = { dimension: 32 } as const;
const synthLogged = synthetic(11, 120, 0);
const synthPartial = synthetic(12, 120, 7);
const synthWide = synthetic(13, 100, 0, 13);

interface Case {
  readonly name: string;
  readonly source: () => TrainingSource;
  readonly config: PartialTrainConfig;
  readonly hooks?: () => Promise<TrainHooks>;
}

const referenceHooks = async (): Promise<TrainHooks> => {
  const ref = await train(grouped, {
    epochs: 1,
    featurizer: FEATURIZER,
    seed: 9,
    offPolicy: { target: "grpo" },
  });
  return { referencePolicy: ref.policy };
};
const wideReferenceHooks = async (): Promise<TrainHooks> => {
  const ref = await train(synthWide, {
    epochs: 1,
    featurizer: SYNTH,
    seed: 9,
    minibatchGroups: 16,
    offPolicy: { target: "grpo" },
  });
  return { referencePolicy: ref.policy };
};
const initialHooks = async (): Promise<TrainHooks> => {
  const first = await train(grouped, {
    epochs: 1,
    featurizer: FEATURIZER,
    seed: 8,
    offPolicy: { target: "grpo" },
  });
  return { initialPolicy: first.policy };
};

const CASES: readonly Case[] = [
  { name: "defaults", source: () => grouped, config: { epochs: 2, featurizer: FEATURIZER } },
  {
    name: "no importance correction, mu 2",
    source: () => grouped,
    config: {
      epochs: 2,
      featurizer: FEATURIZER,
      innerIterations: 2,
      importanceCorrection: { enabled: false },
    },
  },
  {
    name: "exact KL to a trained reference",
    source: () => grouped,
    config: { epochs: 2, featurizer: FEATURIZER, innerIterations: 2, kl: { beta: 0.1, estimator: "exact" } },
    hooks: referenceHooks,
  },
  {
    name: "k3 KL to a trained reference",
    source: () => grouped,
    config: { epochs: 2, featurizer: FEATURIZER, innerIterations: 2, kl: { beta: 0.1, estimator: "k3" } },
    hooks: referenceHooks,
  },
  {
    name: "k3 KL to uniform, entropy bonus",
    source: () => distinct,
    config: {
      epochs: 2,
      featurizer: FEATURIZER,
      kl: { beta: 0.05, estimator: "k3" },
      entropyCoef: 0.02,
      minibatchGroups: 16,
    },
  },
  {
    name: "exact KL to uniform, entropy bonus, initial policy",
    source: () => grouped,
    config: { epochs: 1, featurizer: FEATURIZER, kl: { beta: 0.05 }, entropyCoef: 0.01 },
    hooks: initialHooks,
  },
  {
    name: "dense AdamW, weight decay, no clipping",
    source: () => grouped,
    config: {
      epochs: 2,
      featurizer: FEATURIZER,
      optimizer: { lazy: false, weightDecay: 0.05, maxGradNorm: null, learningRate: 0.05 },
    },
  },
  {
    name: "cosine schedule with warm-up, rloo, batch scale, bnpo",
    source: () => distinct,
    config: {
      epochs: 3,
      featurizer: FEATURIZER,
      minibatchGroups: 32,
      schedule: { kind: "cosine", warmupSteps: 4, minLearningRateRatio: 0.1 },
      advantage: { baseline: "rloo", scale: "batch" },
      lossAggregation: "bnpo",
    },
  },
  {
    name: "linear schedule, dr_grpo, drop degenerate groups",
    source: () => grouped,
    config: {
      epochs: 2,
      featurizer: FEATURIZER,
      schedule: { kind: "linear", warmupSteps: 2 },
      advantage: { degenerateGroups: "drop", scale: "none" },
      lossAggregation: "dr_grpo",
      optimizer: { maxGradNorm: 0.3 },
    },
  },
  {
    name: "synthetic: masks, weights, shared and distinct contexts, correction",
    source: () => synthLogged,
    config: {
      epochs: 3,
      featurizer: SYNTH,
      minibatchGroups: 16,
      innerIterations: 2,
      kl: { beta: 0.1 },
      entropyCoef: 0.01,
      importanceCorrection: { cap: 2 },
    },
  },
  {
    name: "synthetic: unknown propensities, k3, dense, weight decay, zero degenerate",
    source: () => synthPartial,
    config: {
      epochs: 3,
      featurizer: SYNTH,
      minibatchGroups: 8,
      kl: { beta: 0.2, estimator: "k3" },
      advantage: { degenerateGroups: "zero" },
      optimizer: { lazy: false, weightDecay: 0.1 },
    },
  },
  {
    name: "synthetic: cosine, bnpo, rloo, mu 3",
    source: () => synthLogged,
    config: {
      epochs: 2,
      featurizer: SYNTH,
      minibatchGroups: 10,
      innerIterations: 3,
      schedule: { kind: "cosine", warmupSteps: 3 },
      advantage: { baseline: "rloo" },
      lossAggregation: "bnpo",
    },
  },
  {
    name: "synthetic, 13 actions: exact KL to a trained reference, entropy bonus, mu 2",
    source: () => synthWide,
    config: {
      epochs: 3,
      featurizer: SYNTH,
      minibatchGroups: 16,
      innerIterations: 2,
      kl: { beta: 0.1 },
      entropyCoef: 0.02,
    },
    hooks: wideReferenceHooks,
  },
  {
    name: "synthetic, 13 actions: k3 KL to a trained reference, dense AdamW, cosine",
    source: () => synthWide,
    config: {
      epochs: 2,
      featurizer: SYNTH,
      minibatchGroups: 12,
      kl: { beta: 0.1, estimator: "k3" },
      optimizer: { lazy: false, weightDecay: 0.02 },
      schedule: { kind: "cosine", warmupSteps: 2, minLearningRateRatio: 0.05 },
    },
    hooks: wideReferenceHooks,
  },
  {
    name: "synthetic, 13 actions: defaults",
    source: () => synthWide,
    config: { epochs: 2, featurizer: SYNTH, minibatchGroups: 8 },
  },
  {
    name: "snips validation, early stopping, restore best",
    source: () => ({ train: grouped, validation }),
    config: {
      epochs: 8,
      featurizer: FEATURIZER,
      optimizer: { learningRate: 0.2 },
      earlyStopping: { patience: 2 },
    },
  },
  {
    name: "dr validation (fitted models)",
    source: () => ({ train: grouped, validation: unlogged }),
    config: { epochs: 2, featurizer: FEATURIZER },
  },
  {
    name: "online with exact value",
    source: () => ({ environment: env }),
    config: {
      epochs: 2,
      featurizer: FEATURIZER,
      seed: 3,
      online: { roundsPerEpoch: 3, tasksPerRound: 8, groupSize: 4 },
      kl: { beta: 0.05, estimator: "k3" },
    },
  },
];

const GOLDEN: Record<string, { weights: string; steps: string; epochs: string }> = {
  defaults: {
    weights: "316830674e718804b687b5900262c43e3b4b1e1591dfd13ab686a24f74124b44",
    steps: "626dbea5f22970cb1f051a036674b0507fc0162a92413861542ea12205bc262e",
    epochs: "af46480b4b05487f72dbc9dd13ccd0b382ebfabd07d320fec6e28f8a6c957524",
  },
  "no importance correction, mu 2": {
    weights: "46840d2e7d0176516019b5ffb6fa95bfc1556dca64a64fd0c545348ee7434583",
    steps: "91120763fae0b9a53c72a0b9c686b7fdbc1212aa22d08e8c0b2b1f1871b900c3",
    epochs: "ab760cf45d83750b05f6fec3a9e8887651d915103224c9e236a0ae13b9f5bf9a",
  },
  "exact KL to a trained reference": {
    weights: "85937e0dd7bb40aaa0d79e6eecf6958d9058f6437a019b4cb1d5dffa2d76901b",
    steps: "e45c2c9e18b36f049f0075afc64f50a426c5dee0f75aafd791cca1044c4796c6",
    epochs: "d8380e95061f3d8cd5998d129d999936ae0ff6f19e9e93f3d055c358bbb487f9",
  },
  "k3 KL to a trained reference": {
    weights: "94ca55d2224a28e83a3486e2976d9f9c120967128267178e02619b05eb39cb92",
    steps: "5165bb254a0f0ceab0ffa3f1033205fc7e895aa20d74c7119a922b2807e46e4c",
    epochs: "1908ee9441a555b4902bf7d4863e3f45c863863b03f16ee9cc8920a23823307e",
  },
  "k3 KL to uniform, entropy bonus": {
    weights: "c5d9ce12477448d70d4a8ae7057e33e7e4bdf93212df1d53f8ccaeb57c8cb735",
    steps: "a0b56317064902b6e2ec7f89e8ad6fc0076ce21a895e5e736654739d75fc88c3",
    epochs: "1569a46ef406233325ce5eaeb7582d968e83c876b566c64962604255e9a7b9b8",
  },
  "exact KL to uniform, entropy bonus, initial policy": {
    weights: "a843f2f4d15e05ff6f387c7cc086b82edae926b90e661654db4ea952e0ef20bb",
    steps: "4b3e3a2d9e3bb1a2c4369a5af4790075fe7146e05234fc45d3137a64add2d801",
    epochs: "fc6070bf807ad161aa3421c738ca3779211ce4a29576eafa0f73dad250d3d86c",
  },
  "dense AdamW, weight decay, no clipping": {
    weights: "1b507640de8cf78fdb6cbc4fe6f638512215dea289ad2100d8b817239186db94",
    steps: "28e9b4efcc906785a2d769105677d2f493436285380828c35bc808f4dbe1958c",
    epochs: "2ffcc4f617eed7d2c61d881fb7f90bbf3406f3669df806165149590338f71f8b",
  },
  "cosine schedule with warm-up, rloo, batch scale, bnpo": {
    weights: "bec687961529887fef5e77d760fedb19664cb11277786aed515d3caa2cdb6a09",
    steps: "9a9aa5cf2cb5716b00c2b12be77eee37f83c3f7f7c9b950fcab43974c9f625f8",
    epochs: "3eb3ce18e76941ecf42d9ed0c9642e7645ff792b143bb61ff23481122b7f2eb8",
  },
  "linear schedule, dr_grpo, drop degenerate groups": {
    weights: "bc5fc3f5adff104050a52f3ce4d10ef942002345eea1cb926c132daf4f436343",
    steps: "0d10cbd002b170645cdaa03aa670f396ed35d161e30db7feb0d7ad3de08551ce",
    epochs: "1dc2cbdc1a4b6bd7792c96cfda60ffe78bc4cd2ed67b7052197b7695b43c611d",
  },
  "synthetic: masks, weights, shared and distinct contexts, correction": {
    weights: "8e2af9b7471cc96b0365e4384f6e67ab47370f9e4c8ebdbdac70e09592b1c1dd",
    steps: "720fa57e1ba11de5c6f253aefa32b67b1d30be0e74642df7f93d88f0e37dd7fb",
    epochs: "4ace075030ab823d7a22c078cbad21372ddae5e5448aea629a4e36cc51f20e03",
  },
  "synthetic: unknown propensities, k3, dense, weight decay, zero degenerate": {
    weights: "4245251177a1de039522701d06b51fc8473cb72619c2ed5393ad33c282fc1208",
    steps: "8c2e95024c4d92636e72f17783b79715be594230b9a453d677669db301bad650",
    epochs: "b32b4393eb85f82a0d9a52a7dd367bc6ce71586d865d647efb62e886d1c54f11",
  },
  "synthetic: cosine, bnpo, rloo, mu 3": {
    weights: "3c7e6bc95886e83f94a7cd708f10f68c18af7000415ed6368e2bd9856b679d44",
    steps: "b8a5edbf76fd851e6e1d47c4cc79fe997c91c89d4e0a7c9ba35118bd79845c9d",
    epochs: "c7ca927be2b80402575c12798f4ef9b9f2b692ee8bddb65c879af502f113e058",
  },
  "synthetic, 13 actions: exact KL to a trained reference, entropy bonus, mu 2": {
    weights: "aa2a5623929b5988573f8646aacc5132dbd7225bb486a3ba246f5adfe4efa4d0",
    steps: "6fa6a3d9d94b26c7e599c494845515215b0b39c0da6ef585c69a662d112894c7",
    epochs: "5d43282728bc8cb95866e824105e8eea8823fdc30aa45dffa07d9edc6913596a",
  },
  "synthetic, 13 actions: k3 KL to a trained reference, dense AdamW, cosine": {
    weights: "bb0aae514de4876ba03f6e1954fd62bc2898313d19a4a0134c039037490ec31b",
    steps: "20a3605bac0a0d4d624dff2fe5b384a63a2f3d6c8c5f3da7524e6482c7944072",
    epochs: "44afa26bf7e2a6d2baf8fee19f86b46fb9120e6f0985ead19777a2651ff9b799",
  },
  "synthetic, 13 actions: defaults": {
    weights: "88cced82432bb25202a9e68afabf34a847321975b80385ad629e24748f96aef0",
    steps: "4e963eb1f351b5a76696adca8b400be97882e6c7f3d40e2d708cab55d95d0230",
    epochs: "fb52ee39c280fdc7a75c649a8d8fdafc0334aa9b920dbb97343f726e031457e2",
  },
  "snips validation, early stopping, restore best": {
    weights: "46bcdfe3773c34c916a646f23fac50da7cc02a18996679b745a0deeccbb00d34",
    steps: "94f6da75ae25a677edc8221d209eff9379d6b2ceab450de30c6cf2a1d9289b88",
    epochs: "6573e3daed70ac2c8c6523d4fc32ffee25aad19889e639f9f4ed79f9bf184af1",
  },
  "dr validation (fitted models)": {
    weights: "316830674e718804b687b5900262c43e3b4b1e1591dfd13ab686a24f74124b44",
    steps: "626dbea5f22970cb1f051a036674b0507fc0162a92413861542ea12205bc262e",
    epochs: "d515a0aa03b34bb9350d6a01dd1c32b5022c91be520b889b6827026ccb996445",
  },
  "online with exact value": {
    weights: "719599c481078549ac5baa9144e57f73bac6ac61bbcc8ac931f120b3fefabd40",
    steps: "a9cee89f39fe834e361fa9e57413753b69dcfb62f64e856b6abf32fb3debe8c3",
    epochs: "7ef5814e325d4af714c1892a172608079698316f5f072cdd93ebbcf09a64a2f7",
  },
};

describe("train golden results", () => {
  it("the synthetic data covers shared contexts, distinct contexts, masks and unknown propensities", () => {
    const shared = synthLogged.sameContext!.reduce((acc, v) => acc + v, 0);
    expect(shared).toBeGreaterThan(10);
    expect(shared).toBeLessThan(synthLogged.numExamples - synthLogged.numGroups);
    expect(synthLogged.allowedMask!.some((v) => v === 0)).toBe(true);
    expect(synthPartial.behaviorProbs!.some((p) => Number.isNaN(p))).toBe(true);
    expect(synthWide.actions).toHaveLength(13);
    expect(synthWide.sameContext!.some((v) => v === 1)).toBe(true);
  });

  it.each(CASES)("$name: weights, step and epoch metrics are bit-identical", async (c) => {
    const hooks = c.hooks ? await c.hooks() : {};
    // pinned to the GRPO objective: offline, `auto` picks dm since these hashes were recorded
    const result = await train(c.source(), { offPolicy: { target: "grpo" }, ...c.config }, hooks);
    expect(result.totalSteps).toBeGreaterThan(0);
    expect(digest(result)).toEqual(GOLDEN[c.name]);
  });
});
