import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalMass } from "./_math.js";
import { NumericMixture } from "./_parzen.js";
import { observationWeights, type ParzenOptions } from "./_parzen-base.js";
import { CategoricalMixture } from "./_parzen-categorical.js";
import { JointMixture } from "./_parzen-joint.js";
import { createStream } from "./_rng.js";

const OPTS: ParzenOptions = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };

/** Optuna's univariate bandwidths, written the straightforward way (argsort, endpoints, clip). */
function referenceSigmas(obs: number[], low: number, high: number, opts: ParzenOptions): number[] {
  const mus = [...obs, 0.5 * (low + high)];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = order.map((i) => mus[i]!);
  const withEnds = [low, ...sorted, high];
  const sig = sorted.map((_, i) =>
    Math.max(withEnds[i + 1]! - withEnds[i]!, withEnds[i + 2]! - withEnds[i + 1]!),
  );
  if (!opts.considerEndpoints && withEnds.length >= 4) {
    sig[0] = withEnds[2]! - withEnds[1]!;
    sig[sig.length - 1] = withEnds[withEnds.length - 2]! - withEnds[withEnds.length - 3]!;
  }
  const out = new Array<number>(mus.length);
  order.forEach((orig, rank) => {
    out[orig] = sig[rank]!;
  });
  const range = high - low;
  const minS = opts.considerMagicClip ? range / Math.min(100, 1 + mus.length) : 1e-12;
  const clipped = out.map((s) => Math.min(range, Math.max(minS, s)));
  clipped[mus.length - 1] = range; // prior
  return clipped;
}

function referenceWeights(m: number, priorWeight: number): number[] {
  const w: number[] = [];
  if (m < 25) for (let i = 0; i < m; i++) w.push(1);
  else {
    const n = m - 25;
    for (let i = 0; i < n; i++) w.push(n === 1 ? 1 / m : 1 / m + ((1 - 1 / m) * i) / (n - 1));
    for (let i = 0; i < 25; i++) w.push(1);
  }
  w.push(priorWeight);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** The mixture's (mu, sigma, weight) triples, sorted, for comparison. */
function kernels(mix: NumericMixture): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < mix.n; i++) out.push([mix.mu[i]!, mix.sigma[i]!, mix.weight[i]!]);
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

describe("observationWeights", () => {
  it("gives 1 to the newest 25 and a linear ramp from 1/m to the older ones", () => {
    const w = new Float64Array(30);
    observationWeights(30, w);
    expect(Array.from(w.subarray(0, 5))).toEqual([
      1 / 30,
      1 / 30 + (29 / 30) * 0.25,
      1 / 30 + (29 / 30) * 0.5,
      1 / 30 + (29 / 30) * 0.75,
      1,
    ]);
    expect(Array.from(w.subarray(5))).toEqual(new Array(25).fill(1));
    observationWeights(10, w);
    expect(Array.from(w.subarray(0, 10))).toEqual(new Array(10).fill(1));
  });
});

describe("NumericMixture", () => {
  it("has Optuna's kernels: centres, clipped neighbour-gap bandwidths, ramped weights, prior", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        (obs, considerEndpoints, considerMagicClip) => {
          const opts = { priorWeight: 1, considerEndpoints, considerMagicClip };
          const low = -0.5;
          const high = 1.5;
          const mix = new NumericMixture(Float64Array.from(obs), obs.length, low, high, false, opts);
          const sig = referenceSigmas(obs, low, high, opts);
          const w = referenceWeights(obs.length, 1);
          const expected = [...obs, 0.5 * (low + high)].map((mu, i): [number, number, number] => [
            mu,
            sig[i]!,
            w[i]!,
          ]);
          expected.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
          const got = kernels(mix);
          expect(got.length).toBe(expected.length);
          got.forEach((k, i) => {
            expect(k[0]).toBe(expected[i]![0]);
            expect(k[1]).toBeCloseTo(expected[i]![1], 12);
            expect(k[2]).toBeCloseTo(expected[i]![2], 12);
          });
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it("log density matches the truncated-normal mixture formula and integrates to 1", () => {
    const obs = Float64Array.from([0.1, 0.12, 0.5, 0.9, 0.95]);
    const mix = new NumericMixture(obs, obs.length, 0, 1, false, OPTS);
    const xs = Float64Array.from({ length: 2001 }, (_, i) => i / 2000);
    const out = new Float64Array(xs.length);
    mix.logPdf(xs, xs.length, out);
    for (const j of [0, 37, 500, 1999]) {
      const x = xs[j]!;
      let p = 0;
      for (let i = 0; i < mix.n; i++) {
        const mu = mix.mu[i]!;
        const s = mix.sigma[i]!;
        const z = normalMass((0 - mu) / s, (1 - mu) / s);
        p += (mix.weight[i]! * Math.exp(-0.5 * ((x - mu) / s) ** 2)) / (s * Math.sqrt(2 * Math.PI) * z);
      }
      expect(out[j]).toBeCloseTo(Math.log(p), 12);
    }
    let integral = 0;
    for (let j = 0; j < xs.length; j++)
      integral += Math.exp(out[j]!) * (j === 0 || j === xs.length - 1 ? 0.5 : 1);
    expect(integral / 2000).toBeCloseTo(1, 3);
  });

  it("drops only negligible kernels: equals the full sum for many clustered kernels", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.boolean(),
        (seeds, spread, discrete) => {
          // Clustered observations (as TPE's bad group is), candidates anywhere in [0, 100].
          const obs = Float64Array.from(seeds, (u, i) =>
            Math.min(100, Math.max(0, 30 + (i % 3) * 20 + (u - 0.5) * spread * 100)),
          );
          const mix = new NumericMixture(obs, obs.length, -0.5, 100.5, discrete, OPTS);
          const count = 30;
          const xs = Float64Array.from({ length: count }, (_, j) =>
            discrete ? Math.round(j * 3.3) : j * 3.33,
          );
          const lo = xs.map((x) => x - 0.5);
          const hi = xs.map((x) => x + 0.5);
          const out = new Float64Array(count);
          if (discrete) mix.logPmf(lo, hi, count, out);
          else mix.logPdf(xs, count, out);
          for (let j = 0; j < count; j++) {
            let full = 0;
            for (let i = 0; i < mix.n; i++) {
              const m = mix.mu[i]!;
              const inv = mix.invSigma[i]!;
              full += discrete
                ? mix.coef[i]! * normalMass((lo[j]! - m) * inv, (hi[j]! - m) * inv)
                : mix.coef[i]! * Math.exp(-0.5 * ((xs[j]! - m) * inv) ** 2);
            }
            expect(Math.abs(out[j]! - Math.log(full))).toBeLessThan(1e-13);
          }
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it("argmaxRatio picks what a full evaluation picks (branch and bound is exact)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        (seeds, cands, discrete, tie) => {
          const obs = Float64Array.from(seeds, (u, i) =>
            Math.min(100, Math.max(0, 40 + (i % 2) * 25 + (u - 0.5) * 30)),
          );
          const g = new NumericMixture(obs, obs.length, -0.5, 100.5, discrete, OPTS);
          const count = cands.length;
          const xs = Float64Array.from(cands, (u) => (discrete ? Math.round(u * 100) : u * 100));
          const lo = xs.map((x) => x - 0.5);
          const hi = xs.map((x) => x + 0.5);
          // A base that makes some scores tie exactly when `tie` (duplicated candidates).
          if (tie && count > 2) {
            xs[count - 1] = xs[0]!;
            lo[count - 1] = lo[0]!;
            hi[count - 1] = hi[0]!;
          }
          const base = Float64Array.from(xs, (x) => -((x - 50) ** 2) / 200);
          const lg = new Float64Array(count);
          if (discrete) g.logPmf(lo, hi, count, lg);
          else g.logPdf(xs, count, lg);
          let expected = 0;
          for (let j = 1; j < count; j++)
            if (base[j]! - lg[j]! > base[expected]! - lg[expected]! + 1e-12) expected = j;
          const got = discrete
            ? g.argmaxRatio(count, base, undefined, lo, hi)
            : g.argmaxRatio(count, base, xs);
          // Same candidate, or one whose score equals it to rounding (then the lower index wins).
          expect(Math.abs(base[got]! - lg[got]! - (base[expected]! - lg[expected]!))).toBeLessThan(1e-12);
          if (tie && count > 2 && got === 0) expect(got).toBeLessThan(count - 1);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it("bin masses of a discrete parameter sum to 1 over its grid", () => {
    // int 0..9: kernels on [-0.5, 9.5], bins of width 1.
    const obs = Float64Array.from([2, 2, 3, 7]);
    const mix = new NumericMixture(obs, obs.length, -0.5, 9.5, true, OPTS);
    const lo = Float64Array.from({ length: 10 }, (_, v) => v - 0.5);
    const hi = Float64Array.from({ length: 10 }, (_, v) => v + 0.5);
    const out = new Float64Array(10);
    mix.logPmf(lo, hi, 10, out);
    const total = Array.from(out).reduce((a, b) => a + Math.exp(b), 0);
    expect(total).toBeCloseTo(1, 12);
    expect(out[2]!).toBeGreaterThan(out[9]!);
  });

  it("samples inside its bounds, following its weights", () => {
    const obs = Float64Array.from([0.2]);
    const mix = new NumericMixture(obs, 1, 0, 1, false, OPTS);
    const rng = createStream(1, "test", 0);
    let near = 0;
    for (let i = 0; i < 2000; i++) {
      const x = mix.sampleKernel(mix.pickKernel(rng), rng);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
      if (Math.abs(x - 0.2) < 0.1) near++;
    }
    // Half the weight is on the observation's kernel: draws concentrate around 0.2 more than a uniform
    // draw would (20 % within ±0.1).
    expect(near / 2000).toBeGreaterThan(0.2);
  });
});

describe("CategoricalMixture", () => {
  it("puts 1 + 1/(m+1) on the observed choice and 1/(m+1) elsewhere, prior uniform", () => {
    const obs = Float64Array.from([0, 0, 2]);
    const mix = new CategoricalMixture(obs, 3, 4, OPTS);
    const m = 3;
    const row = (own: number) => {
      const r = [0, 1, 2, 3].map((c) => 1 / (m + 1) + (c === own ? 1 : 0));
      const s = r.reduce((a, b) => a + b, 0);
      return r.map((v) => v / s);
    };
    const w = referenceWeights(m, 1);
    const expected = [0, 1, 2, 3].map(
      (c) => w[0]! * row(0)[c]! + w[1]! * row(0)[c]! + w[2]! * row(2)[c]! + w[3]! * 0.25,
    );
    for (let c = 0; c < 4; c++) expect(mix.prob[c]).toBeCloseTo(expected[c]!, 14);
    expect(Array.from(mix.prob).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(mix.kernelLog(0, 0)).toBeCloseTo(Math.log(row(0)[0]!), 14);
    expect(mix.kernelLog(3, 1)).toBeCloseTo(Math.log(0.25), 14);
  });

  it("samples choices with the mixture's probabilities", () => {
    const obs = Float64Array.from([1, 1, 1, 1]);
    const mix = new CategoricalMixture(obs, 4, 3, OPTS);
    const rng = createStream(2, "test", 0);
    const counts = [0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[mix.sampleKernel(mix.pickKernel(rng), rng)]!++;
    for (let c = 0; c < 3; c++) expect(counts[c]! / n).toBeCloseTo(mix.prob[c]!, 1);
  });
});

describe("JointMixture", () => {
  it("log density equals log Σ_i w_i Π_d K_id(x_d), written out term by term", () => {
    const opts: ParzenOptions = { priorWeight: 1, considerMagicClip: false, considerEndpoints: false };
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 9 }), fc.nat(2)),
          { minLength: 1, maxLength: 60 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(2),
        (rows, x0, x1, x2) => {
          const m = rows.length;
          const a = Float64Array.from(rows, (r) => r[0]);
          const b = Float64Array.from(rows, (r) => r[1]);
          const c = Float64Array.from(rows, (r) => r[2]);
          const dims = [
            new NumericMixture(a, m, 0, 1, false, opts, 0.1),
            new NumericMixture(b, m, 0.5, 9.5, true, opts, 0.9),
            new CategoricalMixture(c, m, 3, opts),
          ] as const;
          const joint = new JointMixture(dims, [false, true, false]);
          const lo = Float64Array.of(0, x1 - 0.5, 0);
          const hi = Float64Array.of(0, x1 + 0.5, 0);
          let sum = 0;
          for (let i = 0; i <= m; i++) {
            sum += Math.exp(
              Math.log(dims[0].weight[i]!) +
                dims[0].kernelLog(i, x0, 0, 0, false) +
                dims[1].kernelLog(i, x1, x1 - 0.5, x1 + 0.5, true) +
                dims[2].kernelLog(i, x2),
            );
          }
          const got = joint.logDensity(Float64Array.of(x0, x1, x2), lo, hi);
          expect(Math.abs(got - Math.log(sum))).toBeLessThan(1e-9);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
