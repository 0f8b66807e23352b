import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GradientBuffer, logSoftmaxInto, scatterInto, scoresInto } from "./linear.js";

describe("logSoftmaxInto", () => {
  it("never returns NaN for finite scores of any size, and probabilities sum to 1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 9,
        }),
        (scores) => {
          const A = scores.length;
          const lp = new Float64Array(A);
          const p = new Float64Array(A);
          logSoftmaxInto({ z: Float64Array.from(scores), lp, p }, null, 0);
          let sum = 0;
          for (let a = 0; a < A; a++) {
            expect(Number.isNaN(lp[a]!)).toBe(false);
            expect(lp[a]!).toBeLessThanOrEqual(0);
            sum += p[a]!;
          }
          expect(sum).toBeCloseTo(1, 12);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it("equals the textbook softmax for moderate scores and masks disallowed actions", () => {
    const z = Float64Array.from([0.5, -1, 2, 0]);
    const lp = new Float64Array(4);
    const p = new Float64Array(4);
    const mask = Uint8Array.from([1, 0, 1, 1]);
    expect(logSoftmaxInto({ z, lp, p }, mask, 0)).toBe(3);
    const s = Math.exp(0.5) + Math.exp(2) + Math.exp(0);
    expect(p[0]).toBeCloseTo(Math.exp(0.5) / s, 14);
    expect(p[1]).toBe(0);
    expect(lp[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(lp[2]).toBeCloseTo(2 - Math.log(s), 14);
  });

  it("shares the mass among +Infinity scores", () => {
    const lp = new Float64Array(3);
    const p = new Float64Array(3);
    logSoftmaxInto(
      { z: Float64Array.from([Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY]), lp, p },
      null,
      0,
    );
    expect(Array.from(p)).toEqual([0.5, 0, 0.5]);
    expect(lp[1]).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("sparse products", () => {
  it("scoresInto and scatterInto agree with dense products for any number of actions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (A, rows, salt) => {
          const W = Float64Array.from({ length: rows * A }, (_, i) => Math.sin(i + salt));
          const indices = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => (i + salt) % 3 !== 0);
          const values = Float64Array.from(indices, (i) => Math.cos(i * salt));
          const z = new Float64Array(A);
          scoresInto(W, { indices, values, start: 0, end: indices.length }, z);
          for (let a = 0; a < A; a++) {
            let s = 0;
            for (let k = 0; k < indices.length; k++) s += values[k]! * W[indices[k]! * A + a]!;
            expect(z[a]).toBeCloseTo(s, 12);
          }
          const G = new GradientBuffer(rows, A);
          const dz = Float64Array.from({ length: A }, (_, a) => a - 1.5);
          scatterInto(G, { indices, values, start: 0, end: indices.length }, dz);
          scatterInto(G, { indices, values, start: 0, end: indices.length }, dz);
          const dense = G.toDense();
          for (let k = 0; k < indices.length; k++) {
            for (let a = 0; a < A; a++)
              expect(dense[indices[k]! * A + a]).toBeCloseTo(2 * values[k]! * dz[a]!, 12);
          }
          expect(G.count).toBe(indices.length);
          G.clear();
          expect(G.count).toBe(0);
          expect(G.slotOf.every((s) => s === -1)).toBe(true);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("grows the gradient buffer beyond its initial capacity", () => {
    const G = new GradientBuffer(5000, 2);
    for (let r = 0; r < 5000; r++) {
      const slot = G.slot(r); // may replace G.grad: resolve the slot first
      G.grad[slot * 2] = r;
    }
    expect(G.count).toBe(5000);
    expect(G.toDense()[4999 * 2]).toBe(4999);
    expect(G.norm()).toBeCloseTo(Math.sqrt((4999 * 5000 * 9999) / 6), 6);
  });
});
