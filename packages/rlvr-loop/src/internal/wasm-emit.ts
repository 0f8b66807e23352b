/**
 * A minimal WebAssembly binary emitter: enough of the instruction set (i32, f64 and the f64x2 SIMD
 * lanes, structured loops) to write the trainer's kernels (wasm-kernels.ts) as JavaScript that builds
 * the module's bytes at load time, without a toolchain. Functions take i32/f64 parameters and share
 * one imported memory (`env.memory`).
 */

/** Value type i32. */
export const I32 = 0x7f;
/** Value type f64. */
export const F64 = 0x7c;
/** Value type v128 (used as f64x2). */
export const V128 = 0x7b;
/** One of {@link I32}, {@link F64}, {@link V128}. */
export type ValueType = typeof I32 | typeof F64 | typeof V128;

/** A function of the module: its exported name, signature, extra locals and body (no final `end`). */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  readonly locals: readonly ValueType[];
  readonly body: readonly number[];
}

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const name = (s: string): number[] => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
};
const vec = (items: readonly (readonly number[])[]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: readonly number[]): number[] => [
  id,
  ...uleb(content.length),
  ...content,
];

/** The module's bytes: one imported memory `env.memory` (at least `minPages` pages) and the exported functions. */
export function wasmModule(functions: readonly WasmFunction[], minPages = 1): Uint8Array {
  const types = functions.map((f) => [
    0x60,
    ...vec(f.params.map((t) => [t])),
    ...vec(f.results.map((t) => [t])),
  ]);
  const imports = vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(minPages)]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const code = vec(
    functions.map((f) => {
      const locals = vec(f.locals.map((t) => [1, t]));
      const body = [...locals, ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

// ---- instructions (each returns its bytes)
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** local.get i. */
export const get = (i: number): number[] => [0x20, ...uleb(i)];
/** local.set i. */
export const set = (i: number): number[] => [0x21, ...uleb(i)];
/** local.tee i. */
export const tee = (i: number): number[] => [0x22, ...uleb(i)];
/** i32.const n. */
export const i32 = (n: number): number[] => [0x41, ...sleb(n)];
/** i64.const n (a 32-bit integer). */
export const i64 = (n: number): number[] => [0x42, ...sleb(n)];
/** f64.const x (its 8 bytes, little-endian). */
export function f64(x: number): number[] {
  const b = new Uint8Array(new Float64Array([x]).buffer);
  return [0x44, ...b];
}
/** i32.load at the address on the stack plus `offset` bytes. */
export const i32Load = (offset = 0): number[] => [0x28, 2, ...uleb(offset)];
/** i32.store (address, value) at the address plus `offset` bytes. */
export const i32Store = (offset = 0): number[] => [0x36, 2, ...uleb(offset)];
/** i32.store8 (address, value): the value's low byte at the address plus `offset` bytes. */
export const i32Store8 = (offset = 0): number[] => [0x3a, 0, ...uleb(offset)];
/** f64.load at the address on the stack plus `offset` bytes. */
export const f64Load = (offset = 0): number[] => [0x2b, 3, ...uleb(offset)];
/** f64.store (address, value) at the address plus `offset` bytes. */
export const f64Store = (offset = 0): number[] => [0x39, 3, ...uleb(offset)];
/** v128.load at the address on the stack plus `offset` bytes. */
export const v128Load = (offset = 0): number[] => simd(0x00, 3, ...uleb(offset));
/** v128.store (address, value) at the address plus `offset` bytes. */
export const v128Store = (offset = 0): number[] => simd(0x0b, 3, ...uleb(offset));
/** v128.load64_zero: 8 bytes at the address plus `offset` into the low half, the high half zero. */
export const v128Load64Zero = (offset = 0): number[] => simd(0x5d, 3, ...uleb(offset));
/** v128.store64_lane 0: the low 8 bytes of the vector at the address plus `offset`. */
export const v128Store64Low = (offset = 0): number[] => simd(0x5b, 3, ...uleb(offset), 0);
/** f32.load at the address on the stack plus `offset` bytes. */
export const f32Load = (offset = 0): number[] => [0x2a, 2, ...uleb(offset)];
/** f32.store (address, value) at the address plus `offset` bytes. */
export const f32Store = (offset = 0): number[] => [0x38, 2, ...uleb(offset)];
/** i32 arithmetic and comparisons. */
export const I = {
  add: [0x6a],
  sub: [0x6b],
  and: [0x71],
  mul: [0x6c],
  shl: [0x74],
  eq: [0x46],
  ne: [0x47],
  ltS: [0x48],
  eqz: [0x45],
  geS: [0x4e],
  leS: [0x4c],
  gtS: [0x4a],
} as const;
/** f64 arithmetic. */
export const F = {
  add: [0xa0],
  sub: [0xa1],
  mul: [0xa2],
  div: [0xa3],
  sqrt: [0x9f],
  gt: [0x64],
  lt: [0x63],
  /** f64.max (NaN if either is NaN; +0 above −0: as Math.max). */
  max: [0xa5],
  /** f64.promote_f32 (exact). */
  promote: [0xbb],
  /** f32.demote_f64 (round to nearest, ties to even: what a Float32Array store does). */
  demote: [0xb6],
} as const;
/** f64x2 lane-wise arithmetic (each lane rounds exactly as the scalar f64 operation). */
export const X = {
  splat: simd(0x14),
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
  div: simd(0xf3),
  sqrt: simd(0xef),
  lane0: simd(0x21, 0),
  lane1: simd(0x21, 1),
  floor: simd(0x75),
  /** f64x2.max (per lane as f64.max). */
  max: simd(0xf5),
  /** f64x2.lt: all ones in the lanes where a < b. */
  lt: simd(0x49),
  /** f64x2.gt: all ones in the lanes where a > b. */
  gt: simd(0x4a),
  /** v128.and. */
  and: simd(0x4e),
  /** v128.andnot: a & ~b. */
  andnot: simd(0x4f),
  /** i32x4.trunc_sat_f64x2_s_zero: both f64 lanes to i32 (saturating, NaN → 0) in the low half. */
  truncToI32: simd(0xfc),
  /** i64x2.extend_low_i32x4_s. */
  extendI32ToI64: simd(0xc7),
  /** i64x2.add. */
  addI64: simd(0xce),
  /** i64x2.shl by the i32 on the stack. */
  shlI64: simd(0xcb),
  /** i64x2.splat of the i64 on the stack. */
  splatI64: simd(0x12),
  /** f64x2.promote_low_f32x4: the two low f32 lanes as f64 (exact). */
  promoteLow: simd(0x5f),
  /** f32x4.demote_f64x2_zero: both lanes rounded to f32 (as a Float32Array store) in the low half. */
  demoteZero: simd(0x5e),
} as const;
/** select (the first operand when the i32 condition is non-zero). */
export const select = [0x1b];

/** `if cond { then }` (cond already on the stack). */
export const ifThen = (then: readonly number[]): number[] => [0x04, 0x40, ...then, 0x0b];

/** `while (cond) body`: `cond` pushes an i32, the body leaves the stack empty. */
export const whileLoop = (cond: readonly number[], body: readonly number[]): number[] => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...cond,
  0x45, // i32.eqz
  0x0d,
  1,
  ...body,
  0x0c,
  0,
  0x0b,
  0x0b,
];

/**
 * `for (i = from; i < limit; i += step) body` with i32 locals; `from` and `limit` are instruction
 * sequences that push an i32. The body must leave the stack empty.
 */
export function forLoop(
  i: number,
  range: { from: readonly number[]; limit: readonly number[]; step: number },
  body: readonly number[],
): number[] {
  return [
    ...range.from,
    ...set(i),
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(i),
    ...range.limit,
    ...I.geS,
    0x0d,
    1, // br_if out of the block
    ...body,
    ...get(i),
    ...i32(range.step),
    ...I.add,
    ...set(i),
    0x0c,
    0, // br to the loop head
    0x0b,
    0x0b,
  ];
}

// ---- helpers for writing functions

/** Local-variable allocator: parameters first, then declared locals. */
export class Locals {
  readonly types: ValueType[] = [];
  private n: number;
  constructor(params: number) {
    this.n = params;
  }
  add(t: ValueType): number {
    this.types.push(t);
    return this.n++;
  }
}

/** A function named `name` whose body `build` writes, declaring its locals on the allocator. */
export const fn = (
  name: string,
  params: ValueType[],
  results: ValueType[],
  build: (L: Locals) => number[],
): WasmFunction => {
  const L = new Locals(params.length);
  const body = build(L);
  return { name, params, results, locals: L.types, body };
};

/** The f64x2 vector (0, 0). */
export const zeroV = [...f64(0), ...X.splat];
/** base + (index << shift) (i32 locals). */
export const addr = (base: number, index: number, shift: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32(shift),
  ...I.shl,
  ...I.add,
];

/** dest = base + index · factor (i32 locals). */
export const scaled = (base: number, index: number, factor: number, dest: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32(factor),
  ...I.mul,
  ...I.add,
  ...set(dest),
];
