import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PartialTrainConfig } from "./config.js";
import { createRng } from "./rng.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { type TrainHooks, type TrainingResult, type TrainingSource, train } from "./train.js";
import { type TrainingData, trainingDataFromArrays } from "./training-data.js";

// Golden hashes of training results. A hash changes if a single bit of the final weights, of any step
// metric or of any epoch metric changes (performance changes must keep every floating-point operation and
// its order). If a change is MEANT to alter the arithmetic, regenerate the hashes (print `digest(result)`)
// and say so in the changeset. Re-pinned for issue 15 (trainer speed): float32 AdamW moments, the
// gradient norm summed in four lanes, the trainer's own exp and log in the softmax (docs/algorithms.md §2.4).

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
    weights: "ded750f28ceeeb6a1bd493e3de889edffc2ba05fc9b21f3e3cc8d31d758b8d73",
    steps: "1041c33b8898b1c652228fd2c83e8cfaf84e2dfbc72728714cb24b875c4e8bca",
    epochs: "b5e3b004dbbacd7d95db27822635fa6a2283d8c5c2bc46a5234927c47d9049df",
  },
  "no importance correction, mu 2": {
    weights: "1272c21ee43c39cb85e042eb6000f0720475e99fc634f60df5b49d118690c845",
    steps: "3122a168992f4f90736639670b3ddcd4e13f148621b47d33ee4efe549cf1a632",
    epochs: "a7d1f21d24167d9b7eff80e3f01ba830ea14746702f886b0dfbc13c3d3515c21",
  },
  "exact KL to a trained reference": {
    weights: "6fcad3df8b6555435cd0427fed272098df221d77fd7cdea0dc8e36a5f76ede4a",
    steps: "9be0168d9fd5284a2c7c7d40886eba08c31c173d18a01ba9645add5d44322cca",
    epochs: "524f284b4cd62165b14977cfe767b25c6dc56a7d60da818594c8f96bd0270503",
  },
  "k3 KL to a trained reference": {
    weights: "9f9a8cd17612eabf0447d5e333b07b7618bfc2f99e7a7dd5267c00467b0d94e7",
    steps: "0ff5dbdc6f79039149b2ca9f44c2331705aa4ef0b49c6d832f53a730b95a3cf6",
    epochs: "98429c3d45ae84aad07493ef3648924f0c07bdc29a7eb4c9c8dd66d31444f316",
  },
  "k3 KL to uniform, entropy bonus": {
    weights: "def6ff3ed5beb487984f47ae880b4a5772b860b0303a375306f861b44ad151a8",
    steps: "e03f7535892ef33cc8d0b7dd480c15e6de30aa01e4aefe19081e247645f11c16",
    epochs: "3ff3bab2d8e3182fd4da045ce26f06891245c5c09e2caa83d443dedafff4119d",
  },
  "exact KL to uniform, entropy bonus, initial policy": {
    weights: "26f2197c28abed7bdfcb3d984f7b27105d3b57222d2a9e7c2ad0fbb873e6b51c",
    steps: "99443eee2cf2777f4b99acf5e24c5555476048c932f6421fc70026bda8e3b4bb",
    epochs: "e68f9d18856a046ca9742478e216abe0ded2b8ca422c23557fdedd763683f9cc",
  },
  "dense AdamW, weight decay, no clipping": {
    weights: "d9211d8cb4c9e101b3213b28e350d2703901c4e3c0c9d24baa6124631f2087fc",
    steps: "569b3087bed6602c21f2313fd5c99fc4afb9e4273d47d2ad131005bd5d8eb640",
    epochs: "9f57cc51179dd49532fdad5bc82c2f9c10d2de583cc8d413768556f7c2c20830",
  },
  "cosine schedule with warm-up, rloo, batch scale, bnpo": {
    weights: "14e6e7ca7836676db896e44b96e711ce38576aabc698baf9266f00d316c5e573",
    steps: "a337e061cac397c0a008a7491b07a149db9009d3fb0db1176fcbf67f38f3ad06",
    epochs: "dddcfb1d4ebefe06e7938ecb9895a3b5911b108a3dfa4e0c0f0fe02cce96e089",
  },
  "linear schedule, dr_grpo, drop degenerate groups": {
    weights: "72d6a96dfbae9f792e129c81fac4c21438763feb59f473110b06788c40ec1cd2",
    steps: "383cd8bd970409fc68572aabf7525b5bf3d18c5cf86641f7f13a259756c59213",
    epochs: "230479dbde27d286e1e1ad04932303965ac605f8693643b66adc4e22c5b0b0dc",
  },
  "synthetic: masks, weights, shared and distinct contexts, correction": {
    weights: "a12b8ea25870b318c6cf0944a686bec32dd0c763982b9fef71da9f426364bb7e",
    steps: "c3e9580db993f606768d48d04c52089807e47666655d4ec3d3896bec1fceec75",
    epochs: "ecaff24dbc6f586ccb9c3442ef7d5e6c20759dc3f859c3d25feba6839ff437b8",
  },
  "synthetic: unknown propensities, k3, dense, weight decay, zero degenerate": {
    weights: "19ed6369c706265c92300142c421d7328063b0cbeef8dd37b5bf93e05b970d07",
    steps: "cb0e564b4f52886369deb23b2d170d757da7f88bbc621d71c516c4fae787ee5d",
    epochs: "c42b48454dce1db70994683b78b43f50bd113f5b36bce8c96186f97ac703d936",
  },
  "synthetic: cosine, bnpo, rloo, mu 3": {
    weights: "0169bf59f223077ba7b69f252fb7cb0ed9ce18098f34b3fa6fa4c41c02d824d1",
    steps: "2c9da29394428b11f829658ac58561a3fa6232d3aa89c73b79279639442bcf0b",
    epochs: "bccc2a554b252ea2b5345c5e4bb8140389ae04a9d32af67a6e4de059660ad8c4",
  },
  "synthetic, 13 actions: exact KL to a trained reference, entropy bonus, mu 2": {
    weights: "e011b36b8dd3ecfbcc4849730b32ddc5f83fd1430a107967897c9469bbe63d77",
    steps: "2b59dc23a487ecfbb074e087024ed6f373e7f10abcbda3ea66668b8019ecee86",
    epochs: "7447f8eefe477283869c5dcb69558dbc39ded7329b2777660ecc5177c7f4100a",
  },
  "synthetic, 13 actions: k3 KL to a trained reference, dense AdamW, cosine": {
    weights: "4e92cfd097512ac3e832f7042b1befcdad727d9d6ccf3694704ac7e1df093e73",
    steps: "333bae468bb994efe7bd80d1f2f505cf57ef4a61781503777bb91fde03d7a02d",
    epochs: "f070823b4df0c37a58a16daa527a5c14c3b7b52ff2f4ced86d97553659e60636",
  },
  "synthetic, 13 actions: defaults": {
    weights: "9682e358034f8647b1e2007465ca35fd7150799be8183ac0d48a64b0e332571f",
    steps: "ea9076680b9434522cce1b18185afb1a5f3699e7cbf4cf305b67e36f31e159a0",
    epochs: "4e9aa7f31c57eb0645593f4ab47ec67afe66ea4885b14637465a876305ed88b0",
  },
  "snips validation, early stopping, restore best": {
    weights: "d45a374928ede33410f060956c25718e2e2b5e3b7f7ec8a637f65a3247be5b4e",
    steps: "cf15523e6b2d82b6dc6904dc82bbf8596fc2e56a71e999879c35d1ccf90f326a",
    epochs: "f6226fe490d411b2e393f4a775bd85bb614178b69ea7405f22733428488ab6ad",
  },
  "dr validation (fitted models)": {
    weights: "ded750f28ceeeb6a1bd493e3de889edffc2ba05fc9b21f3e3cc8d31d758b8d73",
    steps: "1041c33b8898b1c652228fd2c83e8cfaf84e2dfbc72728714cb24b875c4e8bca",
    epochs: "7cbcb45599674227412cdfaa7caa9dbb3f9525b6a9e4398d50530539a7bb3ae2",
  },
  "online with exact value": {
    weights: "a8921af5f0705fc989eff667d18d3284e220273a56c39b845c5eb2af2eee2a45",
    steps: "e7a7eb33716b7cf09b613424507df2a3c99642b985f9fe3e24e1ae46dcce374d",
    epochs: "d5606627f08275766326d53c73dea6b458fe0faeb41ec6ea64f0d5aacb83a021",
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
