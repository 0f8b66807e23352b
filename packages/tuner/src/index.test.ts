import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as tuner from "./index.js";

describe("@rlvr/tuner barrel", () => {
  it("exports the public API", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(tuner.VERSION).toBe(pkg.version);
    for (const name of [
      "defineSearchSpace",
      "validateSearchSpace",
      "SearchSpaceSchema",
      "createStudy",
      "loadStudy",
      "createGridSampler",
      "createRandomSampler",
      "createTpeSampler",
      "createMedianPruner",
      "createPercentilePruner",
      "createSuccessiveHalvingPruner",
      "createNopPruner",
      "createInlineExecutor",
      "createWorkerPoolExecutor",
      "createJournalStorage",
      "createMemoryStorage",
      "parameterImportance",
      "TunerError",
      "SearchSpaceError",
      "StudyEventSchema",
      "SAMPLERS",
      "PRUNERS",
      "PRUNER_ALIASES",
      "EXECUTORS",
      "createSampler",
      "createPruner",
      "createExecutor",
      "resolvePrunerName",
      "STUDY_DEFAULTS",
    ]) {
      expect(tuner, name).toHaveProperty(name);
    }
    // Internals stay internal.
    expect(tuner).not.toHaveProperty("splitHistory");
    expect(tuner).not.toHaveProperty("prunedError");
    expect(tuner).not.toHaveProperty("withDefaults");
  });
});
