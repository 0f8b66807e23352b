import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TrainingData, trainingDataFromArrays } from "../training-data.js";
import { type AdvantageSettings, type Aggregation, prepareBatch } from "./advantages.js";
import { type GlmKind, glmObjective } from "./glm.js";
import { GradientBuffer } from "./linear.js";
import {
  type ObjectiveSettings,
  objective,
  type Reference,
  type RoundBuffers,
  Scratch,
} from "./objective.js";

/** A random small problem: data, current weights, the weights π_old was taken at, a reference. */
interface Problem {
  data: TrainingData;
  W: Float64Array;
  Wold: Float64Array;
  Wref: Float64Array | null;
}

const BASELINES = ["group", "rloo"] as const;
const SCALES = ["group", "batch", "none"] as const;
const DEGENERATE = ["zero", "drop", "batch_mean"] as const;
const AGGREGATIONS = ["grpo", "bnpo", "dr_grpo"] as const;
const KL = ["exact", "k3"] as const;

interface Variant {
  advantage: AdvantageSettings;
  aggregation: Aggregation;
  settings: ObjectiveSettings;
  correctionCap: number | null;
}

function problemArb(): fc.Arbitrary<Problem> {
  return fc
    .record({
      A: fc.integer({ min: 2, max: 4 }),
      D: fc.integer({ min: 2, max: 5 }),
      groupSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
      seedValues: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 400, maxLength: 400 }),
      useWeights: fc.boolean(),
      useMask: fc.boolean(),
      useRef: fc.boolean(),
      discreteRewards: fc.boolean(),
    })
    .map(({ A, D, groupSizes, seedValues, useWeights, useMask, useRef, discreteRewards }) => {
      let c = 0;
      const next = (): number => seedValues[c++ % seedValues.length]!; // in [-1, 1]
      const unit = (): number => (next() + 1) / 2;
      const rows = D + 1;
      const n = groupSizes.reduce((x, y) => x + y, 0);
      const offsets = new Int32Array(n + 1);
      const indices: number[] = [];
      const values: number[] = [];
      const actionIndex = new Int32Array(n);
      const rewards = new Float64Array(n);
      const behaviorProbs = new Float64Array(n);
      const weights = useWeights ? new Float64Array(n) : null;
      const mask = useMask ? new Uint8Array(n * A) : null;
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < D; f++) {
          if (unit() < 0.6) {
            indices.push(f);
            values.push(Math.round(next() * 200) / 100);
          }
        }
        indices.push(D);
        values.push(1);
        offsets[i + 1] = indices.length;
        const a = Math.min(A - 1, Math.floor(unit() * A));
        actionIndex[i] = a;
        rewards[i] = discreteRewards ? [0, 0.5, 1][Math.min(2, Math.floor(unit() * 3))]! : unit();
        behaviorProbs[i] = 0.05 + 0.95 * unit();
        if (weights) weights[i] = 0.5 + 1.5 * unit();
        if (mask) for (let b = 0; b < A; b++) mask[i * A + b] = b === a || unit() < 0.6 ? 1 : 0;
      }
      const groupOffsets = new Int32Array(groupSizes.length + 1);
      for (let g = 0; g < groupSizes.length; g++) groupOffsets[g + 1] = groupOffsets[g]! + groupSizes[g]!;
      const actions = Array.from({ length: A }, (_, i) => `a${i}`);
      const data = trainingDataFromArrays({
        actions,
        rows,
        offsets,
        indices: Int32Array.from(indices),
        values: Float64Array.from(values),
        actionIndex,
        rewards,
        groupOffsets,
        behaviorProbs,
        weights,
        allowedMask: mask,
      });
      const W = Float64Array.from({ length: rows * A }, () => 0.8 * next());
      const Wold = W.map((w) => w + 0.25 * next());
      const Wref = useRef ? Float64Array.from({ length: rows * A }, () => 0.8 * next()) : null;
      return { data, W, Wold, Wref };
    });
}

const variantArb: fc.Arbitrary<Variant> = fc
  .record({
    baseline: fc.constantFrom(...BASELINES),
    scale: fc.constantFrom(...SCALES),
    degenerateGroups: fc.constantFrom(...DEGENERATE),
    aggregation: fc.constantFrom(...AGGREGATIONS),
    klEstimator: fc.constantFrom(...KL),
    beta: fc.constantFrom(0, 0.3),
    entropyCoef: fc.constantFrom(0, 0.2),
    epsilonLow: fc.constantFrom(0.1, 0.2),
    epsilonHigh: fc.constantFrom(0.2, 0.28),
    correctionCap: fc.constantFrom(null, 0.8, 3),
  })
  .map((v) => ({
    advantage: { baseline: v.baseline, scale: v.scale, epsilon: 1e-4, degenerateGroups: v.degenerateGroups },
    aggregation: v.aggregation,
    settings: {
      epsilonLow: v.epsilonLow,
      epsilonHigh: v.epsilonHigh,
      beta: v.beta,
      klEstimator: v.klEstimator,
      entropyCoef: v.entropyCoef,
    },
    correctionCap: v.correctionCap,
  }));

/** Set up the round for a problem: advantages, κ, π_old log-probabilities and corrections at W_old. */
function setUp(p: Problem, v: Variant) {
  const n = p.data.numExamples;
  const buffers: RoundBuffers = {
    advantages: new Float64Array(n),
    kappa: new Float64Array(n),
    oldLogProb: new Float64Array(n),
    correction: new Float64Array(n),
    qhat: null,
  };
  const groups = Int32Array.from({ length: p.data.numGroups }, (_, g) => g);
  const included = new Int32Array(p.data.numGroups);
  const stats = prepareBatch(
    { data: p.data, groups, start: 0, end: groups.length, settings: v.advantage, aggregation: v.aggregation },
    { advantages: buffers.advantages, kappa: buffers.kappa, included },
  );
  const reference: Reference = p.Wref ? { kind: "weights", weights: p.Wref } : { kind: "uniform" };
  const scratch = new Scratch(p.data.actions.length);
  const sums = () => ({ examples: 0, kl: 0, entropy: 0, lowClipped: 0, highClipped: 0 });
  const input = {
    data: p.data,
    groups: included,
    count: stats.includedGroups,
    round: buffers,
    settings: v.settings,
    reference,
    scratch,
  };
  objective(
    { ...input, W: p.Wold, G: null, mode: { recordOld: true, correctionCap: v.correctionCap } },
    sums(),
  );
  const loss = (W: Float64Array, G: GradientBuffer | null): number =>
    objective({ ...input, W, G, mode: { recordOld: false, correctionCap: v.correctionCap } }, sums());
  return { loss, buffers, included: included.subarray(0, stats.includedGroups) };
}

/** Distance of every ratio π/π_old from the clipping kinks (finite differences are invalid at a kink). */
function kinkDistance(p: Problem, v: Variant): number {
  const pi = naiveProbs(p.W, p.data);
  const old = naiveProbs(p.Wold, p.data);
  const A = p.data.actions.length;
  let d = Number.POSITIVE_INFINITY;
  for (let i = 0; i < p.data.numExamples; i++) {
    const a = p.data.actionIndex[i]!;
    const r = pi[i * A + a]! / old[i * A + a]!;
    d = Math.min(d, Math.abs(r - (1 - v.settings.epsilonLow)), Math.abs(r - (1 + v.settings.epsilonHigh)));
  }
  return d;
}

/** π(·|x_i) by the textbook formula (no log-sum-exp; the weights here are small). */
function naiveProbs(W: Float64Array, data: TrainingData): Float64Array {
  const A = data.actions.length;
  const out = new Float64Array(data.numExamples * A);
  for (let i = 0; i < data.numExamples; i++) {
    const z = new Array<number>(A).fill(0);
    for (let k = data.offsets[i]!; k < data.offsets[i + 1]!; k++) {
      for (let a = 0; a < A; a++) z[a]! += data.values[k]! * W[data.indices[k]! * A + a]!;
    }
    let s = 0;
    for (let a = 0; a < A; a++) {
      const on = data.allowedMask === null || data.allowedMask[i * A + a] === 1;
      if (on) s += Math.exp(z[a]!);
    }
    for (let a = 0; a < A; a++) {
      const on = data.allowedMask === null || data.allowedMask[i * A + a] === 1;
      out[i * A + a] = on ? Math.exp(z[a]!) / s : 0;
    }
  }
  return out;
}

/** The loss written directly from docs/algorithms.md §2, independently of the implementation. */
function referenceLoss(p: Problem, v: Variant): number {
  const d = p.data;
  const A = d.actions.length;
  const pi = naiveProbs(p.W, d);
  const old = naiveProbs(p.Wold, d);
  const ref = p.Wref ? naiveProbs(p.Wref, d) : null;
  const groups: number[][] = [];
  for (let g = 0; g < d.numGroups; g++) {
    groups.push(
      Array.from({ length: d.groupOffsets[g + 1]! - d.groupOffsets[g]! }, (_, k) => d.groupOffsets[g]! + k),
    );
  }
  const all = groups.flat();
  const r = (i: number) => d.rewards[i]!;
  const mean = (xs: number[]) => xs.reduce((s, i) => s + r(i), 0) / xs.length;
  const sstd = (xs: number[]) => {
    if (xs.length < 2) return 0;
    const m = mean(xs);
    return Math.sqrt(xs.reduce((s, i) => s + (r(i) - m) ** 2, 0) / (xs.length - 1));
  };
  const batchMean = mean(all);
  const batchStd = sstd(all);
  const eps = v.advantage.epsilon;
  const adv = new Map<number, number>();
  const included: number[][] = [];
  for (const g of groups) {
    const degenerate = g.length < 2 || g.every((i) => r(i) === r(g[0]!));
    if (degenerate && v.advantage.degenerateGroups === "drop") continue;
    included.push(g);
    for (const i of g) {
      let a: number;
      if (degenerate) {
        a =
          v.advantage.degenerateGroups === "zero"
            ? 0
            : (r(i) - batchMean) / (v.advantage.scale === "none" ? 1 : batchStd + eps);
      } else {
        const b =
          v.advantage.baseline === "group"
            ? mean(g)
            : (g.reduce((s, j) => s + r(j), 0) - r(i)) / (g.length - 1);
        const s =
          v.advantage.scale === "group" ? sstd(g) + eps : v.advantage.scale === "batch" ? batchStd + eps : 1;
        a = (r(i) - b) / s;
      }
      adv.set(i, a);
    }
  }
  const w = (i: number) => (d.weights ? d.weights[i]! : 1);
  const G = included.length;
  const maxSize = Math.max(0, ...included.map((g) => g.length));
  const totalW = included.flat().reduce((s, i) => s + w(i), 0);
  let loss = 0;
  for (const g of included) {
    const gw = g.reduce((s, i) => s + w(i), 0);
    for (const i of g) {
      const kappa =
        v.aggregation === "grpo"
          ? w(i) / gw / G
          : v.aggregation === "bnpo"
            ? w(i) / totalW
            : w(i) / (G * maxSize);
      const a = d.actionIndex[i]!;
      const rho = pi[i * A + a]! / old[i * A + a]!;
      const A_i = adv.get(i)!;
      const clipped = Math.min(Math.max(rho, 1 - v.settings.epsilonLow), 1 + v.settings.epsilonHigh);
      const surrogate = -Math.min(rho * A_i, clipped * A_i);
      const c =
        v.correctionCap === null ? 1 : Math.min(v.correctionCap, old[i * A + a]! / d.behaviorProbs![i]!);
      let H = 0;
      let kl = 0;
      const allowed = (b: number) => d.allowedMask === null || d.allowedMask[i * A + b] === 1;
      const nAllowed = Array.from({ length: A }, (_, b) => b).filter(allowed).length;
      const q = (b: number) => (ref ? ref[i * A + b]! : 1 / nAllowed);
      for (let b = 0; b < A; b++) {
        if (!allowed(b)) continue;
        const pb = pi[i * A + b]!;
        H -= pb * Math.log(pb);
        if (v.settings.klEstimator === "exact") kl += pb * (Math.log(pb) - Math.log(q(b)));
      }
      if (v.settings.klEstimator === "k3") {
        const delta = Math.log(q(a)) - Math.log(pi[i * A + a]!);
        kl = Math.exp(delta) - delta - 1;
      }
      loss += kappa * (c * surrogate + v.settings.beta * kl - v.settings.entropyCoef * H);
    }
  }
  return loss;
}

function finiteDifferenceCheck(
  loss: (W: Float64Array, G: GradientBuffer | null) => number,
  W0: Float64Array,
  rows: number,
  A: number,
) {
  const G = new GradientBuffer(rows, A);
  loss(W0, G);
  const analytic = G.toDense();
  const numeric = new Float64Array(W0.length);
  const h = 1e-5;
  const W = W0.slice();
  for (let j = 0; j < W.length; j++) {
    W[j] = W0[j]! + h;
    const up = loss(W, null);
    W[j] = W0[j]! - h;
    const down = loss(W, null);
    W[j] = W0[j]!;
    numeric[j] = (up - down) / (2 * h);
  }
  let diff = 0;
  for (let j = 0; j < W.length; j++) diff += (analytic[j]! - numeric[j]!) ** 2;
  const normA = Math.hypot(...analytic);
  const normN = Math.hypot(...numeric);
  const error = Math.sqrt(diff);
  // relative error, with an absolute floor for gradients that are exactly zero (FD noise ~1e-11)
  return { relativeError: error <= 1e-10 ? 0 : error / Math.max(normA, normN), normA, normN };
}

describe("GRPO objective", () => {
  it("matches the formulas of docs/algorithms.md §2 written independently (every variant)", () => {
    fc.assert(
      fc.property(problemArb(), variantArb, (p, v) => {
        const { loss } = setUp(p, v);
        const ours = loss(p.W, null);
        const theirs = referenceLoss(p, v);
        expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(theirs)));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("has gradients equal to central finite differences of the loss (relative error < 1e-6)", () => {
    let checked = 0;
    fc.assert(
      fc.property(problemArb(), variantArb, (p, v) => {
        fc.pre(kinkDistance(p, v) > 1e-3);
        const { loss } = setUp(p, v);
        const r = finiteDifferenceCheck(loss, p.W, p.data.rows, p.data.actions.length);
        if (r.normN > 1e-9) checked++;
        expect(r.relativeError).toBeLessThan(1e-6);
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(150); // most runs have a non-zero gradient: the check is not vacuous
  });

  it("covers every combination of baseline, scaling, degenerate policy, aggregation and KL estimator", () => {
    const problem = fc.sample(problemArb(), { seed: 7, numRuns: 40 }).find((p) => p.data.numGroups >= 3)!;
    let worst = 0;
    for (const baseline of BASELINES)
      for (const scale of SCALES)
        for (const degenerateGroups of DEGENERATE)
          for (const aggregation of AGGREGATIONS)
            for (const klEstimator of KL)
              for (const correctionCap of [null, 3]) {
                const v: Variant = {
                  advantage: { baseline, scale, epsilon: 1e-4, degenerateGroups },
                  aggregation,
                  settings: { epsilonLow: 0.2, epsilonHigh: 0.28, beta: 0.3, klEstimator, entropyCoef: 0.2 },
                  correctionCap,
                };
                if (kinkDistance(problem, v) < 1e-3) continue;
                const { loss } = setUp(problem, v);
                expect(Math.abs(loss(problem.W, null) - referenceLoss(problem, v))).toBeLessThan(1e-10);
                worst = Math.max(
                  worst,
                  finiteDifferenceCheck(loss, problem.W, problem.data.rows, problem.data.actions.length)
                    .relativeError,
                );
              }
    expect(worst).toBeLessThan(1e-6);
  });

  it("has zero surrogate gradient on the clipped branch and counts clipped examples", () => {
    // one group of two: a = 0 rewarded, a = 1 not; W pushes ratio of example 0 far above 1 + ε_high
    const data = trainingDataFromArrays({
      actions: ["a", "b"],
      rows: 1,
      offsets: Int32Array.from([0, 1, 2]),
      indices: Int32Array.from([0, 0]),
      values: Float64Array.from([1, 1]),
      actionIndex: Int32Array.from([0, 1]),
      rewards: Float64Array.from([1, 0]),
      groupOffsets: Int32Array.from([0, 2]),
    });
    const p: Problem = { data, W: Float64Array.from([2, -2]), Wold: new Float64Array(2), Wref: null };
    const v: Variant = {
      advantage: { baseline: "group", scale: "none", epsilon: 0, degenerateGroups: "zero" },
      aggregation: "bnpo",
      settings: { epsilonLow: 0.2, epsilonHigh: 0.2, beta: 0, klEstimator: "exact", entropyCoef: 0 },
      correctionCap: null,
    };
    const { loss } = setUp(p, v);
    const G = new GradientBuffer(1, 2);
    const sums = { examples: 0, kl: 0, entropy: 0, lowClipped: 0, highClipped: 0 };
    // ρ_0 = π(a)/0.5 ≈ 1.96 > 1.2 with A_0 = +0.5 → clipped; ρ_1 ≈ 0.036 < 0.8 with A_1 = −0.5 → clipped
    const value = loss(p.W, G);
    expect(value).toBeCloseTo(-(1.2 * 0.5 + 0.8 * -0.5) / 2, 12);
    expect(Array.from(G.toDense())).toEqual([0, 0]);
    const { buffers, included } = setUp(p, v);
    objective(
      {
        W: p.W,
        G: null,
        data,
        groups: included,
        count: included.length,
        round: buffers,
        settings: v.settings,
        reference: { kind: "uniform" },
        mode: { recordOld: false, correctionCap: null },
        scratch: new Scratch(2),
      },
      sums,
    );
    expect(sums.highClipped).toBe(1);
    expect(sums.lowClipped).toBe(1);
  });
});

describe("GLM losses of the reward and behavior models", () => {
  for (const kind of ["logistic", "multinomial"] as GlmKind[]) {
    it(`${kind}: gradient equals central finite differences`, () => {
      fc.assert(
        fc.property(problemArb(), (p) => {
          const order = Int32Array.from({ length: p.data.numExamples }, (_, i) => i);
          const scratch = new Scratch(p.data.actions.length);
          const loss = (W: Float64Array, G: GradientBuffer | null) =>
            glmObjective({ kind, W, G, data: p.data, order, start: 0, end: order.length, scratch });
          expect(
            finiteDifferenceCheck(loss, p.W, p.data.rows, p.data.actions.length).relativeError,
          ).toBeLessThan(1e-6);
        }),
        { seed: 42, numRuns: 100 },
      );
    });
  }
});
