/**
 * The lazy AdamW step of the trainer as a WebAssembly SIMD (f64x2) function of the kernel module
 * (wasm-kernels.ts), and the layout of the parameter block it reads. Same arithmetic, in the same
 * order, as adamw.ts's JavaScript loop, so both give the same bits.
 */
import {
  addr,
  F,
  F64,
  f32Load,
  f32Store,
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
  i32Store8,
  select,
  set,
  tee,
  V128,
  v128Load,
  v128Load64Zero,
  v128Store,
  v128Store64Low,
  type WasmFunction,
  X,
  zeroV,
} from "./wasm-emit.js";

/** Byte offsets of the AdamW parameter block read by `adam` (f64 each, then i32 addresses). */
export const ADAM_PARAMS = {
  scale: 0,
  beta1: 8,
  b1c: 16,
  beta2: 24,
  b2c: 32,
  bc2sqrt: 40,
  stepSize: 48,
  epsilon: 56,
  decayed: 64,
  // i32 members
  biasRow: 72,
  w: 76,
  moments: 80,
  grad: 84,
  tables: 88,
  /** i32: a byte per row, set to 1 for every row the step updates. */
  dirty: 92,
  /** f64: sum of the values the step read ahead (kept so the reads are not optimised away). */
  touched: 96,
  /** i32: sum of the slot-table entries the scatter read ahead. */
  scatterTouched: 104,
  bytes: 112,
} as const;

/** Rows per block of the lazy AdamW step whose cache lines are requested before they are updated. */
const PREFETCH_ROWS = 32;

/**
 * adam: for each slot j (row r = rowOf[j]), per action, exactly adamw.ts's lazy update:
 * g' = g·scale; m = β1 m + (1−β1) g'; v = β2 v + ((1−β2) g') g'; w = w·decay − (step·m) / (√v / bc2 + ε)
 * in float64, the moments read from and stored to float32 (m, v of the update itself unrounded);
 * then slotOf[r] = −1 and dirty[r] = 1. Returns Σ w·0 (0 when every updated weight is finite, NaN otherwise).
 */
export function adamFn(A: number, rows: number): WasmFunction {
  const rb = A * 8;
  const P = ADAM_PARAMS;
  return fn("adam", [I32, I32], [F64], (L) => {
    const [p, count] = [0, 1];
    const j = L.add(I32);
    const j0 = L.add(I32);
    const j1 = L.add(I32);
    const touched = L.add(F64);
    const row = L.add(I32);
    const wb = L.add(I32);
    const mb = L.add(I32);
    const gb = L.add(I32);
    const tables = L.add(I32);
    const dirty = L.add(I32);
    const names = [
      "scale",
      "beta1",
      "b1c",
      "beta2",
      "b2c",
      "bc2sqrt",
      "stepSize",
      "epsilon",
      "decay",
    ] as const;
    const sc = Object.fromEntries(names.map((nm) => [nm, L.add(F64)])) as Record<
      (typeof names)[number],
      number
    >;
    const vc = Object.fromEntries(names.map((nm) => [nm, L.add(V128)])) as Record<
      (typeof names)[number],
      number
    >;
    const decayed = L.add(F64);
    const gv = L.add(V128);
    const mi = L.add(V128);
    const vi = L.add(V128);
    const wv = L.add(V128);
    const chk = L.add(V128);
    const gs = L.add(F64);
    const ms = L.add(F64);
    const vsq = L.add(F64);
    const ws = L.add(F64);
    const chks = L.add(F64);
    const setup: number[] = [];
    const offsets = { ...P, decay: P.decayed };
    for (const nm of names) {
      if (nm === "decay") continue;
      setup.push(...get(p), ...f64Load(offsets[nm]), ...tee(sc[nm]), ...X.splat, ...set(vc[nm]));
    }
    setup.push(...get(p), ...f64Load(P.decayed), ...set(decayed), ...zeroV, ...set(chk));
    setup.push(...get(p), ...i32Load(P.tables), ...set(tables));
    setup.push(...get(p), ...i32Load(P.dirty), ...set(dirty));
    const lane = (
      o: number,
      T: typeof X | typeof F,
      t: { g: number; m: number; v: number; w: number; c: number },
      k: "v" | "s",
    ): number[] => {
      const ld = k === "v" ? v128Load : f64Load;
      const st = k === "v" ? v128Store : f64Store;
      // the moments are float32: loaded and widened exactly, rounded back to float32 when stored
      const ldMoment = (at: number): number[] =>
        k === "v" ? [...v128Load64Zero(at), ...X.promoteLow] : [...f32Load(at), ...F.promote];
      const stMoment = (at: number, value: number): number[] =>
        k === "v"
          ? [...get(mb), ...get(value), ...X.demoteZero, ...v128Store64Low(at)]
          : [...get(mb), ...get(value), ...F.demote, ...f32Store(at)];
      const mo = o / 2;
      const vo = A * 4 + o / 2;
      const C = k === "v" ? vc : sc;
      return [
        ...get(gb),
        ...ld(o),
        ...get(C.scale),
        ...T.mul,
        ...set(t.g),
        ...get(C.beta1),
        ...get(mb),
        ...ldMoment(mo),
        ...T.mul,
        ...get(C.b1c),
        ...get(t.g),
        ...T.mul,
        ...T.add,
        ...set(t.m),
        ...get(C.beta2),
        ...get(mb),
        ...ldMoment(vo),
        ...T.mul,
        ...get(C.b2c),
        ...get(t.g),
        ...T.mul,
        ...get(t.g),
        ...T.mul,
        ...T.add,
        ...set(t.v),
        ...stMoment(mo, t.m),
        ...stMoment(vo, t.v),
        ...get(wb),
        ...ld(o),
        ...get(C.decay),
        ...T.mul,
        ...get(C.stepSize),
        ...get(t.m),
        ...T.mul,
        ...get(t.v),
        ...T.sqrt,
        ...get(C.bc2sqrt),
        ...T.div,
        ...get(C.epsilon),
        ...T.add,
        ...T.div,
        ...T.sub,
        ...set(t.w),
        ...get(wb),
        ...get(t.w),
        ...st(o),
        ...get(t.c),
        ...get(t.w),
        ...(k === "v" ? [...zeroV] : f64(0)),
        ...T.mul,
        ...T.add,
        ...set(t.c),
      ];
    };
    /** dest = (the i32 address at params[field]) + index · factor. */
    const address = (field: number, index: number, factor: number, dest: number): number[] => [
      ...get(p),
      ...i32Load(field),
      ...get(index),
      ...i32(factor),
      ...I.mul,
      ...I.add,
      ...set(dest),
    ];
    // row = rowOf[j]; wb, mb = the addresses of its weights and moments
    const rowAddresses = [
      ...addr(tables, j, 2),
      ...i32Load(rows * 4),
      ...set(row),
      ...address(P.w, row, rb, wb),
      ...address(P.moments, row, rb, mb), // 2A float32 moments: as many bytes as the weights
    ];
    const body: number[] = [
      ...rowAddresses,
      ...f64(1),
      ...get(decayed),
      ...get(row),
      ...get(p),
      ...i32Load(P.biasRow),
      ...I.eq,
      ...select,
      ...tee(sc.decay),
      ...X.splat,
      ...set(vc.decay),
      ...address(P.grad, j, rb, gb),
    ];
    // before a block of rows is updated, one value per cache line of each row's weights and moments
    // is read in a short loop, so the misses of the whole block are in flight together instead of
    // one row at a time behind the square roots and divisions (no value read there enters the update)
    const touch: number[] = [...rowAddresses];
    const lines = (base: number, bytes: number): number[] => {
      const out: number[] = [];
      for (let o = 0; o < bytes; o += 64)
        out.push(...get(touched), ...get(base), ...f64Load(o), ...F.add, ...set(touched));
      out.push(...get(touched), ...get(base), ...f64Load(bytes - 8), ...F.add, ...set(touched));
      return out;
    };
    touch.push(...lines(wb, rb), ...lines(mb, rb));
    const tv = { g: gv, m: mi, v: vi, w: wv, c: chk };
    const ts = { g: gs, m: ms, v: vsq, w: ws, c: chks };
    for (let q = 0; q < A >> 1; q++) body.push(...lane(16 * q, X, tv, "v"));
    if (A & 1) body.push(...lane(16 * (A >> 1), F, ts, "s"));
    body.push(...addr(tables, row, 2), ...i32(-1), ...i32Store());
    body.push(...get(dirty), ...get(row), ...I.add, ...i32(1), ...i32Store8());
    return [
      ...setup,
      ...forLoop(j0, { from: i32(0), limit: get(count), step: PREFETCH_ROWS }, [
        // the block's end: min(count, j0 + PREFETCH_ROWS)
        ...get(j0),
        ...i32(PREFETCH_ROWS),
        ...I.add,
        ...get(count),
        ...get(j0),
        ...i32(PREFETCH_ROWS),
        ...I.add,
        ...get(count),
        ...I.ltS,
        ...select,
        ...set(j1),
        ...forLoop(j, { from: get(j0), limit: get(j1), step: 1 }, touch),
        ...forLoop(j, { from: get(j0), limit: get(j1), step: 1 }, body),
      ]),
      ...i32(0),
      ...get(touched),
      ...f64Store(P.touched),
      ...get(chk),
      ...X.lane0,
      ...get(chk),
      ...X.lane1,
      ...F.add,
      ...get(chks),
      ...F.add,
    ];
  });
}
