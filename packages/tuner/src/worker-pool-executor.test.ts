import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { braninSpace } from "./__fixtures__/functions.js";
import { rejection } from "./__fixtures__/trials.js";
import { TunerError } from "./errors.js";
import { createGridSampler } from "./grid-sampler.js";
import { createMedianPruner } from "./median-pruner.js";
import { createStudy } from "./study.js";
import type { TuningResult } from "./study-types.js";
import { createTpeSampler } from "./tpe-sampler.js";
import { createWorkerPoolExecutor } from "./worker-pool-executor.js";

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

function stable(result: TuningResult): unknown {
  return result.trials.map(({ durationMs: _d, ...t }) => t);
}

describe("createWorkerPoolExecutor", () => {
  it("gives the same trials and best with 1, 2 and 4 workers (CPU-bound objective, pruning)", async () => {
    const run = async (concurrency: number) => {
      const executor = createWorkerPoolExecutor({ module: fixture("cpu-objective.mjs"), concurrency });
      try {
        const study = createStudy({
          space: braninSpace,
          seed: 21,
          sampler: createTpeSampler({ nStartupTrials: 4 }),
          pruner: createMedianPruner({ nStartupTrials: 3 }),
          pendingWindow: 3,
        });
        const order: number[] = [];
        const result = await study.optimize({
          trials: 16,
          executor,
          onTrialFinished: (t) => order.push(t.number),
        });
        return { result, order };
      } finally {
        await executor.close();
      }
    };
    const one = await run(1);
    const two = await run(2);
    const four = await run(4);
    expect(stable(two.result)).toEqual(stable(one.result));
    expect(stable(four.result)).toEqual(stable(one.result));
    expect(two.result.bestTrial?.number).toBe(one.result.bestTrial?.number);
    expect(four.result.bestTrial?.value).toBe(one.result.bestTrial?.value);
    expect(one.result.trials).toHaveLength(16);
    expect(one.result.counts.complete + one.result.counts.pruned).toBe(16);
    expect(one.result.counts.pruned).toBeGreaterThan(0);
    // One worker finishes trials in number order; several finish them in whatever order the work and
    // the scheduler give (the burn loop's length depends on the trial seed), yet the results agree.
    expect(one.order).toEqual([...one.order].sort((a, b) => a - b));
    expect([...four.order].sort((a, b) => a - b)).toEqual(one.order);
  });

  it("records failures, time-outs and dead workers, and keeps going", async () => {
    const executor = createWorkerPoolExecutor({
      module: fixture("faulty-objective.mjs"),
      concurrency: 2,
      timeoutMs: 800,
    });
    const modes = ["ok", "throws", "nan", "string", "hang", "exit", "uncaught", "prune", "bad-report", "ok"];
    try {
      const study = createStudy({
        space: { mode: { type: "categorical", choices: modes.slice(0, -1) }, x: { type: "fixed", value: 3 } },
        sampler: createGridSampler({ values: { mode: modes.slice(0, -1) } }),
      });
      const result = await study.optimize({ executor });
      const byMode = Object.fromEntries(result.trials.map((t) => [t.params.mode, t]));
      expect(byMode["ok"]).toMatchObject({ state: "complete", value: 3 });
      expect(byMode["throws"]).toMatchObject({
        state: "failed",
        error: { name: "RangeError", message: "bad x 3" },
      });
      expect(byMode["nan"]?.error?.code).toBe("INVALID_VALUE");
      expect(byMode["string"]?.error).toMatchObject({
        code: "INVALID_VALUE",
        message: expect.stringMatching(/a string/),
      });
      expect(byMode["hang"]?.error?.code).toBe("TRIAL_TIMEOUT");
      expect(byMode["exit"]?.error).toMatchObject({
        code: "WORKER_CRASHED",
        message: expect.stringMatching(/code 3/),
      });
      expect(byMode["uncaught"]?.error).toMatchObject({
        code: "WORKER_CRASHED",
        message: expect.stringMatching(/in a timer/),
      });
      expect(byMode["prune"]).toMatchObject({
        state: "pruned",
        intermediateValues: [
          { step: 0, value: 10 },
          { step: 1, value: 9 },
        ],
      });
      expect(byMode["bad-report"]).toMatchObject({ state: "complete", value: 7 });
      // A finished pool can run again after its workers died.
      const again = createStudy({
        space: { mode: { type: "fixed", value: "ok" }, x: { type: "fixed", value: 5 } },
      });
      expect((await again.optimize({ executor, trials: 2 })).trials.map((t) => t.value)).toEqual([5, 5]);
    } finally {
      await executor.close();
    }
  });

  it("stops optimize when the objective module cannot be loaded", async () => {
    for (const [module, exportName] of [
      [fixture("broken-objective.mjs"), "objective"],
      [fixture("faulty-objective.mjs"), "notAFunction"],
      [fixture("faulty-objective.mjs"), "missing"],
    ] as const) {
      const executor = createWorkerPoolExecutor({ module, exportName, concurrency: 1 });
      const study = createStudy({ space: braninSpace });
      const caught = await rejection(study.optimize({ executor, trials: 3 })).finally(() => executor.close());
      expect(caught.code, String(caught)).toBe("OBJECTIVE_LOAD_FAILED");
      expect(study.trials.filter((t) => t.state !== "running")).toEqual([]);
    }
  });

  it("calls a factory once per worker with factoryData and reuses its objective", async () => {
    const executor = createWorkerPoolExecutor({
      module: fixture("factory-objective.mjs"),
      exportName: "makeObjective",
      factoryData: { offset: 0.5, scale: 2 },
      concurrency: 2,
    });
    try {
      const study = createStudy({ space: { x: { type: "int", low: 0, high: 9 } }, seed: 5 });
      const result = await study.optimize({ executor, trials: 6 });
      // value = offset + scale·x + 1000·(setups in that worker): each worker set up exactly once
      for (const t of result.trials) {
        expect(t.state).toBe("complete");
        expect(t.value).toBe(0.5 + 2 * (t.params.x as number) + 1000);
      }
      expect(executor.threads).toBeLessThanOrEqual(2);
    } finally {
      await executor.close();
    }
    for (const exportName of ["notAFactory", "throwingFactory"]) {
      const bad = createWorkerPoolExecutor({
        module: fixture("factory-objective.mjs"),
        exportName,
        factoryData: { path: "/data" },
        concurrency: 1,
      });
      let caught: unknown;
      try {
        await createStudy({ space: braninSpace }).optimize({ executor: bad, trials: 2 });
      } catch (error) {
        caught = error;
      } finally {
        await bad.close();
      }
      expect(TunerError.is(caught) && caught.code, String(caught)).toBe("OBJECTIVE_LOAD_FAILED");
      expect(String((caught as Error).message)).toMatch(
        exportName === "notAFactory"
          ? /returned number, expected an objective function/
          : /cannot set up with/,
      );
    }
    expect(() =>
      createWorkerPoolExecutor({ module: fixture("factory-objective.mjs"), factoryData: { f: () => 1 } }),
    ).toThrow(/structured-cloneable/);
  });

  it("terminates running trials on abort", async () => {
    const executor = createWorkerPoolExecutor({ module: fixture("faulty-objective.mjs"), concurrency: 2 });
    const controller = new AbortController();
    const study = createStudy({
      space: { mode: { type: "fixed", value: "hang" }, x: { type: "fixed", value: 1 } },
    });
    setTimeout(() => controller.abort(), 200);
    let caught: unknown;
    try {
      await study.optimize({ executor, trials: 4, signal: controller.signal });
    } catch (error) {
      caught = error;
    } finally {
      await executor.close();
    }
    expect(TunerError.is(caught) && caught.code).toBe("ABORTED");
    expect(study.trials.map((t) => t.state)).toEqual(["running", "running"]);
    expect(executor.threads).toBe(0);
  });

  it("validates options and refuses work after close", async () => {
    for (const options of [
      { module: "relative/objective.mjs" },
      { module: new URL("https://example.com/o.mjs") },
      { module: fixture("cpu-objective.mjs"), concurrency: 0 },
      { module: fixture("cpu-objective.mjs"), timeoutMs: -1 },
      { module: fixture("cpu-objective.mjs"), exportName: "" },
      { module: fixture("cpu-objective.mjs"), execArgv: "--conditions=x" },
    ]) {
      expect(() => createWorkerPoolExecutor(options as never), JSON.stringify(options)).toThrow(TunerError);
    }
    const executor = createWorkerPoolExecutor({
      module: new URL("./__fixtures__/cpu-objective.mjs", import.meta.url),
    });
    expect(executor.concurrency).toBeGreaterThanOrEqual(1);
    expect(executor.exportName).toBe("objective");
    await executor.close();
    await executor.close();
    const study = createStudy({ space: braninSpace });
    expect((await rejection(study.optimize({ executor, trials: 1 }))).code).toBe("EXECUTOR_CLOSED");
  });
});
