import type { GradientBuffer } from "./linear.js";

/** AdamW hyperparameters (see `OptimizerConfig` in config.ts). */
export interface AdamWSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly lazy: boolean;
}

/**
 * AdamW over the rows × A weight matrix, with PyTorch's AdamW arithmetic: decoupled decay
 * w ← w(1 − lr λ), then w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε). In lazy mode only the
 * rows with a gradient this step are updated (PyTorch SparseAdam semantics, global step count t); in
 * dense mode every row is. The bias row gets no weight decay. The moments of a row are stored next to
 * each other (`moments[row·2A ..]` = m then v) so an update touches adjacent cache lines.
 */
export class AdamW {
  readonly moments: Float64Array;
  t = 0;
  private readonly A: number;
  private readonly biasRow: number;
  private readonly settings: AdamWSettings;

  constructor(rows: number, A: number, biasRow: number, settings: AdamWSettings) {
    this.moments = new Float64Array(rows * 2 * A);
    this.A = A;
    this.biasRow = biasRow;
    this.settings = settings;
  }

  /**
   * One update with learning rate `lr` and the gradient scaled by `scale` (global-norm clipping).
   * Clears the gradient buffer. Returns Σ w·0 over the updated weights: 0 when all are finite, NaN
   * otherwise.
   */
  step(W: Float64Array, buffer: GradientBuffer, lr: number, scale: number): number {
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
    let check = 0;
    const n = lazy ? buffer.count : W.length / A;
    for (let j = 0; j < n; j++) {
      const row = lazy ? buffer.rowOf[j]! : j;
      const slot = lazy ? j : buffer.slotOf[row]!;
      const base = row * A;
      const mb = row * 2 * A;
      const gb = slot * A;
      const decay = row === this.biasRow ? 1 : decayed;
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
    buffer.clear();
    return check;
  }
}
