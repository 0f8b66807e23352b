import { describe, expect, it } from "vitest";
import { TunerError } from "./errors.js";
import { createMedianPruner } from "./median-pruner.js";
import { createMemoryStorage } from "./storage.js";
import { createStudy, loadStudy, STUDY_DEFAULTS } from "./study.js";
import { createSuccessiveHalvingPruner } from "./successive-halving-pruner.js";
import {
  createExecutor,
  createPruner,
  createSampler,
  EXECUTORS,
  PRUNER_ALIASES,
  PRUNERS,
  resolvePrunerName,
  SAMPLERS,
} from "./tables.js";
import { createTpeSampler } from "./tpe-sampler.js";

const space = { x: { type: "float", low: 0, high: 1 } } as const;

describe("tables", () => {
  it("name every built-in by the kind of its description", () => {
    for (const name of Object.keys(SAMPLERS)) {
      expect(createSampler(name).description.kind).toBe(name);
    }
    for (const name of Object.keys(PRUNERS)) {
      const options = name === "percentile" ? { percentile: 25 } : {};
      expect(createPruner(name, options).description.kind).toBe(name);
    }
    expect(Object.keys(EXECUTORS).sort()).toEqual(["inline", "worker-pool"]);
  });

  it("accept successive_halving as an alias of the canonical successive-halving", () => {
    expect(PRUNER_ALIASES.successive_halving).toBe("successive-halving");
    expect(resolvePrunerName("successive_halving")).toBe("successive-halving");
    expect(resolvePrunerName("successive-halving")).toBe("successive-halving");
    expect(resolvePrunerName("toString")).toBeUndefined();
    expect(createPruner("successive_halving").description).toEqual(
      createSuccessiveHalvingPruner().description,
    );
  });

  it("build with the factory's defaults and the options given", () => {
    expect(createSampler("tpe", { nStartupTrials: 3 }).description).toEqual(
      createTpeSampler({ nStartupTrials: 3 }).description,
    );
    expect(createPruner("median").description).toEqual(createMedianPruner().description);
    expect(createExecutor("inline", { concurrency: 2 }).concurrency).toBe(2);
  });

  it("refuse unknown names with the list of known ones, in public wording", () => {
    for (const make of [
      () => createSampler("bayes"),
      () => createPruner("hyperband"),
      () => createExecutor("queue"),
      () => createSampler("__proto__"),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(TunerError.is(caught) && caught.code).toBe("INVALID_ARGUMENT");
      expect((caught as Error).message).toMatch(/^unknown (sampler|pruner|executor) ".*"; expected one of "/);
    }
    expect(() => createPruner("hyperband")).toThrow(/"successive_halving"/);
  });

  it("rebuild stored samplers and pruners on load, by kind", () => {
    const storage = createMemoryStorage();
    createStudy({
      space,
      storage,
      sampler: createTpeSampler({ nStartupTrials: 2 }),
      pruner: createPruner("successive_halving", { reductionFactor: 3 }),
    });
    const loaded = loadStudy({ storage });
    expect(loaded.sampler.description).toEqual(createTpeSampler({ nStartupTrials: 2 }).description);
    expect(loaded.pruner.description.kind).toBe("successive-halving");
    expect(loaded.pruner.description.options["reductionFactor"]).toBe(3);
  });

  it("the study defaults name table entries", () => {
    const study = createStudy({ space });
    expect(study.sampler.description).toEqual(createSampler(STUDY_DEFAULTS.sampler).description);
    expect(study.pruner.description).toEqual(createPruner(STUDY_DEFAULTS.pruner).description);
    expect(study.pendingWindow).toBe(STUDY_DEFAULTS.pendingWindow);
  });
});
