// Hot loop (measured): the lazy and dense updates repeat the AdamW arithmetic on purpose; one shared
// per-row function made training 14 % slower (bench data, 200 k distinct-context examples, CPU time).
import type { OptimizerConfig } from "../config-schema.js";
import type { LazyAdamParams } from "./kernels.js";
import type { GradientBuffer } from "./linear.js";

/** AdamW hyperparameters (see `OptimizerConfig`). */
export type AdamWSettings = Pick<OptimizerConfig, "beta1" | "beta2" | "epsilon" | "weightDecay" | "lazy">;

/** The shape of the optimized matrix and the optimizer's hyperparameters. */
export interface AdamWOptions {
  /** Feature rows of the weight matrix. */
  readonly rows: number;
  /** Actions (columns). */
  readonly actions: number;
  /** The bias row, which gets no weight decay. */
  readonly biasRow: number;
  readonly settings: AdamWSettings;
  /** Storage of the moments (rows × 2A float32, zeroed); default: a new array. */
  readonly moments?: Float32Array;
  /**
   * The lazy update of the rows the buffer touched, computed elsewhere with the same arithmetic (the
   * WebAssembly kernel); it clears the buffer's slot table. Default: the loop below.
   */
  readonly lazyKernel?: ((W: Float64Array, params: LazyAdamParams) => number) | null;
}

/** One step's learning rate and the factor the gradient is scaled by (global-norm clipping, ≤ 1). */
export interface AdamWStep {
  readonly learningRate: number;
  readonly gradientScale: number;
}

/** Rows per block of the lazy step: their cache lines are requested together before they are updated. */
const PREFETCH_ROWS = 16;

/**
 * AdamW over the rows × A weight matrix, with PyTorch's AdamW arithmetic: decoupled decay
 * w ← w(1 − lr λ), then w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε). In lazy mode only the
 * rows with a gradient this step are updated (PyTorch SparseAdam semantics, global step count t); in
 * dense mode every row is. The bias row gets no weight decay. The moments of a row are stored next to
 * each other (`moments[row·2A ..]` = m then v) so an update touches adjacent cache lines, as float32
 * (half the memory and cache lines of float64; the update computes in float64 from their exact
 * float64 values and rounds m and v to float32 when it stores them, to nearest, ties to even).
 */
export class AdamW {
  readonly moments: Float32Array;
  t = 0;
  /** Sum of the values read ahead to warm the caches (kept so the reads are not optimised away). */
  touched = 0;
  private readonly A: number;
  private readonly biasRow: number;
  private readonly settings: AdamWSettings;
  private readonly lazyKernel: ((W: Float64Array, params: LazyAdamParams) => number) | null;

  constructor(o: AdamWOptions) {
    this.moments = o.moments ?? new Float32Array(o.rows * 2 * o.actions);
    this.lazyKernel = o.lazyKernel ?? null;
    this.A = o.actions;
    this.biasRow = o.biasRow;
    this.settings = o.settings;
  }

  /**
   * One update of W with the gradient in `buffer` scaled by `step.gradientScale` (global-norm
   * clipping). Clears the gradient buffer. Returns Σ w·0 over the updated weights: 0 when all are
   * finite, NaN otherwise.
   */
  step(W: Float64Array, buffer: GradientBuffer, step: AdamWStep): number {
    const lr = step.learningRate;
    const scale = step.gradientScale;
    const { beta1, beta2, epsilon, weightDecay, lazy } = this.settings;
    const A = this.A;
    const mv = this.moments;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2sqrt = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = lr / bc1;
    const b1c = 1 - beta1;
    const b2c = 1 - beta2;
    const decayed = 1 - lr * weightDecay;
    const grad = buffer.grad;
    const biasRow = this.biasRow;
    let check = 0;
    if (lazy && this.lazyKernel !== null) {
      const params = { scale, beta1, beta2, bc2sqrt, stepSize, epsilon, decayed, biasRow };
      check = this.lazyKernel(W, params);
    } else if (lazy) {
      // Rows come in first-touch order, i.e. at random places of W and of the moments. Before a block
      // of rows is updated, one value per cache line of each of its rows is read in a short loop, so
      // the cache (and TLB) misses of the whole block are in flight together instead of one row at a
      // time behind the square roots and divisions. No value read there enters the update.
      const rowOf = buffer.rowOf;
      const n = buffer.count;
      const A2 = 2 * A;
      let touched = 0;
      for (let j0 = 0; j0 < n; j0 += PREFETCH_ROWS) {
        const j1 = Math.min(n, j0 + PREFETCH_ROWS);
        for (let j = j0; j < j1; j++) {
          const r = rowOf[j]!;
          const wb = r * A;
          const vb = r * A2;
          for (let o = 0; o < A; o += 8) touched += W[wb + o]!;
          touched += W[wb + A - 1]!;
          for (let o = 0; o < A2; o += 16) touched += mv[vb + o]!;
          touched += mv[vb + A2 - 1]!;
        }
        for (let j = j0; j < j1; j++) {
          const row = rowOf[j]!;
          const base = row * A;
          const mb = row * A2;
          const gb = j * A;
          const decay = row === biasRow ? 1 : decayed;
          for (let a = 0; a < A; a++) {
            const g = grad[gb + a]! * scale;
            const mi = beta1 * mv[mb + a]! + b1c * g;
            const vi = beta2 * mv[mb + A + a]! + b2c * g * g;
            mv[mb + a] = mi;
            mv[mb + A + a] = vi;
            const w = W[base + a]! * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + epsilon);
            W[base + a] = w;
            check += w * 0;
          }
        }
      }
      this.touched = touched;
    } else {
      const slotOf = buffer.slotOf;
      const n = W.length / A;
      for (let row = 0; row < n; row++) {
        const slot = slotOf[row]!;
        const base = row * A;
        const mb = row * 2 * A;
        const decay = row === biasRow ? 1 : decayed;
        const gb = slot * A;
        for (let a = 0; a < A; a++) {
          const g = slot < 0 ? 0 : grad[gb + a]! * scale;
          const mi = beta1 * mv[mb + a]! + b1c * g;
          const vi = beta2 * mv[mb + A + a]! + b2c * g * g;
          mv[mb + a] = mi;
          mv[mb + A + a] = vi;
          const w = W[base + a]! * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + epsilon);
          W[base + a] = w;
          check += w * 0;
        }
      }
    }
    buffer.clear();
    return check;
  }
}
