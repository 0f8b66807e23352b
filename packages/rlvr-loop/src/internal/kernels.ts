/**
 * Where the trainer's parameters live and which kernels run on them. The objective (objective.ts)
 * scores a chunk of contexts at once, takes their softmax, computes the per-example losses in
 * JavaScript, then scatters the chunk's gradients; the kernels do the scoring, the softmax and the scatter. Two implementations give the same
 * bits: {@link JsKernels} (linear.ts's loops on ordinary typed arrays) and the WebAssembly SIMD kernels
 * of wasm-kernels.ts, whose weights, moments and gradient live in one WebAssembly memory (used when
 * the runtime has WebAssembly SIMD and the matrices fit in 4 GiB).
 */
import type { TrainingData } from "../training-data.js";
import { GradientBuffer, type SparseRow, scatterInto, scoresInto } from "./linear.js";
import { type SoftmaxRows, softmaxRow } from "./softmax.js";
import { ADAM_PARAMS } from "./wasm-adam.js";
import { instantiateKernels, type KernelExports } from "./wasm-kernels.js";

/** Contexts per chunk of the objective. */
const MAX_CONTEXTS = 1024;
/** Non-zero features per chunk (a single larger context is scored by the JavaScript loops). */
const MAX_NON_ZEROS = 1 << 16;

/**
 * A chunk of contexts: the CSR ranges `start[c] .. end[c]` of the data, their scores `z[c·A ..]`,
 * log-probabilities `lp[c·A ..]`, probabilities `p[c·A ..]`, entropy[c] and exact KL to the uniform
 * reference kl[c] (softmax.ts), and the gradient with respect to the scores `dz[c·A ..]`.
 */
export interface ContextChunk extends SoftmaxRows {
  count: number;
  nonZeros: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly dz: Float64Array;
}

/** The lazy AdamW step's scalars (see adamw.ts). */
export interface LazyAdamParams {
  readonly scale: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly bc2sqrt: number;
  readonly stepSize: number;
  readonly epsilon: number;
  readonly decayed: number;
  readonly biasRow: number;
}

/** The kernels of the objective: score a chunk of contexts, scatter its gradient. */
export interface ChunkKernels {
  readonly chunk: ContextChunk;
  readonly maxContexts: number;
  /** Non-zero features per chunk above which a chunk holds a single context. */
  readonly maxNonZeros: number;
  /** chunk.z from W for the chunk's contexts. */
  score(W: Float64Array, data: TrainingData): void;
  /** chunk.lp, p, entropy and kl from chunk.z over all actions (softmax.ts's softmaxRow), lq = −log |A|. */
  softmax(lq: number): void;
  /** G += the chunk's gradient (features of each context times its dz row), in order. */
  scatter(G: GradientBuffer, data: TrainingData): void;
}

/** Parameters, gradient buffer and the kernels that work on them. */
export interface Kernels extends ChunkKernels {
  /** The weights W (rows × A). */
  readonly W: Float64Array;
  /** AdamW moments (rows × 2A: m then v per row), stored as float32. */
  readonly moments: Float32Array;
  readonly G: GradientBuffer;
  /**
   * The trained weights in an array of their own: W itself for the JavaScript kernels, a copy out of
   * WebAssembly memory otherwise. `allRows`: copy every row (dense AdamW); by default only the rows
   * a lazy step updated (and all of them when the kernels started from non-zero weights) are copied,
   * the others being zero.
   */
  ownWeights(allRows: boolean): Float64Array;
  /** The lazy AdamW update of the rows G touched (clears G); returns Σ w·0; null: use the JavaScript loop. */
  lazyAdam: ((W: Float64Array, params: LazyAdamParams) => number) | null;
}

/** A chunk on the given arrays (views of WebAssembly memory), or on new ones. */
const newChunk = (
  A: number,
  arrays?: Omit<ContextChunk, "count" | "nonZeros" | "start" | "end">,
): ContextChunk => ({
  count: 0,
  nonZeros: 0,
  start: new Int32Array(MAX_CONTEXTS),
  end: new Int32Array(MAX_CONTEXTS),
  z: arrays?.z ?? new Float64Array(MAX_CONTEXTS * A),
  lp: arrays?.lp ?? new Float64Array(MAX_CONTEXTS * A),
  p: arrays?.p ?? new Float64Array(MAX_CONTEXTS * A),
  entropy: arrays?.entropy ?? new Float64Array(MAX_CONTEXTS),
  kl: arrays?.kl ?? new Float64Array(MAX_CONTEXTS),
  dz: arrays?.dz ?? new Float64Array(MAX_CONTEXTS * A),
});

/** `row` set to the features of the chunk's context c. */
function contextRow(row: SparseRow, chunk: ContextChunk, c: number): SparseRow {
  row.start = chunk.start[c]!;
  row.end = chunk.end[c]!;
  return row;
}

/** scoresInto over the chunk's contexts (the reference the WebAssembly kernels match). */
function jsScore(W: Float64Array, data: TrainingData, chunk: ContextChunk, z: Float64Array): void {
  const row: SparseRow = { indices: data.indices, values: data.values, start: 0, end: 0 };
  for (let c = 0; c < chunk.count; c++) {
    scoresInto(W, contextRow(row, chunk, c), z);
    chunk.z.set(z, c * z.length);
  }
}

/** scatterInto over the chunk's contexts, in order. */
function jsScatter(G: GradientBuffer, data: TrainingData, chunk: ContextChunk, dz: Float64Array): void {
  const A = dz.length;
  const row: SparseRow = { indices: data.indices, values: data.values, start: 0, end: 0 };
  for (let c = 0; c < chunk.count; c++) {
    for (let a = 0; a < A; a++) dz[a] = chunk.dz[c * A + a]!;
    scatterInto(G, contextRow(row, chunk, c), dz);
  }
}

/** The objective's JavaScript kernels (linear.ts's loops). */
export class JsChunkKernels implements ChunkKernels {
  readonly chunk: ContextChunk;
  readonly maxContexts = MAX_CONTEXTS;
  readonly maxNonZeros = Number.POSITIVE_INFINITY;
  private readonly v: Float64Array;

  constructor(A: number) {
    this.chunk = newChunk(A);
    this.v = new Float64Array(A);
  }

  score(W: Float64Array, data: TrainingData): void {
    jsScore(W, data, this.chunk, this.v);
  }

  softmax(lq: number): void {
    const { chunk } = this;
    for (let c = 0; c < chunk.count; c++) softmaxRow(chunk, c, this.v.length, lq);
  }

  scatter(G: GradientBuffer, data: TrainingData): void {
    jsScatter(G, data, this.chunk, this.v);
  }
}

/** The JavaScript kernels on ordinary typed arrays. */
export class JsKernels extends JsChunkKernels implements Kernels {
  readonly W: Float64Array;
  readonly moments: Float32Array;
  readonly G: GradientBuffer;
  readonly lazyAdam = null;

  /** `W`: the starting weights, used in place (default zeros). */
  constructor(rows: number, A: number, W?: Float64Array) {
    super(A);
    this.W = W ?? new Float64Array(rows * A);
    this.moments = new Float32Array(rows * 2 * A);
    this.G = new GradientBuffer(rows, A);
  }

  ownWeights(): Float64Array {
    return this.W;
  }
}

const align = (n: number): number => Math.ceil(n / 64) * 64;
const PAGE = 65536;
const MAX_PAGES = 65536;

/**
 * The WebAssembly kernels: W, the moments, the gradient slots and the staging area of a chunk in one
 * memory that never grows (so the views stay valid). The gradient has room for every row; pages a
 * run never touches are never committed.
 */
export class WasmKernels implements Kernels {
  readonly W: Float64Array;
  readonly moments: Float32Array;
  readonly G: GradientBuffer;
  readonly chunk: ContextChunk;
  readonly maxContexts = MAX_CONTEXTS;
  readonly maxNonZeros = MAX_NON_ZEROS;
  readonly lazyAdam: (W: Float64Array, params: LazyAdamParams) => number;
  /** 1 for every row a lazy step updated (the only rows that can be non-zero when `allDirty` is false). */
  private readonly dirty: Uint8Array;
  /** Whether any row may be non-zero (the kernels started from non-zero weights). */
  allDirty = false;
  private readonly k: KernelExports;
  private readonly at: {
    readonly w: number;
    readonly grad: number;
    readonly tables: number;
    readonly idx: number;
    readonly val: number;
    readonly off: number;
    readonly z: number;
    readonly lp: number;
    readonly p: number;
    readonly entropy: number;
    readonly kl: number;
    readonly dz: number;
  };
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private readonly off: Int32Array;
  private readonly v: Float64Array;
  private readonly params: DataView;
  /** Whether the staging area holds the current chunk's features. */
  private staged = false;

  private constructor(rows: number, A: number, kernels: { exports: KernelExports; buffer: ArrayBuffer }) {
    const buf = kernels.buffer;
    this.k = kernels.exports;
    const l = WasmKernels.layout(rows, A);
    this.at = l;
    this.params = new DataView(buf, 0, ADAM_PARAMS.bytes);
    this.W = new Float64Array(buf, l.w, rows * A);
    this.moments = new Float32Array(buf, l.moments, rows * 2 * A);
    this.G = new GradientBuffer(rows, A, {
      slotOf: new Int32Array(buf, l.tables, rows),
      rowOf: new Int32Array(buf, l.tables + rows * 4, rows),
      grad: new Float64Array(buf, l.grad, rows * A),
      sumSquares: (n) => this.k.sumSquares(l.grad, n),
    });
    this.idx = new Int32Array(buf, l.idx, MAX_NON_ZEROS);
    this.val = new Float64Array(buf, l.val, MAX_NON_ZEROS);
    this.off = new Int32Array(buf, l.off, MAX_CONTEXTS + 1);
    const rowsOf = (at: number): Float64Array => new Float64Array(buf, at, MAX_CONTEXTS * A);
    this.chunk = newChunk(A, {
      z: rowsOf(l.z),
      lp: rowsOf(l.lp),
      p: rowsOf(l.p),
      entropy: new Float64Array(buf, l.entropy, MAX_CONTEXTS),
      kl: new Float64Array(buf, l.kl, MAX_CONTEXTS),
      dz: rowsOf(l.dz),
    });
    this.v = new Float64Array(A);
    this.dirty = new Uint8Array(buf, l.dirty, rows);
    const p = this.params;
    const P = ADAM_PARAMS;
    p.setInt32(P.w, l.w, true);
    p.setInt32(P.moments, l.moments, true);
    p.setInt32(P.grad, l.grad, true);
    p.setInt32(P.tables, l.tables, true);
    p.setInt32(P.dirty, l.dirty, true);
    this.lazyAdam = (W, o) => {
      if (W !== this.W) throw new RangeError("the lazy AdamW kernel updates its own weights only");
      p.setFloat64(P.scale, o.scale, true);
      p.setFloat64(P.beta1, o.beta1, true);
      p.setFloat64(P.b1c, 1 - o.beta1, true);
      p.setFloat64(P.beta2, o.beta2, true);
      p.setFloat64(P.b2c, 1 - o.beta2, true);
      p.setFloat64(P.bc2sqrt, o.bc2sqrt, true);
      p.setFloat64(P.stepSize, o.stepSize, true);
      p.setFloat64(P.epsilon, o.epsilon, true);
      p.setFloat64(P.decayed, o.decayed, true);
      p.setInt32(P.biasRow, o.biasRow, true);
      const check = this.k.adam(0, this.G.count);
      this.G.count = 0; // the kernel reset the slot table
      return check;
    };
  }

  private static layout(rows: number, A: number) {
    const w = align(ADAM_PARAMS.bytes);
    const moments = align(w + rows * A * 8);
    const grad = align(moments + rows * 2 * A * 4);
    const tables = align(grad + rows * A * 8);
    const dirty = align(tables + rows * 8);
    const idx = align(dirty + rows);
    const val = align(idx + MAX_NON_ZEROS * 4);
    const off = align(val + MAX_NON_ZEROS * 8);
    const z = align(off + (MAX_CONTEXTS + 1) * 4);
    const lp = align(z + MAX_CONTEXTS * A * 8);
    const p = align(lp + MAX_CONTEXTS * A * 8);
    const entropy = align(p + MAX_CONTEXTS * A * 8);
    const kl = align(entropy + MAX_CONTEXTS * 8);
    const dz = align(kl + MAX_CONTEXTS * 8);
    const end = dz + MAX_CONTEXTS * A * 8;
    return { w, moments, grad, tables, dirty, idx, val, off, z, lp, p, entropy, kl, dz, end };
  }

  /** The WebAssembly kernels for rows × A, or null without WebAssembly SIMD or above 4 GiB. */
  static create(rows: number, A: number): WasmKernels | null {
    const pages = Math.ceil(WasmKernels.layout(rows, A).end / PAGE);
    if (pages > MAX_PAGES) return null;
    const kernels = instantiateKernels(A, rows, pages);
    return kernels === null ? null : new WasmKernels(rows, A, kernels);
  }

  ownWeights(allRows: boolean): Float64Array {
    if (allRows || this.allDirty) return this.W.slice();
    // rows never updated are zero: leaving them unwritten leaves most pages of a small run untouched;
    // when most rows were updated, one copy of the whole matrix is faster and gives the same array
    const { W, dirty } = this;
    let updated = 0;
    for (let r = 0; r < dirty.length; r++) updated += dirty[r]!;
    if (4 * updated > dirty.length) return W.slice();
    const A = this.v.length;
    const out = new Float64Array(W.length);
    for (let r = 0; r < dirty.length; r++) {
      if (dirty[r] === 0) continue;
      for (let a = r * A; a < r * A + A; a++) out[a] = W[a]!;
    }
    return out;
  }

  /** Copies the chunk's features into the staging area (the chunk fits: nonZeros ≤ maxNonZeros). */
  private stage(data: TrainingData): void {
    const { indices, values } = data;
    const { idx, val, off, chunk } = this;
    let p = 0;
    for (let c = 0; c < chunk.count; c++) {
      off[c] = p;
      const e = chunk.end[c]!;
      for (let k = chunk.start[c]!; k < e; k++) {
        idx[p] = indices[k]!;
        val[p] = values[k]!;
        p++;
      }
    }
    off[chunk.count] = p;
  }

  score(W: Float64Array, data: TrainingData): void {
    const { chunk, at } = this;
    this.staged = false;
    if (W !== this.W || chunk.nonZeros > MAX_NON_ZEROS) {
      jsScore(W, data, chunk, this.v);
      return;
    }
    this.stage(data);
    this.staged = true;
    this.k.score(at.w, at.idx, at.val, at.off, chunk.count, at.z);
  }

  softmax(lq: number): void {
    const { chunk, at } = this;
    this.k.softmax(at.z, at.lp, at.p, at.entropy, at.kl, chunk.count, lq);
  }

  scatter(G: GradientBuffer, data: TrainingData): void {
    const { chunk, at } = this;
    if (G !== this.G || chunk.nonZeros > MAX_NON_ZEROS) {
      jsScatter(G, data, chunk, this.v);
      return;
    }
    if (!this.staged) this.stage(data); // score() staged them unless it ran the JavaScript loops
    this.staged = false;
    G.count = this.k.scatter(at.grad, at.tables, at.idx, at.val, at.off, chunk.count, at.dz, G.count);
  }
}

/** Which kernels {@link createKernels} picks: `auto` (WebAssembly when available) or `js` (tests, benchmarks). */
let backend: "auto" | "js" = "auto";

/** Sets the backend of later {@link createKernels} calls; returns the previous one. */
export function setKernelBackend(next: "auto" | "js"): "auto" | "js" {
  const previous = backend;
  backend = next;
  return previous;
}

/**
 * Kernels for rows × A starting from the weights `W` (null: zeros; copied into WebAssembly memory, or
 * used in place by the JavaScript kernels): WebAssembly when available, else JavaScript.
 */
export function createKernels(rows: number, A: number, W: Float64Array | null): Kernels {
  const wasm = backend === "js" ? null : WasmKernels.create(rows, A);
  if (wasm === null) return new JsKernels(rows, A, W ?? undefined);
  if (W !== null) {
    wasm.W.set(W); // the memory starts zeroed: writing zeros would only commit its pages
    wasm.allDirty = true;
  }
  return wasm;
}
