import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChunkKernels, JsChunkKernels, WasmKernels } from "./kernels.js";
import { expNonPositive, logAtLeastOne, maskedSoftmaxRow, softmaxRow } from "./softmax.js";

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const d = bits[0]! - bits[1]!;
  return Number(d < 0n ? -d : d);
}

describe("the trainer's exp and log", () => {
  it("are within one ulp of Math.exp and Math.log", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -708, max: 0, noNaN: true }),
        fc.double({ min: 1, max: 1e12, noNaN: true }),
        (x, y) => {
          expect(ulps(expNonPositive(x), Math.exp(x))).toBeLessThanOrEqual(1);
          expect(ulps(logAtLeastOne(y), Math.log(y))).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 15, numRuns: 20000 },
    );
  });

  it("handle the edges: exp(0) = 1, exp(−0) = 1, 0 below −708, NaN stays NaN; log(1) = 0", () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-708.5)).toBe(0);
    expect(expNonPositive(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(expNonPositive(Number.NaN)).toBeNaN();
    expect(logAtLeastOne(1)).toBe(0);
    expect(logAtLeastOne(Number.NaN)).toBeNaN();
    expect(logAtLeastOne(2)).toBe(Math.LN2);
  });
});

describe("softmaxRow", () => {
  it("gives log-probabilities, probabilities, entropy and KL to uniform within 1e-12 of Math's", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 19 }),
        (zs) => {
          const A = zs.length;
          const rows = {
            z: Float64Array.from(zs),
            lp: new Float64Array(A),
            p: new Float64Array(A),
            entropy: new Float64Array(1),
            kl: new Float64Array(1),
          };
          const lq = -Math.log(A);
          softmaxRow(rows, 0, A, lq);
          const max = Math.max(...zs);
          const sum = zs.reduce((s, z) => s + Math.exp(z - max), 0);
          let h = 0;
          let kl = 0;
          for (let b = 0; b < A; b++) {
            const lp = zs[b]! - max - Math.log(sum);
            expect(rows.lp[b]).toBeCloseTo(lp, 12);
            expect(rows.p[b]).toBeCloseTo(Math.exp(lp), 12);
            h -= Math.exp(lp) * lp;
            kl += Math.exp(lp) * (lp - lq);
          }
          expect(rows.entropy[0]).toBeCloseTo(h, 12);
          expect(rows.kl[0]).toBeCloseTo(kl, 12);
        },
      ),
      { seed: 16, numRuns: 500 },
    );
  });

  it("over a mask: disallowed actions get lp = −∞ and p = 0, the others sum to 1", () => {
    const rows = {
      z: Float64Array.from([1, 5, -2, 0.5]),
      lp: new Float64Array(4),
      p: new Float64Array(4),
      entropy: new Float64Array(1),
      kl: new Float64Array(1),
    };
    maskedSoftmaxRow(rows, 0, 4, Uint8Array.from([1, 0, 1, 1]), 0);
    expect(rows.lp[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(rows.p[1]).toBe(0);
    expect(rows.p[0]! + rows.p[2]! + rows.p[3]!).toBeCloseTo(1, 15);
  });
});

describe("the WebAssembly softmax kernel", () => {
  const run = (k: ChunkKernels, A: number, z: Float64Array, n: number): string[] => {
    k.chunk.z.set(z);
    k.chunk.count = n;
    k.softmax(-Math.log(A));
    const bits = (a: Float64Array, len: number): string =>
      Buffer.from(new Uint8Array(a.buffer, a.byteOffset, len * 8)).toString("hex");
    return [bits(k.chunk.lp, n * A), bits(k.chunk.p, n * A), bits(k.chunk.entropy, n), bits(k.chunk.kl, n)];
  };

  it("gives the bits of softmaxRow (any A, scores of any size, ties, −∞ and overflowing differences)", () => {
    const score = fc.oneof(
      fc.double({ min: -30, max: 30, noNaN: true }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.constantFrom(0, -0, 1, Number.NEGATIVE_INFINITY, -800),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 21 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(score, { minLength: 21 * 6, maxLength: 21 * 6 }),
        (A, n, zs) => {
          const z = Float64Array.from(zs.slice(0, A * n));
          // a context whose scores are all −∞ has no maximum to subtract: both give NaN there
          const wasm = WasmKernels.create(4, A)!;
          expect(run(wasm, A, z, n)).toEqual(run(new JsChunkKernels(A), A, z, n));
        },
      ),
      { seed: 17, numRuns: 400 },
    );
  });
});
