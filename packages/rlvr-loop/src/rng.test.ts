import { describe, expect, it } from "vitest";
import { createRng, deriveRng, sampleIndex, shuffleInPlace, uniformFloat, uniformIndex } from "./rng.js";

describe("random streams", () => {
  it("are deterministic, independent per stream, and validate the seed", () => {
    const draw = (r: ReturnType<typeof createRng>) => Array.from({ length: 5 }, () => r.next());
    expect(draw(deriveRng(7, 2))).toEqual(draw(deriveRng(7, 2)));
    expect(draw(deriveRng(7, 2))).not.toEqual(draw(deriveRng(7, 3)));
    expect(draw(deriveRng(7, 0))).not.toEqual(draw(createRng(7)));
    expect(() => createRng(-1)).toThrow(/seed/);
    expect(() => createRng(1.5)).toThrow(/seed/);
    expect(() => createRng(2 ** 32)).toThrow(/seed/);
  });

  it("uniformIndex covers its range evenly; uniformFloat stays in [0, 1)", () => {
    const rng = createRng(1);
    const counts = new Array(7).fill(0);
    const n = 70000;
    for (let i = 0; i < n; i++) counts[uniformIndex(rng, 7)]++;
    // chi-square with 6 degrees of freedom: 99.9 % quantile is 22.46
    const chi = counts.reduce((s, c) => s + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi).toBeLessThan(22.46);
    for (let i = 0; i < 1000; i++) {
      const u = uniformFloat(rng);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it("sampleIndex follows the distribution and never picks zero-probability entries", () => {
    const rng = createRng(2);
    const p = [0.5, 0, 0.3, 0.2];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[sampleIndex(rng, p, 4)]!++;
    expect(counts[1]).toBe(0);
    const chi = [0, 2, 3].reduce((s, a) => s + (counts[a]! - 20000 * p[a]!) ** 2 / (20000 * p[a]!), 0);
    expect(chi).toBeLessThan(13.82); // 2 degrees of freedom, 99.9 %
  });

  it("shuffleInPlace is a deterministic permutation", () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    const b = a.slice();
    shuffleInPlace(createRng(3), a);
    shuffleInPlace(createRng(3), b);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
