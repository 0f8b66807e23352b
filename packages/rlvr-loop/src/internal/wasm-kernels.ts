/**
 * WebAssembly SIMD (f64x2) versions of the trainer's kernels: scoring (z = Σ_k v_k W[row_k]), the
 * gradient scatter and the squared gradient norm, in one module with the lazy AdamW step of
 * wasm-adam.ts and the softmax of wasm-softmax.ts. Each f64x2 lane rounds exactly as the scalar f64
 * operation and every sum keeps the order of the JavaScript kernels (linear.ts,
 * adamw.ts), so both produce the same bits; the lanes are actions, never terms of one sum. The module
 * is built for one A (loops over actions unrolled) and cached per A.
 */

import { ADAM_PARAMS, adamFn } from "./wasm-adam.js";
import {
  addr,
  F,
  F64,
  f64,
  f64Load,
  f64Store,
  fn,
  forLoop,
  get,
  I,
  I32,
  i32,
  i32Load,
  i32Store,
  ifThen,
  scaled,
  set,
  tee,
  V128,
  v128Load,
  v128Store,
  type WasmFunction,
  wasmModule,
  X,
  zeroV,
} from "./wasm-emit.js";
import { softmaxFn } from "./wasm-softmax.js";

/** The exported functions of the kernel module (all addresses are byte offsets into the memory). */
export interface KernelExports {
  /** z[c·A + a] = Σ_k val[k] · W[idx[k]·A + a] for k in [off[c], off[c+1]), c < n; returns the sum of the values read ahead. */
  score(w: number, idx: number, val: number, off: number, n: number, z: number): number;
  /** Adds val[k] · dz[c·A ..] into the gradient slot of idx[k] (allocated on first use); returns the new slot count. */
  scatter(
    g: number,
    tables: number,
    idx: number,
    val: number,
    off: number,
    n: number,
    dz: number,
    count: number,
  ): number;
  /** Σ g[i]² over the first n entries, summed as linear.ts's GradientBuffer.norm does. */
  sumSquares(g: number, n: number): number;
  /** The lazy AdamW step over the `count` slots (see adamw.ts); clears the slot table; returns Σ w·0. */
  adam(p: number, count: number): number;
  /** softmax.ts's softmaxRow for the n contexts of z (see wasm-softmax.ts). */
  softmax(z: number, lp: number, p: number, entropy: number, kl: number, n: number, lq: number): void;
}

/** vs = val[k] (f64), v = its splat. */
const splatValue = (val: number, k: number, vs: number, v: number): number[] => [
  ...addr(val, k, 3),
  ...f64Load(),
  ...tee(vs),
  ...X.splat,
  ...set(v),
];

/** score: contexts in order; actions in chunks of up to 16 lanes (8 f64x2 accumulators) looping over k. */
function scoreFn(A: number): WasmFunction {
  const rb = A * 8;
  return fn("score", [I32, I32, I32, I32, I32, I32], [F64], (L) => {
    const [w, idx, val, off, n, z] = [0, 1, 2, 3, 4, 5];
    const touched = L.add(F64);
    const c = L.add(I32);
    const k = L.add(I32);
    const s = L.add(I32);
    const e = L.add(I32);
    const zr = L.add(I32);
    const b = L.add(I32);
    const v = L.add(V128);
    const vs = L.add(F64);
    const acc = Array.from({ length: 8 }, () => L.add(V128));
    const sacc = L.add(F64);
    const chunks: number[] = [];
    for (let a0 = 0; a0 < A; a0 += 16) {
      const lanes = Math.min(16, A - a0);
      const pairs = lanes >> 1;
      const odd = lanes & 1;
      const inner: number[] = [
        ...get(w),
        ...addr(idx, k, 2),
        ...i32Load(),
        ...i32(rb),
        ...I.mul,
        ...I.add,
        ...set(b),
        ...splatValue(val, k, vs, v),
      ];
      for (let p = 0; p < pairs; p++) {
        inner.push(...get(acc[p]!), ...get(v), ...get(b), ...v128Load(a0 * 8 + 16 * p), ...X.mul, ...X.add);
        inner.push(...set(acc[p]!));
      }
      if (odd) {
        inner.push(...get(sacc), ...get(vs), ...get(b), ...f64Load(a0 * 8 + 16 * pairs), ...F.mul, ...F.add);
        inner.push(...set(sacc));
      }
      for (let p = 0; p < pairs; p++) chunks.push(...zeroV, ...set(acc[p]!));
      if (odd) chunks.push(...f64(0), ...set(sacc));
      chunks.push(...forLoop(k, { from: get(s), limit: get(e), step: 1 }, inner));
      for (let p = 0; p < pairs; p++) chunks.push(...get(zr), ...get(acc[p]!), ...v128Store(a0 * 8 + 16 * p));
      if (odd) chunks.push(...get(zr), ...get(sacc), ...f64Store(a0 * 8 + 16 * pairs));
    }
    // before a context is scored, one value per cache line of each of its rows is read in a short
    // loop, so the misses of all its rows are in flight together (no value read there enters z)
    const touch = [...get(w), ...addr(idx, k, 2), ...i32Load(), ...i32(rb), ...I.mul, ...I.add, ...set(b)];
    for (const o of cacheLines(rb))
      touch.push(...get(touched), ...get(b), ...f64Load(o), ...F.add, ...set(touched));
    return [
      ...forLoop(c, { from: i32(0), limit: get(n), step: 1 }, [
        ...addr(off, c, 2),
        ...i32Load(),
        ...set(s),
        ...addr(off, c, 2),
        ...i32Load(4),
        ...set(e),
        ...scaled(z, c, rb, zr),
        ...forLoop(k, { from: get(s), limit: get(e), step: 1 }, touch),
        ...chunks,
      ]),
      ...get(touched),
    ];
  });
}

/** Byte offsets that read every 64-byte cache line of a row of `bytes` bytes (64-byte aligned or not). */
const cacheLines = (bytes: number): number[] => {
  const out: number[] = [];
  for (let o = 0; o < bytes; o += 64) out.push(o);
  if ((bytes - 8) % 64 !== 0 && bytes > 64) out.push(bytes - 8);
  return out;
};

/**
 * scatter: for every feature of every context, in order: the gradient slot of its row (allocated and
 * zeroed on first use: slot table at `tables`, row-of-slot table right after it), then g += v · dz.
 * `tables` holds the slot of each row (i32, −1 when untouched) followed by the row of each slot.
 */
function scatterFn(A: number, rows: number): WasmFunction {
  const rb = A * 8;
  return fn("scatter", [I32, I32, I32, I32, I32, I32, I32, I32], [I32], (L) => {
    const [g, tables, idx, val, off, n, dz, count] = [0, 1, 2, 3, 4, 5, 6, 7];
    const c = L.add(I32);
    const k = L.add(I32);
    const e = L.add(I32);
    const touched = L.add(I32);
    const row = L.add(I32);
    const sl = L.add(I32);
    const gb = L.add(I32);
    const dr = L.add(I32);
    const v = L.add(V128);
    const vs = L.add(F64);
    const pairs = A >> 1;
    // up to 16 actions, the context's dz row stays in locals for all its features
    const dzv = pairs <= 8 ? Array.from({ length: pairs }, () => L.add(V128)) : [];
    const loadDz: number[] = [];
    for (let p = 0; p < dzv.length; p++) loadDz.push(...get(dr), ...v128Load(16 * p), ...set(dzv[p]!));
    const zeroing: number[] = [];
    for (let p = 0; p < pairs; p++) zeroing.push(...get(gb), ...zeroV, ...v128Store(16 * p));
    if (A & 1) zeroing.push(...get(gb), ...f64(0), ...f64Store(16 * pairs));
    const update: number[] = [];
    for (let p = 0; p < pairs; p++) {
      const dzPair = p < dzv.length ? get(dzv[p]!) : [...get(dr), ...v128Load(16 * p)];
      update.push(...get(gb), ...get(gb), ...v128Load(16 * p), ...get(v), ...dzPair);
      update.push(...X.mul, ...X.add, ...v128Store(16 * p));
    }
    if (A & 1) {
      const o = 16 * pairs;
      update.push(...get(gb), ...get(gb), ...f64Load(o), ...get(vs), ...get(dr), ...f64Load(o));
      update.push(...F.mul, ...F.add, ...f64Store(o));
    }
    const perFeature = [
      ...addr(idx, k, 2),
      ...i32Load(),
      ...set(row),
      ...addr(tables, row, 2),
      ...i32Load(),
      ...tee(sl),
      ...i32(0),
      ...I.ltS,
      ...ifThen([
        ...get(count),
        ...set(sl),
        ...get(count),
        ...i32(1),
        ...I.add,
        ...set(count),
        ...addr(tables, row, 2),
        ...get(sl),
        ...i32Store(),
        ...addr(tables, sl, 2),
        ...get(row),
        ...i32Store(rows * 4),
        ...scaled(g, sl, rb, gb),
        ...zeroing,
      ]),
      ...scaled(g, sl, rb, gb),
      ...splatValue(val, k, vs, v),
      ...update,
    ];
    // the slot-table entries of the context's rows are read ahead in a short loop, as in score
    const touch = [...get(touched), ...addr(idx, k, 2), ...i32Load(), ...i32(2), ...I.shl, ...get(tables)];
    touch.push(...I.add, ...i32Load(), ...I.add, ...set(touched));
    return [
      ...forLoop(c, { from: i32(0), limit: get(n), step: 1 }, [
        ...addr(off, c, 2),
        ...i32Load(4),
        ...set(e),
        ...scaled(dz, c, rb, dr),
        ...loadDz,
        ...forLoop(k, { from: [...addr(off, c, 2), ...i32Load()], limit: get(e), step: 1 }, touch),
        ...forLoop(k, { from: [...addr(off, c, 2), ...i32Load()], limit: get(e), step: 1 }, perFeature),
      ]),
      ...i32(0),
      ...get(touched),
      ...i32Store(ADAM_PARAMS.scatterTouched),
      ...get(count),
    ];
  });
}

/**
 * sumSquares: two f64x2 accumulators over blocks of four entries (lanes: i mod 4 = 0, 1 | 2, 3), then
 * ss = (s0 + s2) + (s1 + s3) and the last n mod 4 squares in order (linear.ts's GradientBuffer.norm).
 */
function sumSquaresFn(): WasmFunction {
  return fn("sumSquares", [I32, I32], [F64], (L) => {
    const [g, n] = [0, 1];
    const i = L.add(I32);
    const n4 = L.add(I32);
    const x = L.add(F64);
    const ss = L.add(F64);
    const acc0 = L.add(V128);
    const acc1 = L.add(V128);
    const v = L.add(V128);
    const square = (acc: number, offset: number): number[] => [
      ...get(acc),
      ...addr(g, i, 3),
      ...v128Load(offset),
      ...tee(v),
      ...get(v),
      ...X.mul,
      ...X.add,
      ...set(acc),
    ];
    return [
      ...get(n),
      ...i32(-4),
      ...I.and,
      ...set(n4),
      ...forLoop(i, { from: i32(0), limit: get(n4), step: 4 }, [...square(acc0, 0), ...square(acc1, 16)]),
      ...get(acc0),
      ...get(acc1),
      ...X.add,
      ...tee(v),
      ...X.lane0,
      ...get(v),
      ...X.lane1,
      ...F.add,
      ...set(ss),
      ...forLoop(i, { from: get(n4), limit: get(n), step: 1 }, [
        ...addr(g, i, 3),
        ...f64Load(),
        ...set(x),
        ...get(ss),
        ...get(x),
        ...get(x),
        ...F.mul,
        ...F.add,
        ...set(ss),
      ]),
      ...get(ss),
    ];
  });
}

/** The kernel module's bytes for A actions and `rows` feature rows. */
export function kernelModuleBytes(A: number, rows: number): Uint8Array {
  return wasmModule([scoreFn(A), scatterFn(A, rows), sumSquaresFn(), adamFn(A, rows), softmaxFn(A)]);
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
}

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
const compiled = new Map<string, object | null>();

/** The compiled kernel module for (A, rows), or null when this runtime has no WebAssembly SIMD. */
function kernelModule(A: number, rows: number): object | null {
  const key = `${A}|${rows}`;
  let m = compiled.get(key);
  if (m === undefined) {
    try {
      const bytes = kernelModuleBytes(A, rows);
      m = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      m = null;
    }
    compiled.set(key, m);
  }
  return m;
}

/**
 * An instance of the kernels for (A, rows) on a new memory of `pages` 64 KiB pages that cannot grow,
 * or null without WebAssembly SIMD or when the memory cannot be reserved.
 */
export function instantiateKernels(
  A: number,
  rows: number,
  pages: number,
): { readonly exports: KernelExports; readonly buffer: ArrayBuffer } | null {
  const module = kernelModule(A, rows);
  if (module === null || wasm === undefined) return null;
  try {
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const instance = new wasm.Instance(module, { env: { memory } });
    return { exports: instance.exports as KernelExports, buffer: memory.buffer };
  } catch {
    return null;
  }
}
