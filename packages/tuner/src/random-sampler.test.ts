import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandomSampler } from "./random-sampler.js";
import { defineSearchSpace, type ParamSpec, type SearchSpaceSpec } from "./search-space.js";
import { createStudy } from "./study.js";
import { createTpeSampler } from "./tpe-sampler.js";

/** Valid parameter specs, by construction. */
const paramArb: fc.Arbitrary<ParamSpec> = fc.oneof(
  fc
    .record({
      low: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      width: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
    })
    .map(({ low, width }): ParamSpec => ({ type: "float", low, high: low + width })),
  fc
    .record({
      low: fc.double({ min: 1e-8, max: 1e3, noNaN: true }),
      ratio: fc.double({ min: 1.01, max: 1e6, noNaN: true }),
    })
    .map(({ low, ratio }): ParamSpec => ({ type: "float", low, high: low * ratio, log: true })),
  fc
    .record({
      low: fc.integer({ min: -1000, max: 1000 }),
      count: fc.integer({ min: 1, max: 200 }),
      step: fc.constantFrom(0.1, 0.25, 0.5, 2, 0.01),
    })
    .map(
      ({ low, count, step }): ParamSpec => ({
        type: "float",
        low: low / 10,
        high: low / 10 + count * step,
        step,
      }),
    )
    .filter(
      (p) =>
        p.type === "float" &&
        Math.abs((p.high - p.low) / p.step! - Math.round((p.high - p.low) / p.step!)) < 1e-9,
    ),
  fc
    .record({
      low: fc.integer({ min: -1e6, max: 1e6 }),
      count: fc.integer({ min: 1, max: 1000 }),
      step: fc.integer({ min: 1, max: 7 }),
    })
    .map(({ low, count, step }): ParamSpec => ({ type: "int", low, high: low + count * step, step })),
  fc
    .record({ low: fc.integer({ min: 1, max: 100 }), count: fc.integer({ min: 1, max: 1e5 }) })
    .map(({ low, count }): ParamSpec => ({ type: "int", low, high: low + count, log: true })),
  fc
    .uniqueArray(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean()), {
      minLength: 1,
      maxLength: 6,
    })
    .map((choices): ParamSpec => ({ type: "categorical", choices })),
  fc.oneof(fc.string(), fc.integer(), fc.boolean()).map((value): ParamSpec => ({ type: "fixed", value })),
);

const spaceArb = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), paramArb), {
    minLength: 1,
    maxLength: 4,
    selector: (t) => t[0],
  })
  .map((entries) => Object.fromEntries(entries) as SearchSpaceSpec);

function checkValue(p: ParamSpec, v: unknown): void {
  switch (p.type) {
    case "float":
    case "int": {
      expect(typeof v).toBe("number");
      const x = v as number;
      expect(x).toBeGreaterThanOrEqual(p.low);
      expect(x).toBeLessThanOrEqual(p.high);
      if (p.type === "int") expect(Number.isInteger(x)).toBe(true);
      const step = p.step ?? (p.type === "int" && p.log !== true ? 1 : undefined);
      if (step !== undefined) {
        const r = (x - p.low) / step;
        expect(Math.abs(r - Math.round(r))).toBeLessThanOrEqual(1e-9 * Math.max(1, r));
      }
      break;
    }
    case "categorical":
      expect(p.choices).toContain(v);
      break;
    case "fixed":
      expect(v).toBe(p.value);
      break;
  }
}

function sampleStudy(spec: SearchSpaceSpec, tpe: boolean, seed: number, n: number) {
  const space = defineSearchSpace(spec);
  const study = createStudy({
    space,
    seed,
    sampler: tpe ? createTpeSampler({ nStartupTrials: 5 }) : createRandomSampler(),
    pendingWindow: 2,
  });
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    out.push(t.params);
    // An arbitrary deterministic objective so that TPE has something to split.
    study.tell(t, (i * 7919) % 13);
  }
  return { space, out };
}

describe("space sampling (property tests)", () => {
  it("random draws are inside the bounds, on the step grid and among the choices", () => {
    fc.assert(
      fc.property(spaceArb, fc.nat(1000), (spec, seed) => {
        const { space, out } = sampleStudy(spec, false, seed, 20);
        for (const params of out) {
          expect(Object.keys(params)).toEqual(space.names);
          for (const name of space.names) checkValue(space.spec[name]!, params[name]);
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it("TPE suggestions are inside the bounds, on the step grid and among the choices", () => {
    fc.assert(
      fc.property(spaceArb, fc.nat(1000), fc.boolean(), (spec, seed, multivariate) => {
        const space = defineSearchSpace(spec);
        const study = createStudy({
          space,
          seed,
          sampler: createTpeSampler({ nStartupTrials: 3, multivariate }),
        });
        for (let i = 0; i < 15; i++) {
          const t = study.ask();
          for (const name of space.names) checkValue(space.spec[name]!, t.params[name]);
          study.tell(t, (i * 7919) % 13);
        }
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it("log parameters are log-uniform (Kolmogorov-Smirnov on log values)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        fc.double({ min: 10, max: 1e6, noNaN: true }),
        fc.nat(1000),
        (low, ratio, seed) => {
          const spec: SearchSpaceSpec = { x: { type: "float", low, high: low * ratio, log: true } };
          const { out } = sampleStudy(spec, false, seed, 600);
          const u = out
            .map((p) => Math.log((p["x"] as number) / low) / Math.log(ratio))
            .sort((a, b) => a - b);
          let d = 0;
          u.forEach((v, i) => {
            d = Math.max(d, Math.abs((i + 1) / u.length - v), Math.abs(v - i / u.length));
          });
          // Critical value at the 0.1 % level: 1.95 / √n.
          expect(d).toBeLessThan(1.95 / Math.sqrt(u.length));
        },
      ),
      { seed: 42, numRuns: 12 },
    );
  });

  it("stepped floats give decimal values and reach both bounds", () => {
    const { out } = sampleStudy({ x: { type: "float", low: 0.1, high: 0.5, step: 0.1 } }, false, 3, 200);
    const values = new Set(out.map((p) => p["x"]));
    expect([...values].sort()).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });
});

describe("createRandomSampler", () => {
  it("depends only on the study seed and the trial number", () => {
    const spec: SearchSpaceSpec = {
      x: { type: "float", low: 0, high: 1 },
      c: { type: "categorical", choices: ["a", "b", "c"] },
    };
    const a = sampleStudy(spec, false, 7, 30).out;
    const b = sampleStudy(spec, false, 7, 30).out;
    const c = sampleStudy(spec, false, 8, 30).out;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((p) => p["x"])).size).toBe(30);
    expect(createRandomSampler().description).toEqual({ kind: "random", options: {} });
  });
});
