// Hot loop (measured): the action chunks of eight, four, two and one repeat each other on purpose; without
// the four-wide chunk, scoresInto with 4 actions took 1.35–1.6× the CPU time (200 k examples × 30 features).
/**
 * Sparse linear algebra of the log-linear policy. Weights are stored feature-row-major: the scores of
 * all actions for feature row f are W[f·A .. f·A + A - 1], so one example touches |φ(x)| contiguous
 * rows and an optimizer step costs O(touched rows · A).
 */

/**
 * The features of one example (or of a run of examples sharing them): entries `start .. end − 1` of a
 * CSR matrix's `indices` and `values`. The kernels below take one and read its members once; callers
 * reuse one object per loop and move `start` and `end`.
 */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
  start: number;
  end: number;
}

/** Scores, log-probabilities and probabilities of one softmax over |A| actions (arrays of length |A|). */
export interface Softmax {
  readonly z: Float64Array;
  readonly lp: Float64Array;
  readonly p: Float64Array;
}

/**
 * z[a] = Σ_k values[k] · W[indices[k]·A + a] for k in [start, end) of `row`, A = z.length, each sum
 * accumulated in order of k starting from 0. Actions are processed in chunks of eight (then four,
 * then two, then one) with local accumulators, looping over the features inside: eight independent dependency
 * chains instead of a load-add-store chain through `z`, and every row of the example is requested in
 * the first chunk, so cache misses on different rows overlap.
 */
export function scoresInto(W: Float64Array, row: SparseRow, z: Float64Array): void {
  const { indices, values, start, end } = row;
  const A = z.length;
  let a = 0;
  for (; a + 8 <= A; a += 8) {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let c4 = 0;
    let c5 = 0;
    let c6 = 0;
    let c7 = 0;
    for (let k = start; k < end; k++) {
      const b = indices[k]! * A + a;
      const v = values[k]!;
      c0 += v * W[b]!;
      c1 += v * W[b + 1]!;
      c2 += v * W[b + 2]!;
      c3 += v * W[b + 3]!;
      c4 += v * W[b + 4]!;
      c5 += v * W[b + 5]!;
      c6 += v * W[b + 6]!;
      c7 += v * W[b + 7]!;
    }
    z[a] = c0;
    z[a + 1] = c1;
    z[a + 2] = c2;
    z[a + 3] = c3;
    z[a + 4] = c4;
    z[a + 5] = c5;
    z[a + 6] = c6;
    z[a + 7] = c7;
  }
  for (; a + 4 <= A; a += 4) {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let k = start; k < end; k++) {
      const b = indices[k]! * A + a;
      const v = values[k]!;
      c0 += v * W[b]!;
      c1 += v * W[b + 1]!;
      c2 += v * W[b + 2]!;
      c3 += v * W[b + 3]!;
    }
    z[a] = c0;
    z[a + 1] = c1;
    z[a + 2] = c2;
    z[a + 3] = c3;
  }
  if (a + 2 <= A) {
    let c0 = 0;
    let c1 = 0;
    for (let k = start; k < end; k++) {
      const b = indices[k]! * A + a;
      const v = values[k]!;
      c0 += v * W[b]!;
      c1 += v * W[b + 1]!;
    }
    z[a] = c0;
    z[a + 1] = c1;
    a += 2;
  }
  for (; a < A; a++) {
    let c = 0;
    for (let k = start; k < end; k++) c += values[k]! * W[indices[k]! * A + a]!;
    z[a] = c;
  }
}

/**
 * lp[a] = log softmax(z)[a] over the allowed actions (mask[maskOffset + a] === 1, or all when mask is
 * null), -Infinity for the others; p[a] = exp(lp[a]), A = z.length. Uses log-sum-exp, so finite
 * scores of any size never overflow. A +Infinity score shares the whole mass with the other +Infinity
 * scores. Returns the number of allowed actions.
 */
export function logSoftmaxInto(s: Softmax, mask: Uint8Array | null, maskOffset: number): number {
  const { z, lp, p } = s;
  const A = z.length;
  let max = Number.NEGATIVE_INFINITY;
  let allowed = 0;
  for (let a = 0; a < A; a++) {
    if (mask !== null && mask[maskOffset + a] !== 1) continue;
    allowed++;
    const v = z[a]!;
    if (v > max || Number.isNaN(v)) max = Number.isNaN(max) ? max : v;
  }
  if (max === Number.POSITIVE_INFINITY) {
    let ties = 0;
    for (let a = 0; a < A; a++) if ((mask === null || mask[maskOffset + a] === 1) && z[a] === max) ties++;
    const l = -Math.log(ties);
    for (let a = 0; a < A; a++) {
      const on = (mask === null || mask[maskOffset + a] === 1) && z[a] === max;
      lp[a] = on ? l : Number.NEGATIVE_INFINITY;
      p[a] = on ? 1 / ties : 0;
    }
    return allowed;
  }
  let sum = 0;
  if (mask === null) {
    for (let a = 0; a < A; a++) {
      const e = Math.exp(z[a]! - max);
      p[a] = e;
      sum += e;
    }
    const logSum = Math.log(sum);
    const inv = 1 / sum;
    for (let a = 0; a < A; a++) {
      lp[a] = z[a]! - max - logSum;
      p[a] = p[a]! * inv;
    }
    return allowed;
  }
  for (let a = 0; a < A; a++) {
    if (mask[maskOffset + a] !== 1) {
      p[a] = 0;
      continue;
    }
    const e = Math.exp(z[a]! - max);
    p[a] = e;
    sum += e;
  }
  const logSum = Math.log(sum);
  const inv = 1 / sum;
  for (let a = 0; a < A; a++) {
    if (mask[maskOffset + a] !== 1) {
      lp[a] = Number.NEGATIVE_INFINITY;
    } else {
      lp[a] = z[a]! - max - logSum;
      p[a] = p[a]! * inv;
    }
  }
  return allowed;
}

/** External storage of a {@link GradientBuffer} (every array sized for all rows). */
export interface GradientStorage {
  readonly slotOf: Int32Array;
  readonly rowOf: Int32Array;
  readonly grad: Float64Array;
  /** Σ g² over the first n entries of `grad`, summed as {@link GradientBuffer.norm} does. */
  readonly sumSquares: (n: number) => number;
}

/**
 * Sparse gradient of one step: the rows with a non-zero gradient get consecutive slots, so gradient
 * writes go to a small contiguous buffer (cache-resident) instead of a dense rows × A array.
 * `slotOf[row]` is the slot of a row (-1 when untouched); `rowOf[slot]` the row of a slot;
 * `grad[slot·A + a]` the gradient. `clear()` costs O(touched rows).
 */
export class GradientBuffer {
  readonly A: number;
  readonly slotOf: Int32Array;
  rowOf: Int32Array;
  grad: Float64Array;
  count = 0;
  /** Scratch: slot offsets of the features of one example. */
  slots: Int32Array = new Int32Array(64);

  /** Σ g² over the first n entries of `grad` (as in norm()), when the storage supplies it. */
  private readonly sumSquares: ((n: number) => number) | null;

  /**
   * `storage`: external arrays with room for every row (they never grow), e.g. views of WebAssembly
   * memory; otherwise the buffer starts with 1024 slots and doubles.
   */
  constructor(rows: number, A: number, storage?: GradientStorage) {
    this.A = A;
    if (storage !== undefined) {
      this.slotOf = storage.slotOf.fill(-1);
      this.rowOf = storage.rowOf;
      this.grad = storage.grad;
      this.sumSquares = storage.sumSquares;
      return;
    }
    this.slotOf = new Int32Array(rows).fill(-1);
    const cap = Math.min(rows, 1024);
    this.rowOf = new Int32Array(cap);
    this.grad = new Float64Array(cap * A);
    this.sumSquares = null;
  }

  /** Slot of `row`, allocating a zeroed one on first use. */
  slot(row: number): number {
    let s = this.slotOf[row]!;
    if (s < 0) {
      s = this.count++;
      if (s === this.rowOf.length) this.grow();
      this.slotOf[row] = s;
      this.rowOf[s] = row;
      const base = s * this.A;
      for (let a = 0; a < this.A; a++) this.grad[base + a] = 0;
    }
    return s;
  }

  private grow(): void {
    const cap = Math.min(this.slotOf.length, this.rowOf.length * 2);
    const rowOf = new Int32Array(cap);
    rowOf.set(this.rowOf);
    const grad = new Float64Array(cap * this.A);
    grad.set(this.grad);
    this.rowOf = rowOf;
    this.grad = grad;
  }

  /** Forget every touched row. */
  clear(): void {
    for (let s = 0; s < this.count; s++) this.slotOf[this.rowOf[s]!] = -1;
    this.count = 0;
  }

  /**
   * Global L2 norm of the gradient: √ss with four running sums s_j = Σ_{i ≡ j mod 4} g_i² over the
   * first n − n mod 4 entries, ss = (s_0 + s_2) + (s_1 + s_3), then the last n mod 4 squares added in
   * order (the WebAssembly kernel's two f64x2 accumulators: four independent additions per iteration
   * instead of one long chain).
   */
  norm(): number {
    const n = this.count * this.A;
    if (this.sumSquares !== null) return Math.sqrt(this.sumSquares(n));
    const g = this.grad;
    const n4 = n - (n & 3);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n4; i += 4) {
      s0 += g[i]! * g[i]!;
      s1 += g[i + 1]! * g[i + 1]!;
      s2 += g[i + 2]! * g[i + 2]!;
      s3 += g[i + 3]! * g[i + 3]!;
    }
    let ss = s0 + s2 + (s1 + s3);
    for (let i = n4; i < n; i++) ss += g[i]! * g[i]!;
    return Math.sqrt(ss);
  }

  /** The gradient as a dense rows × A array (tests and debugging). */
  toDense(): Float64Array {
    const out = new Float64Array(this.slotOf.length * this.A);
    for (let s = 0; s < this.count; s++) {
      out.set(this.grad.subarray(s * this.A, (s + 1) * this.A), this.rowOf[s]! * this.A);
    }
    return out;
  }
}

/**
 * grad[row] += values[k] · dz for the feature rows of `row`, A = dz.length (slots resolved once,
 * actions in chunks of eight, then four, then one; each gradient entry is updated in order of k).
 */
export function scatterInto(buffer: GradientBuffer, row: SparseRow, dz: Float64Array): void {
  const { indices, values, start, end } = row;
  const A = dz.length;
  const n = end - start;
  if (buffer.slots.length < n) buffer.slots = new Int32Array(n * 2);
  const slots = buffer.slots;
  for (let k = 0; k < n; k++) slots[k] = buffer.slot(indices[start + k]!) * A;
  const g = buffer.grad;
  let a = 0;
  for (; a + 8 <= A; a += 8) {
    const d0 = dz[a]!;
    const d1 = dz[a + 1]!;
    const d2 = dz[a + 2]!;
    const d3 = dz[a + 3]!;
    const d4 = dz[a + 4]!;
    const d5 = dz[a + 5]!;
    const d6 = dz[a + 6]!;
    const d7 = dz[a + 7]!;
    for (let k = 0; k < n; k++) {
      const b = slots[k]! + a;
      const v = values[start + k]!;
      g[b] = g[b]! + v * d0;
      g[b + 1] = g[b + 1]! + v * d1;
      g[b + 2] = g[b + 2]! + v * d2;
      g[b + 3] = g[b + 3]! + v * d3;
      g[b + 4] = g[b + 4]! + v * d4;
      g[b + 5] = g[b + 5]! + v * d5;
      g[b + 6] = g[b + 6]! + v * d6;
      g[b + 7] = g[b + 7]! + v * d7;
    }
  }
  for (; a + 4 <= A; a += 4) {
    const d0 = dz[a]!;
    const d1 = dz[a + 1]!;
    const d2 = dz[a + 2]!;
    const d3 = dz[a + 3]!;
    for (let k = 0; k < n; k++) {
      const b = slots[k]! + a;
      const v = values[start + k]!;
      g[b] = g[b]! + v * d0;
      g[b + 1] = g[b + 1]! + v * d1;
      g[b + 2] = g[b + 2]! + v * d2;
      g[b + 3] = g[b + 3]! + v * d3;
    }
  }
  for (; a < A; a++) {
    const d = dz[a]!;
    for (let k = 0; k < n; k++) {
      const b = slots[k]! + a;
      g[b] = g[b]! + values[start + k]! * d;
    }
  }
}
