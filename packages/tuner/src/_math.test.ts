import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { erf, erfc, ndtr, ndtri, normalMass, truncatedNormalStd } from "./_math.js";

describe("erfc / ndtr / ndtri", () => {
  it("matches reference values to 1e-14 relative", () => {
    const ref: [number, number][] = [
      [0, 1],
      [0.1, 0.887537083981715],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [10, 2.088487583762545e-45],
      [-1, 1.8427007929497148],
      [27, 0],
    ];
    for (const [x, e] of ref) expect(Math.abs(erfc(x) - e)).toBeLessThanOrEqual(1e-14 * Math.max(e, 1e-300));
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(ndtr(1.959963984540054)).toBeCloseTo(0.975, 14);
  });

  it("ndtri inverts ndtr", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1 - 1e-12, noNaN: true }), (p) => {
        const x = ndtri(p);
        expect(Math.abs(ndtr(x) - p)).toBeLessThanOrEqual(1e-12 * p + 1e-300);
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(ndtri(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(ndtri(1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("normalMass", () => {
  const tailStable = (lo: number, hi: number) =>
    lo >= 0
      ? 0.5 * (erfc(lo / Math.SQRT2) - erfc(hi / Math.SQRT2))
      : hi <= 0
        ? 0.5 * (erfc(-hi / Math.SQRT2) - erfc(-lo / Math.SQRT2))
        : ndtr(hi) - ndtr(lo);
  const simpson = (lo: number, w: number) => {
    const n = 200;
    const h = w / n;
    let s = 0;
    for (let i = 0; i <= n; i++) {
      const z = lo + i * h;
      s += (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)) * (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2);
    }
    return (s * h) / 3;
  };

  it("equals Φ(hi) − Φ(lo) computed in the stable tail, for intervals wider than 0.01", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        (lo, w) => {
          const exact = tailStable(lo, lo + w);
          expect(Math.abs(normalMass(lo, lo + w) - exact)).toBeLessThanOrEqual(1e-12 * exact);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("equals the integral of the density for narrow intervals (no cancellation)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: 1e-12, max: 0.01, noNaN: true }),
        (lo, w) => {
          const hi = lo + w;
          const ref = simpson(lo, hi - lo);
          const got = normalMass(lo, hi);
          expect(got).toBeGreaterThan(0);
          expect(Math.abs(got - ref)).toBeLessThanOrEqual(1e-9 * ref);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe("truncatedNormalStd", () => {
  it("stays inside [a, b] and has the truncated normal's mean", () => {
    const cases: [number, number][] = [
      [-1, 1],
      [0, 3],
      [-0.5, 0.1],
      [2, 4],
      [-30, -29],
    ];
    for (const [a, b] of cases) {
      const n = 4000;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const z = truncatedNormalStd(a, b, (i + 0.5) / n);
        expect(z).toBeGreaterThanOrEqual(a);
        expect(z).toBeLessThanOrEqual(b);
        sum += z;
      }
      const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      const expected = (phi(a) - phi(b)) / normalMass(a, b);
      expect(sum / n).toBeCloseTo(expected, 2);
    }
  });
});
