/**
 * The softmax kernel of the trainer (WebAssembly SIMD): softmax.ts's `softmaxRow` for every context of
 * a chunk, in f64x2 lanes over pairs of actions. The exp and the log are softmax.ts's, operation for
 * operation (f64x2.floor for Math.floor, 2^k built in the exponent bits, which is exact), the sums run
 * in the same two lanes (even and odd actions), so both give the same bits.
 */
import { EXP_COEFFICIENTS, EXP_MIN, LG, LN2_HI, LN2_LO, LOG_MAX_HALVINGS, LOG2E, SQRT2 } from "./softmax.js";
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
  i64,
  type Locals,
  scaled,
  select,
  set,
  tee,
  V128,
  v128Load,
  v128Store,
  type WasmFunction,
  whileLoop,
  X,
  zeroV,
} from "./wasm-emit.js";

const splat = (x: number): number[] => [...f64(x), ...X.splat];

/** exp of the f64x2 on top of the stack (softmax.ts's expNonPositive in both lanes), via locals. */
function expV(L: Locals): (x: number) => number[] {
  const k = L.add(V128);
  const r = L.add(V128);
  const q = L.add(V128);
  return (x) => {
    const out: number[] = [
      // k = floor(max(x, EXP_MIN)·log2e + ½) (the clamped lanes are zeroed at the end)
      ...get(x),
      ...splat(EXP_MIN),
      ...X.max,
      ...splat(LOG2E),
      ...X.mul,
      ...splat(0.5),
      ...X.add,
      ...X.floor,
      ...set(k),
      // r = (max(x, EXP_MIN) − k·ln2_hi) − k·ln2_lo
      ...get(x),
      ...splat(EXP_MIN),
      ...X.max,
      ...get(k),
      ...splat(LN2_HI),
      ...X.mul,
      ...X.sub,
      ...get(k),
      ...splat(LN2_LO),
      ...X.mul,
      ...X.sub,
      ...set(r),
      ...splat(EXP_COEFFICIENTS[0]!),
    ];
    for (let i = 1; i < EXP_COEFFICIENTS.length; i++)
      out.push(...get(r), ...X.mul, ...splat(EXP_COEFFICIENTS[i]!), ...X.add);
    out.push(
      ...set(q),
      // 2^k: (k + 1023) << 52 as the bits of a float64
      ...get(q),
      ...get(k),
      ...X.truncToI32,
      ...X.extendI32ToI64,
      ...i64(1023),
      ...X.splatI64,
      ...X.addI64,
      ...i32(52),
      ...X.shlI64,
      ...X.mul,
      ...get(x),
      ...splat(EXP_MIN),
      ...X.lt,
      ...X.andnot,
    );
    return out;
  };
}

/** log of the f64 local `m` ≥ 1 (softmax.ts's logAtLeastOne), left on the stack; `m` is overwritten. */
function logS(L: Locals): (m: number) => number[] {
  const e = L.add(F64);
  const f = L.add(F64);
  const s = L.add(F64);
  const z = L.add(F64);
  const w = L.add(F64);
  const t = L.add(F64);
  const h = L.add(F64);
  /** c0 + w·(c1 + w·(… + w·cn)), with the coefficients LG[i] named by `at`. */
  const horner = (at: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < at.length - 1; i++) out.push(...f64(LG[at[i]!]!), ...get(w));
    out.push(...f64(LG[at.at(-1)!]!));
    for (let i = 0; i < at.length - 1; i++) out.push(...F.mul, ...F.add);
    return out;
  };
  return (m) => [
    ...f64(0),
    ...set(e),
    ...whileLoop(
      [...get(m), ...f64(SQRT2), ...F.gt, ...get(e), ...f64(LOG_MAX_HALVINGS), ...F.lt, ...I.and],
      [...get(m), ...f64(0.5), ...F.mul, ...set(m), ...get(e), ...f64(1), ...F.add, ...set(e)],
    ),
    ...get(m),
    ...f64(1),
    ...F.sub,
    ...tee(f),
    ...f64(2),
    ...get(f),
    ...F.add,
    ...F.div,
    ...tee(s),
    ...get(s),
    ...F.mul,
    ...tee(z),
    ...get(z),
    ...F.mul,
    ...set(w),
    // t = t2 + t1 = z(Lg1 + w(Lg3 + w(Lg5 + w Lg7))) + w(Lg2 + w(Lg4 + w Lg6))
    ...get(z),
    ...horner([0, 2, 4, 6]),
    ...F.mul,
    ...get(w),
    ...horner([1, 3, 5]),
    ...F.mul,
    ...F.add,
    ...set(t),
    ...f64(0.5),
    ...get(f),
    ...F.mul,
    ...get(f),
    ...F.mul,
    ...set(h),
    // e·ln2_hi − ((h − (s(h + t) + e·ln2_lo)) − f)
    ...get(e),
    ...f64(LN2_HI),
    ...F.mul,
    ...get(h),
    ...get(s),
    ...get(h),
    ...get(t),
    ...F.add,
    ...F.mul,
    ...get(e),
    ...f64(LN2_LO),
    ...F.mul,
    ...F.add,
    ...F.sub,
    ...get(f),
    ...F.sub,
    ...F.sub,
  ];
}

/**
 * softmax(z, lp, p, entropy, kl, n, lq): for each context c < n, from z[c·A ..]: lp, p (same layout),
 * entropy[c] and kl[c] (to the uniform reference lq), as softmax.ts's softmaxRow.
 */
export function softmaxFn(A: number): WasmFunction {
  const rb = A * 8;
  const pairs = A >> 1;
  const odd = (A & 1) === 1;
  return fn("softmax", [I32, I32, I32, I32, I32, I32, F64], [], (L) => {
    const [z, lp, p, ent, kl, n, lq] = [0, 1, 2, 3, 4, 5, 6];
    const c = L.add(I32);
    const zo = L.add(I32);
    const lo = L.add(I32);
    const po = L.add(I32);
    const mx = L.add(F64);
    const mxv = L.add(V128);
    const x = L.add(V128);
    const acc = L.add(V128);
    const sum = L.add(F64);
    const tail = L.add(F64);
    const inv = L.add(F64);
    const logSum = L.add(F64);
    const lsv = L.add(V128);
    const invv = L.add(V128);
    const lqv = L.add(V128);
    const h = L.add(V128);
    const k = L.add(V128);
    const lv = L.add(V128);
    const pv = L.add(V128);
    const hs = L.add(F64);
    const ks = L.add(F64);
    const exp = expV(L);
    const log = logS(L);
    const body: number[] = [
      ...scaled(z, c, rb, zo),
      ...scaled(lp, c, rb, lo),
      ...scaled(p, c, rb, po),
      ...f64(Number.NEGATIVE_INFINITY),
      ...set(mx),
    ];
    for (let b = 0; b < A; b++) body.push(...get(mx), ...get(zo), ...f64Load(8 * b), ...F.max, ...set(mx));
    body.push(...get(mx), ...X.splat, ...set(mxv), ...zeroV, ...set(acc));
    // e = exp(z − max) into p; the two running sums in the lanes of acc
    for (let q = 0; q < pairs; q++) {
      body.push(...get(zo), ...v128Load(16 * q), ...get(mxv), ...X.sub, ...set(x));
      body.push(...get(po), ...exp(x), ...tee(x), ...v128Store(16 * q), ...get(acc), ...get(x), ...X.add);
      body.push(...set(acc));
    }
    body.push(...get(acc), ...X.lane0);
    if (odd) {
      body.push(...get(zo), ...f64Load(16 * pairs), ...X.splat, ...get(mxv), ...X.sub, ...set(x));
      body.push(...exp(x), ...X.lane0, ...set(tail), ...get(po), ...get(tail), ...f64Store(16 * pairs));
      body.push(...get(tail), ...F.add);
    }
    body.push(...get(acc), ...X.lane1, ...F.add, ...tee(sum), ...set(logSum));
    body.push(...log(logSum), ...set(logSum), ...f64(1), ...get(sum), ...F.div, ...set(inv));
    body.push(...get(logSum), ...X.splat, ...set(lsv), ...get(inv), ...X.splat, ...set(invv));
    body.push(...zeroV, ...set(h), ...zeroV, ...set(k));
    // lp = (z − max) − log(sum), p = e·(1/sum); entropy and KL over the lanes where p > 0
    const lane = (T: typeof X | typeof F, o: number, scalar: boolean): number[] => {
      const ld = scalar ? f64Load : v128Load;
      const st = scalar ? f64Store : v128Store;
      const [mxl, lsl, invl, lql, hl, kl_] = scalar
        ? [mx, logSum, inv, lq, hs, ks]
        : [mxv, lsv, invv, lqv, h, k];
      const [lvl, pvl] = scalar ? [sum, tail] : [lv, pv]; // sum and tail are free by now
      const out = [
        ...get(zo),
        ...ld(o),
        ...get(mxl),
        ...T.sub,
        ...get(lsl),
        ...T.sub,
        ...set(lvl),
        ...get(lo),
        ...get(lvl),
        ...st(o),
        ...get(po),
        ...ld(o),
        ...get(invl),
        ...T.mul,
        ...set(pvl),
        ...get(po),
        ...get(pvl),
        ...st(o),
      ];
      if (scalar) {
        // JavaScript skips the terms where p ≤ 0
        out.push(...get(hl), ...get(pvl), ...get(lvl), ...F.mul, ...F.sub, ...get(hl));
        out.push(...get(pvl), ...f64(0), ...F.gt, ...select, ...set(hl));
        out.push(
          ...get(kl_),
          ...get(pvl),
          ...get(lvl),
          ...get(lql),
          ...F.sub,
          ...F.mul,
          ...F.add,
          ...get(kl_),
        );
        out.push(...get(pvl), ...f64(0), ...F.gt, ...select, ...set(kl_));
      } else {
        // the masked-off term is +0: h − (+0) = h and k + (+0) = k (neither sum is ever −0)
        out.push(...get(hl), ...get(pvl), ...get(lvl), ...X.mul, ...get(pvl), ...zeroV, ...X.gt, ...X.and);
        out.push(...X.sub, ...set(hl));
        out.push(...get(kl_), ...get(pvl), ...get(lvl), ...get(lql), ...X.sub, ...X.mul);
        out.push(...get(pvl), ...zeroV, ...X.gt, ...X.and, ...X.add, ...set(kl_));
      }
      return out;
    };
    for (let q = 0; q < pairs; q++) body.push(...lane(X, 16 * q, false));
    body.push(...get(h), ...X.lane0, ...set(hs), ...get(k), ...X.lane0, ...set(ks));
    if (odd) body.push(...lane(F, 16 * pairs, true));
    body.push(...addr(ent, c, 3), ...get(hs), ...get(h), ...X.lane1, ...F.add, ...f64Store());
    body.push(...addr(kl, c, 3), ...get(ks), ...get(k), ...X.lane1, ...F.add, ...f64Store());
    return [
      ...get(lq),
      ...X.splat,
      ...set(lqv),
      ...forLoop(c, { from: i32(0), limit: get(n), step: 1 }, body),
    ];
  });
}
