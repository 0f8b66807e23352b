import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lttbIndices } from "./downsample.js";

describe("lttbIndices", () => {
  it("returns every index for a short series", () => {
    expect([...lttbIndices([1, 2, 3], [4, 5, 6], 10)]).toEqual([0, 1, 2]);
  });

  it("keeps the ends, stays increasing and within the threshold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 400 }),
        fc.integer({ min: 3, max: 100 }),
        (ys, threshold) => {
          const xs = ys.map((_, i) => i);
          const idx = lttbIndices(xs, ys, threshold);
          expect(idx.length).toBe(Math.min(ys.length, threshold));
          expect(idx[0]).toBe(0);
          expect(idx[idx.length - 1]).toBe(ys.length - 1);
          for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("keeps an isolated spike that plain striding would drop", () => {
    const n = 10_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = new Float64Array(n);
    ys[4321] = 100;
    const idx = lttbIndices(xs, ys, 200);
    expect([...idx]).toContain(4321);
    // A stride of 50 would keep only multiples of 50.
    expect(4321 % 50).not.toBe(0);
  });

  it("skips non-finite values when a bucket has others", () => {
    const ys = [0, Number.NaN, 1, Number.NaN, 2, 3, Number.NaN, 4, 5, 6];
    const idx = lttbIndices(
      ys.map((_, i) => i),
      ys,
      5,
    );
    for (const i of idx) expect(Number.isFinite(ys[i]!)).toBe(true);
  });
});
