import { describe, expect, it } from "vitest";
import { bucketMeans, normalQuantile, sparkline } from "./stats.js";

describe("normalQuantile", () => {
  it("matches reference quantiles", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(2)).toBeNaN();
  });
});

describe("sparkline and bucketMeans", () => {
  it("maps the range onto eight levels", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([1, 1])).toBe("▄▄");
    expect(sparkline([0, Number.NaN, 1])).toBe("▁ █");
  });

  it("averages into buckets", () => {
    expect(bucketMeans([1, 2, 3, 4], 2)).toEqual([1.5, 3.5]);
    expect(bucketMeans([1, 2], 5)).toEqual([1, 2]);
  });
});
