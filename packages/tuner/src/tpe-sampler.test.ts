import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  branin,
  braninSpace,
  hartmann6,
  hartmannSpace,
  type MixedParams,
  median,
  mixedClean,
  mixedNoisy,
  mixedSpace,
} from "./__fixtures__/functions.js";
import { frozenTrial } from "./__fixtures__/trials.js";
import { mixtureWeights } from "./_parzen-base.js";
import { createStream } from "./_rng.js";
import { goodBandwidthCount, splitHistory } from "./_tpe-groups.js";
import { TunerError } from "./errors.js";
import { createRandomSampler } from "./random-sampler.js";
import type { Sampler } from "./sampler.js";
import { defineSearchSpace, type Params, type SearchSpace } from "./search-space.js";
import { createStudy } from "./study.js";
import { createTpeSampler } from "./tpe-sampler.js";
import type { FrozenTrial } from "./trial.js";

const trial = (number: number, state: FrozenTrial["state"], value?: number, steps: [number, number][] = []) =>
  frozenTrial(number, state, steps, value);

describe("splitHistory", () => {
  it("puts the best min(⌈0.1 n⌉, 25) complete trials in the good group, ties by number", () => {
    const history = [5, 3, 9, 3, 7, 1, 8, 2, 6, 4, 0.5].map((v, i) => trial(i, "complete", v));
    const { flags, nBelow, nAbove } = splitHistory(history, "minimize", 0.1, 25);
    expect(nBelow).toBe(2);
    expect(nAbove).toBe(9);
    expect([...flags].flatMap((f, i) => (f === 1 ? [i] : []))).toEqual([5, 10]);
    const max = splitHistory(history, "maximize", 0.1, 25);
    expect([...max.flags].flatMap((f, i) => (f === 1 ? [i] : []))).toEqual([2, 6]);
    const big = Array.from({ length: 1000 }, (_, i) => trial(i, "complete", i % 17));
    expect(splitHistory(big, "minimize", 0.1, 25).nBelow).toBe(25);
    const ties = [1, 1, 1, 1].map((v, i) => trial(i, "complete", v));
    expect([...splitHistory(ties, "minimize", 0.5, 25).flags]).toEqual([1, 1, 0, 0]);
  });

  it("matches a reference sort on random histories with many ties", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("complete", "pruned", "failed"), fc.integer({ min: 0, max: 6 })), {
          maxLength: 400,
        }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (rows, fraction) => {
          const history = rows.map(([state, v], i) =>
            state === "complete"
              ? trial(i, "complete", v)
              : state === "pruned"
                ? trial(i, "pruned", undefined, v % 3 === 0 ? [] : [[v % 2, v]])
                : trial(i, "failed"),
          );
          const { flags, nBelow } = splitHistory(history, "minimize", fraction, 25);
          const complete = history
            .filter((t) => t.state === "complete")
            .sort((a, b) => a.value! - b.value! || a.number - b.number);
          const lastOf = (t: FrozenTrial) => t.intermediateValues[t.intermediateValues.length - 1];
          const pruned = history
            .filter((t) => t.state === "pruned")
            .sort(
              (a, b) =>
                (lastOf(b)?.step ?? -1) - (lastOf(a)?.step ?? -1) ||
                (lastOf(a)?.value ?? Number.POSITIVE_INFINITY) -
                  (lastOf(b)?.value ?? Number.POSITIVE_INFINITY) ||
                a.number - b.number,
            );
          const ranked = [...complete, ...pruned];
          expect(nBelow).toBe(Math.min(Math.ceil(fraction * ranked.length), 25, ranked.length));
          const good = new Set(ranked.slice(0, nBelow).map((t) => t.number));
          history.forEach((t, i) => {
            expect(flags[i]).toBe(t.state === "failed" ? -1 : good.has(t.number) ? 1 : 0);
          });
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it("ranks pruned trials after complete ones, by depth then last value; ignores failed ones", () => {
    const history = [
      trial(0, "pruned", undefined, [
        [0, 1],
        [1, 0.1],
      ]),
      trial(1, "failed"),
      trial(2, "pruned", undefined, [[0, 0.01]]),
      trial(3, "complete", 50),
      trial(4, "pruned", undefined, [
        [0, 9],
        [1, 0.05],
      ]),
      trial(5, "pruned"),
    ];
    const { flags } = splitHistory(history, "minimize", 0.6, 25);
    // n = 5 usable, good = 3: the complete trial, then the deepest pruned ones by last value.
    expect([...flags]).toEqual([1, -1, 0, 1, 1, 0]);
  });
});

type Objective = (params: Params, seed: number) => { observed: number; clean: number };

function bestClean(space: SearchSpace, f: Objective, sampler: Sampler, seed: number): number {
  const study = createStudy({ space, seed, sampler });
  let best = Number.POSITIVE_INFINITY;
  let bestClean = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 50; i++) {
    const t = study.ask();
    const { observed, clean } = f(t.params, t.seed);
    study.tell(t, observed);
    if (observed < best) {
      best = observed;
      bestClean = clean;
    }
  }
  return bestClean;
}

describe("TPE beats random search (median best after 50 trials over 20 seeds)", () => {
  const problems: [string, SearchSpace, Objective][] = [
    [
      "Branin",
      braninSpace as SearchSpace,
      (p) => ({ observed: branin(p as never), clean: branin(p as never) }),
    ],
    [
      "Hartmann-6",
      hartmannSpace as SearchSpace,
      (p) => ({ observed: hartmann6(p as never), clean: hartmann6(p as never) }),
    ],
    [
      "noisy mixed (log, float, int, categorical; σ = 0.2)",
      mixedSpace as SearchSpace,
      (p, seed) => ({
        observed: mixedNoisy(p as unknown as MixedParams, seed),
        clean: mixedClean(p as unknown as MixedParams),
      }),
    ],
  ];
  for (const [name, space, f] of problems) {
    it(name, () => {
      const seeds = Array.from({ length: 20 }, (_, i) => 1000 + i);
      const tpe = seeds.map((s) => bestClean(space, f, createTpeSampler(), s));
      const random = seeds.map((s) => bestClean(space, f, createRandomSampler(), s));
      expect(median(tpe)).toBeLessThan(median(random));
    });
  }
});

describe("createTpeSampler", () => {
  it("is deterministic and uses random sampling for the startup trials", () => {
    const run = (sampler: Sampler) => {
      const study = createStudy({ space: braninSpace, seed: 3, sampler, pendingWindow: 0 });
      for (let i = 0; i < 25; i++) {
        const t = study.ask();
        study.tell(t, branin(t.params));
      }
      return study.trials.map((t) => t.params);
    };
    const a = run(createTpeSampler());
    expect(run(createTpeSampler())).toEqual(a);
    const random = run(createRandomSampler());
    expect(a.slice(0, 10)).toEqual(random.slice(0, 10));
    expect(a.slice(10)).not.toEqual(random.slice(10));
  });

  it("counts pending trials as bad with constantLiar, and ignores them without", () => {
    const sample = (constantLiar: boolean, pendingX: number, multivariate = false, pendingWeight = 1) => {
      const sampler = createTpeSampler({ nStartupTrials: 2, constantLiar, multivariate, pendingWeight });
      const history = [0.1, 0.15, 0.2, 0.8, 0.9, 0.7].map((x, i) => ({
        ...trial(i, "complete", Math.abs(x - 0.12)),
        params: { x },
      }));
      return sampler.sample({
        space: defineSearchSpace({ x: { type: "float", low: 0, high: 1 } }),
        direction: "minimize",
        studySeed: 1,
        number: 7,
        rng: createStream(1, "sampler", 7),
        history,
        pending: [{ number: 6, params: { x: pendingX } }],
      }).x;
    };
    expect(sample(false, 0.12)).toBe(sample(false, 0.9));
    expect(sample(true, 0.12)).not.toBe(sample(false, 0.12));
    // Multivariate (narrower kernels): a pending trial at the point chosen without it moves the choice
    // with Optuna's weight 1; the default weight 0.15 pushes less (here: not off that point).
    const free = sample(false, 0.9, true) as number;
    expect(sample(false, free, true)).toBe(free);
    expect(sample(true, free, true)).not.toBe(free);
    expect(sample(true, free, true, 0.15)).toBe(free);
  });

  it("weighs pending trials by pendingWeight in the bad mixture (the newest observations)", () => {
    const opts = { priorWeight: 1, considerMagicClip: false, considerEndpoints: false };
    const plain = [...mixtureWeights(5, opts)];
    const weighted = [...mixtureWeights(5, { ...opts, newestCount: 2, newestWeight: 0.15 })];
    const total = 3 + 2 * 0.15 + 1;
    [1, 1, 1, 0.15, 0.15, 1].forEach((w, i) => {
      expect(weighted[i]).toBeCloseTo(w / total, 15);
    });
    expect(plain.every((w) => w === 1 / 6)).toBe(true);
    // Past the 25 newest, the ramp of older observations is kept; only the newest are scaled.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(10), (m, p) => {
        const a = mixtureWeights(m, opts);
        const b = mixtureWeights(m, { ...opts, newestCount: p, newestWeight: 0.5 });
        const first = Math.max(0, m - p);
        // Ratios between unscaled kernels are unchanged; a scaled one is half its unscaled value.
        for (let i = 0; i < m; i++) {
          const expected = (a[i]! / a[m]!) * (i >= first ? 0.5 : 1);
          expect(b[i]! / b[m]!).toBeCloseTo(expected, 12);
        }
      }),
      { seed: 16 },
    );
  });

  it("counts pending trials towards nStartupTrials with startupCountsPending (multivariate default)", () => {
    const space = defineSearchSpace({
      x: { type: "float", low: 0, high: 1 },
      y: { type: "float", low: 0, high: 1 },
    });
    const context = (visible: number, pending: number) => ({
      space,
      direction: "minimize" as const,
      studySeed: 3,
      number: visible + pending,
      rng: createStream(3, "sampler", visible + pending),
      history: Array.from({ length: visible }, (_, i) => ({
        ...trial(i, "complete", i),
        params: { x: i / 10, y: 1 - i / 10 },
      })),
      pending: Array.from({ length: pending }, (_, j) => ({
        number: visible + j,
        params: { x: 0.5, y: 0.5 },
      })),
    });
    const random = (visible: number, pending: number) =>
      createRandomSampler().sample(context(visible, pending));
    const tpe = (visible: number, pending: number, startupCountsPending?: boolean) =>
      createTpeSampler({ startupCountsPending }).sample(context(visible, pending));
    // Trial 10 of a window-7 study: 3 results and 7 pending trials make 10, so TPE starts.
    expect(tpe(3, 7)).not.toEqual(random(3, 7));
    expect(tpe(3, 6)).toEqual(random(3, 6));
    expect(tpe(3, 7, false)).toEqual(random(3, 7));
    expect(tpe(10, 0, false)).toEqual(tpe(10, 0));
    // At least one result must be visible.
    expect(tpe(0, 12)).toEqual(random(0, 12));
    // Optuna's univariate estimator counts finished trials only.
    expect(createTpeSampler({ multivariate: false }).sample(context(3, 7))).toEqual(random(3, 7));
  });

  it("narrows the good kernels as the study grows (shrinkGoodBandwidth), less with pending trials", () => {
    expect(goodBandwidthCount(4, 40, 0)).toBe(40);
    expect(goodBandwidthCount(4, 40, 7)).toBe(5);
    expect(goodBandwidthCount(4, 20, 7)).toBe(4);
    fc.assert(
      fc.property(fc.nat(30), fc.nat(500), fc.nat(20), (m, extra, p) => {
        const n = m + extra;
        const c = goodBandwidthCount(m, n, p);
        expect(c).toBeGreaterThanOrEqual(m);
        expect(c).toBeLessThanOrEqual(Math.max(n, m));
        expect(goodBandwidthCount(m, n, p + 1)).toBeLessThanOrEqual(c);
      }),
      { seed: 15 },
    );
    // 40 finished trials, the best near x = 0.3: suggestions land closer to it with the narrower kernels.
    const space = defineSearchSpace({
      x: { type: "float", low: 0, high: 1 },
      y: { type: "float", low: 0, high: 1 },
    });
    const history = Array.from({ length: 40 }, (_, i) => {
      const x = (i * 0.618034) % 1;
      const y = (i * 0.414214) % 1;
      return { ...trial(i, "complete", (x - 0.3) ** 2 + (y - 0.6) ** 2), params: { x, y } };
    });
    const spread = (shrinkGoodBandwidth: boolean, pending: number) => {
      const sampler = createTpeSampler({ shrinkGoodBandwidth });
      let total = 0;
      for (let k = 0; k < 200; k++) {
        const p = sampler.sample({
          space,
          direction: "minimize",
          studySeed: 1,
          number: 40 + pending,
          rng: createStream(1, "sampler", k),
          history,
          pending: Array.from({ length: pending }, (_, j) => ({
            number: 40 + j,
            params: { x: 0.9, y: 0.1 },
          })),
        });
        total += Math.hypot((p.x as number) - 0.3, (p.y as number) - 0.6);
      }
      return total / 200;
    };
    expect(spread(true, 0)).toBeLessThan(0.9 * spread(false, 0));
    expect(spread(true, 7)).toBeGreaterThan(spread(true, 0));
  });

  it("has a univariate mode (Optuna's default) that also beats random on Branin", () => {
    const f: Objective = (p) => ({ observed: branin(p as never), clean: branin(p as never) });
    const seeds = Array.from({ length: 10 }, (_, i) => 2000 + i);
    const tpe = seeds.map((s) =>
      bestClean(braninSpace as SearchSpace, f, createTpeSampler({ multivariate: false }), s),
    );
    const random = seeds.map((s) => bestClean(braninSpace as SearchSpace, f, createRandomSampler(), s));
    expect(median(tpe)).toBeLessThan(median(random));
  });

  it("describes every option with its default", () => {
    expect(createTpeSampler().description).toEqual({
      kind: "tpe",
      options: {
        nStartupTrials: 10,
        nEiCandidates: 24,
        gamma: { fraction: 0.1, max: 25 },
        priorWeight: 1,
        considerMagicClip: false,
        considerEndpoints: false,
        multivariate: true,
        bandwidthFactor: 0.1,
        shrinkGoodBandwidth: true,
        constantLiar: true,
        pendingWeight: 0.15,
        startupCountsPending: true,
      },
    });
    expect(createTpeSampler({ multivariate: false }).description.options).toMatchObject({
      considerMagicClip: true,
      pendingWeight: 1,
      startupCountsPending: false,
    });
  });

  it("rejects bad options", () => {
    const bad = [
      { nStartupTrials: -1 },
      { nEiCandidates: 0 },
      { gamma: { fraction: 0 } },
      { gamma: { fraction: 1.5 } },
      { gamma: { max: 0 } },
      { priorWeight: 0 },
      { bandwidthFactor: 0 },
      { bandwidthFactor: Number.POSITIVE_INFINITY },
      { multivariate: "yes" },
      { shrinkGoodBandwidth: 1 },
      { pendingWeight: 0 },
      { pendingWeight: -1 },
      { startupCountsPending: "yes" },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        createTpeSampler(options as never);
      } catch (error) {
        caught = error;
      }
      expect(TunerError.is(caught) && caught.code === "INVALID_ARGUMENT", JSON.stringify(options)).toBe(true);
    }
  });
});
