import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultTrainConfig } from "@rlvr/rlvr-loop";
import { describe, expect, it } from "vitest";
import { tempDir } from "./__fixtures__/data.js";
import {
  DEFAULT_SEARCH_SPACE,
  DEFAULT_TUNER_SETTINGS,
  mergeJobSpecs,
  OrchestratorError,
  readJobFile,
  resolveJobSpec,
  validateJobSpec,
} from "./index.js";

describe("resolveJobSpec", () => {
  it("fills every default in one place", () => {
    const r = resolveJobSpec({ datasets: ["a.jsonl"] }, { baseDir: "/base" });
    expect(r.datasets).toEqual(["/base/a.jsonl"]);
    expect(r.outDir).toBe("/base");
    expect(r.registryPath).toBe("/base/.rlvr/registry.db");
    expect(r.seed).toBe(0);
    expect(r.label).toBe("job");
    expect(r.format).toBe("auto");
    expect(r.split).toEqual({ validation: 0.15, test: 0.2 });
    expect(r.tuner).toEqual(DEFAULT_TUNER_SETTINGS);
    expect(r.tuner.objective).toBe("dr_lower");
    expect(r.searchSpace).toBe(DEFAULT_SEARCH_SPACE);
    expect(r.finalTraining).toBe("train");
    expect(r.shipping).toEqual({ policy: "safe" });
    expect(r.rlvr).toEqual({ ...defaultTrainConfig, seed: 0 });
  });

  it("keeps given values, the seed reaches the train config, registryPath null disables", () => {
    const r = resolveJobSpec({
      datasets: ["/x/a.jsonl"],
      seed: 9,
      registryPath: null,
      tuner: { trials: 3, objective: "dr" },
      rlvr: { optimizer: { learningRate: 0.5 } },
    });
    expect(r.registryPath).toBeNull();
    expect(r.rlvr.seed).toBe(9);
    expect(r.rlvr.optimizer.learningRate).toBe(0.5);
    expect(r.rlvr.optimizer.beta1).toBe(0.9);
    expect(r.tuner).toEqual({ ...DEFAULT_TUNER_SETTINGS, trials: 3, objective: "dr" });
  });

  it("reports every problem with its JSON pointer", () => {
    const problems = validateJobSpec({
      datasets: [],
      seed: -1,
      tuner: { trials: 0, sampler: "bayes" },
      extra: true,
      split: { validation: 0.6, test: 0.5 },
    });
    const text = problems.join("\n");
    expect(text).toContain("/datasets");
    expect(text).toContain("/seed");
    expect(text).toContain("/tuner/trials");
    expect(text).toContain("/tuner/sampler");
    expect(text).toContain("/extra: unknown member");
    expect(() => resolveJobSpec({ datasets: [] } as never)).toThrow(OrchestratorError);
    expect(validateJobSpec({ datasets: ["a"], split: { validation: 0.6, test: 0.5 } }).join()).toContain(
      "/split",
    );
    expect(validateJobSpec({ datasets: ["a"], rlvr: { optimizer: { learningRate: -1 } } }).join()).toContain(
      "/rlvr",
    );
    expect(
      validateJobSpec({ datasets: ["a"], searchSpace: { lr: { type: "float", low: 1, high: 0 } } }).join(),
    ).toContain("/searchSpace/lr");
  });
});

describe("readJobFile", () => {
  it("resolves paths against the file's folder and accepts $schema", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "cfg"));
    const file = join(dir, "cfg", "job.json");
    writeFileSync(file, JSON.stringify({ $schema: "x", datasets: ["../d.jsonl"], outDir: "out", seed: 3 }));
    const spec = await readJobFile(file);
    expect(spec).toEqual({ datasets: [join(dir, "d.jsonl")], outDir: join(dir, "cfg", "out"), seed: 3 });
  });

  it("names the file and the pointer of a problem; datasets may be left to the command line", async () => {
    const dir = tempDir();
    const file = join(dir, "job.json");
    writeFileSync(file, JSON.stringify({ seed: "x" }));
    await expect(readJobFile(file)).rejects.toThrow(/job\.json.*\n.*\/seed/);
    writeFileSync(file, "{ nope");
    await expect(readJobFile(file)).rejects.toMatchObject({ code: "INVALID_SPEC" });
    await expect(readJobFile(join(dir, "missing.json"))).rejects.toMatchObject({ code: "IO_ERROR" });
    writeFileSync(file, JSON.stringify({ label: "ok" }));
    expect(await readJobFile(file)).toEqual({ label: "ok" });
  });

  it("refuses a member named twice, naming the file, the line and the pointer", async () => {
    const dir = tempDir();
    const file = join(dir, "job.json");
    writeFileSync(file, '{\n  "seed": 1,\n  "tuner": { "trials": 4,\n    "trials": 40 }\n}\n');
    const error = await readJobFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_SPEC" });
    expect((error as Error).message).toContain(`${file}:4: /tuner/trials: duplicate key "trials"`);
    writeFileSync(file, '{ "seed": 1, "seed": 2 }');
    await expect(readJobFile(file)).rejects.toThrow(/:1: \/seed: duplicate key/);
  });
});

describe("mergeJobSpecs", () => {
  it("lets later specs win, merging nested settings member by member", () => {
    const m = mergeJobSpecs(
      {
        datasets: ["a"],
        tuner: { trials: 5, sampler: "random" },
        rlvr: { optimizer: { learningRate: 0.1, beta1: 0.8 } },
      },
      { datasets: ["b"], tuner: { trials: 7 }, seed: undefined, rlvr: { optimizer: { learningRate: 0.2 } } },
    );
    expect(m).toEqual({
      datasets: ["b"],
      tuner: { trials: 7, sampler: "random" },
      rlvr: { optimizer: { learningRate: 0.2, beta1: 0.8 } },
    });
  });
});
