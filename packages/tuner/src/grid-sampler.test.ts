import { describe, expect, it } from "vitest";
import { TunerError } from "./errors.js";
import { createGridSampler } from "./grid-sampler.js";
import { createMemoryStorage } from "./storage.js";
import { createStudy, loadStudy } from "./study.js";

const space = {
  b: { type: "categorical", choices: ["x", "y"] },
  a: { type: "int", low: 1, high: 3 },
  c: { type: "fixed", value: true },
} as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return TunerError.is(error) ? error.code : "not a TunerError";
  }
  return undefined;
}

describe("createGridSampler", () => {
  it("enumerates the full product in a stable order (names sorted, last varies fastest)", async () => {
    const study = createStudy({ space, sampler: createGridSampler() });
    const result = await study.optimize((p) => p.a, { trials: 100 });
    expect(result.trials.map((t) => [t.params.a, t.params.b, t.params.c])).toEqual([
      [1, "x", true],
      [1, "y", true],
      [2, "x", true],
      [2, "y", true],
      [3, "x", true],
      [3, "y", true],
    ]);
    expect(study.sampler.size?.(study.space)).toBe(6);
    expect(study.canAsk()).toBe(false);
    expect(codeOf(() => study.ask())).toBe("SEARCH_EXHAUSTED");
  });

  it("uses explicit values, and requires them for continuous floats", () => {
    const cont = {
      lr: { type: "float", low: 0, high: 1 },
      n: { type: "int", low: 0, high: 10, step: 5 },
    } as const;
    expect(codeOf(() => createStudy({ space: cont, sampler: createGridSampler() }))).toBe("INVALID_ARGUMENT");
    const study = createStudy({ space: cont, sampler: createGridSampler({ values: { lr: [0.5, 0.1] } }) });
    const seen = [];
    while (study.canAsk()) {
      const t = study.ask();
      seen.push([t.params.lr, t.params.n]);
      study.tell(t, 0);
    }
    expect(seen).toEqual([
      [0.5, 0],
      [0.5, 5],
      [0.5, 10],
      [0.1, 0],
      [0.1, 5],
      [0.1, 10],
    ]);
  });

  it("gives clean decimal values for stepped floats", () => {
    const study = createStudy({
      space: { x: { type: "float", low: 0, high: 0.5, step: 0.1 } },
      sampler: createGridSampler(),
    });
    const xs = [];
    while (study.canAsk()) {
      const t = study.ask();
      xs.push(t.params.x);
      study.tell(t, 0);
    }
    expect(xs).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it("rejects values outside the domain, duplicates and unknown parameters", () => {
    const s = { x: { type: "int", low: 0, high: 3 } } as const;
    expect(codeOf(() => createStudy({ space: s, sampler: createGridSampler({ values: { x: [4] } }) }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(
      codeOf(() => createStudy({ space: s, sampler: createGridSampler({ values: { x: [1, 1] } }) })),
    ).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => createStudy({ space: s, sampler: createGridSampler({ values: { y: [1] } }) }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => createGridSampler({ values: { x: [] } }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => createGridSampler({ shuffle: "yes" as never }))).toBe("INVALID_ARGUMENT");
    expect(
      codeOf(() =>
        createStudy({ space: { x: { type: "int", low: 0, high: 2 ** 40 } }, sampler: createGridSampler() }),
      ),
    ).toBe("INVALID_ARGUMENT");
  });

  it("shuffles by the study seed: every point once, reproducibly", () => {
    const points = (seed: number) => {
      const study = createStudy({ space, seed, sampler: createGridSampler({ shuffle: true }) });
      const out: string[] = [];
      while (study.canAsk()) {
        const t = study.ask();
        out.push(`${t.params.a}${t.params.b}`);
        study.tell(t, 0);
      }
      return out;
    };
    const a = points(1);
    expect([...a].sort()).toEqual(["1x", "1y", "2x", "2y", "3x", "3y"]);
    expect(points(1)).toEqual(a);
    const others = [2, 3, 4, 5].map((s) => points(s).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
  });

  it("is rebuilt from its description on load", () => {
    const storage = createMemoryStorage();
    const study = createStudy({ space, storage, sampler: createGridSampler({ shuffle: true }) });
    const t = study.ask();
    study.tell(t, 1);
    const loaded = loadStudy({ storage });
    expect(loaded.sampler.description).toEqual(study.sampler.description);
    expect(loaded.ask().params).toEqual(study.ask().params);
  });
});
