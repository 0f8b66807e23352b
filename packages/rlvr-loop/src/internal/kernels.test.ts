import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createToolRoutingEnvironment } from "../tool-routing-environment.js";
import { type TrainingResult, train } from "../train.js";
import { type TrainingData, trainingDataFromArrays } from "../training-data.js";
import { AdamW } from "./adamw.js";
import { createKernels, JsKernels, type Kernels, setKernelBackend, WasmKernels } from "./kernels.js";

const bytes = (a: Float64Array | Float32Array | Int32Array): string =>
  createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");

/** A problem for the kernels: rows × A weights, contexts of distinct sorted rows, one dz row per context. */
interface Problem {
  readonly rows: number;
  readonly A: number;
  readonly data: TrainingData;
  readonly W: Float64Array;
  readonly dz: Float64Array;
}

const problemArb: fc.Arbitrary<Problem> = fc
  .record({
    A: fc.integer({ min: 1, max: 21 }),
    rows: fc.integer({ min: 2, max: 60 }),
    contexts: fc.integer({ min: 1, max: 12 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map(({ A, rows, contexts, seed }) => {
    let s = seed;
    const next = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296 - 0.5;
    };
    const offsets = [0];
    const indices: number[] = [];
    for (let c = 0; c < contexts; c++) {
      for (let r = 0; r < rows; r++) if (next() > 0.2) indices.push(r); // sorted, distinct, maybe empty
      offsets.push(indices.length);
    }
    const data = trainingDataFromArrays({
      actions: Array.from({ length: A }, (_, a) => `a${String(a).padStart(2, "0")}`),
      rows,
      offsets: Int32Array.from(offsets),
      indices: Int32Array.from(indices),
      values: Float64Array.from(indices, () => 3 * next()),
      actionIndex: new Int32Array(contexts),
      rewards: new Float64Array(contexts),
      groupOffsets: Int32Array.from({ length: contexts + 1 }, (_, g) => g),
    });
    const W = Float64Array.from({ length: rows * A }, () => next());
    const dz = Float64Array.from({ length: contexts * A }, () => (next() > 0.3 ? next() : -0));
    return { rows, A, data, W, dz };
  });

/** Runs score, scatter (twice) and `steps` lazy AdamW steps on `k`; returns what they produced. */
function exercise(k: Kernels, p: Problem, steps: number, forceJs = false) {
  const { data, A } = p;
  const n = data.numExamples;
  k.W.set(p.W);
  if (k instanceof WasmKernels) k.allDirty = true; // as createKernels does for non-zero weights
  const adam = new AdamW({
    rows: p.rows,
    actions: A,
    biasRow: p.rows - 1,
    settings: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, lazy: true },
    moments: k.moments,
    lazyKernel: k.lazyAdam,
  });
  const scores: string[] = [];
  const norms: number[] = [];
  const checks: number[] = [];
  for (let t = 0; t < steps; t++) {
    const chunk = k.chunk;
    chunk.count = n;
    chunk.nonZeros = forceJs ? k.maxNonZeros + 1 : data.indices.length;
    for (let c = 0; c < n; c++) {
      chunk.start[c] = data.offsets[c]!;
      chunk.end[c] = data.offsets[c + 1]!;
    }
    k.score(k.W, data);
    scores.push(bytes(chunk.z.subarray(0, n * A)));
    chunk.dz.set(p.dz.map((d) => d * (t + 1)));
    k.scatter(k.G, data);
    k.scatter(k.G, data);
    norms.push(k.G.norm());
    checks.push(adam.step(k.W, k.G, { learningRate: 0.05, gradientScale: 1 / (t + 1.5) }));
  }
  const own = bytes(k.ownWeights(false));
  return { scores, norms, checks, W: bytes(k.W), own, moments: bytes(k.moments), slots: bytes(k.G.slotOf) };
}

describe("WebAssembly kernels", () => {
  afterEach(() => {
    setKernelBackend("auto");
  });

  it("are available on this runtime", () => {
    expect(WasmKernels.create(10, 3)).not.toBeNull();
  });

  it("give the same bits as the JavaScript loops: scores, scatter, norm and lazy AdamW steps", () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const wasm = WasmKernels.create(p.rows, p.A)!;
        const expected = exercise(new JsKernels(p.rows, p.A), p, 3);
        expect(exercise(wasm, p, 3)).toEqual(expected);
        // a chunk above the staging area's capacity runs the JavaScript loops on the same memory
        expect(exercise(WasmKernels.create(p.rows, p.A)!, p, 3, true)).toEqual(expected);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("report a non-finite weight as NaN", () => {
    const k = WasmKernels.create(3, 2)!;
    const adam = new AdamW({
      rows: 3,
      actions: 2,
      biasRow: 2,
      settings: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, lazy: true },
      moments: k.moments,
      lazyKernel: k.lazyAdam,
    });
    k.W[1] = Number.POSITIVE_INFINITY;
    k.G.grad[k.G.slot(0) * 2] = 1;
    expect(adam.step(k.W, k.G, { learningRate: 0.1, gradientScale: 1 })).toBeNaN();
    expect(k.G.count).toBe(0);
    expect(k.G.slotOf[0]).toBe(-1);
  });

  it("start from the given weights, or zeros", () => {
    const W = Float64Array.from({ length: 8 }, (_, i) => i - 3.5);
    const given = createKernels(4, 2, W);
    expect(Array.from(given.W)).toEqual(Array.from(W));
    expect(Array.from(given.ownWeights(false))).toEqual(Array.from(W)); // every row copied out
    expect(given.ownWeights(false)).not.toBe(given.W);
    expect(createKernels(4, 2, null).W.every((w) => w === 0)).toBe(true);
    setKernelBackend("js");
    const js = createKernels(4, 2, W);
    expect(js).toBeInstanceOf(JsKernels);
    expect(js.W).toBe(W);
  });
});

describe("training with either kernels", () => {
  afterEach(() => {
    setKernelBackend("auto");
  });

  const env = createToolRoutingEnvironment();
  const logs = env.generateLogs({ n: 500, seed: 11 }).dataset;
  const digest = (r: TrainingResult): string[] => [
    bytes(r.policy.weights),
    JSON.stringify(r.steps),
    JSON.stringify(r.epochs),
  ];
  const run = async (backend: "auto" | "js", config: Parameters<typeof train>[1]): Promise<string[]> => {
    setKernelBackend(backend);
    return digest(await train(logs, { featurizer: { dimension: 512 }, epochs: 3, seed: 5, ...config }));
  };

  for (const [label, config] of [
    ["defaults (dm target)", {}],
    [
      "grpo, dense AdamW, μ = 2, exact KL with β",
      { offPolicy: { target: "grpo" }, optimizer: { lazy: false }, innerIterations: 2, kl: { beta: 0.1 } },
    ],
    [
      "grpo, k3 KL, entropy bonus, weight decay",
      {
        offPolicy: { target: "grpo" },
        kl: { beta: 0.05, estimator: "k3" },
        entropyCoef: 0.01,
        optimizer: { weightDecay: 0.01 },
      },
    ],
  ] as const) {
    it(`${label}: bit-identical results, run to run and against the JavaScript kernels`, async () => {
      const first = await run("auto", config);
      expect(await run("auto", config)).toEqual(first);
      expect(await run("js", config)).toEqual(first);
    });
  }
});
