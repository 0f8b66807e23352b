import { describe, expect, it } from "vitest";
import { branin, braninSpace } from "./__fixtures__/functions.js";
import { codeOf, rejection } from "./__fixtures__/trials.js";
import { TunerError } from "./errors.js";
import { createInlineExecutor } from "./inline-executor.js";
import { createMedianPruner } from "./median-pruner.js";
import { createNopPruner, type Pruner, type PrunerContext } from "./pruner.js";
import { createRandomSampler } from "./random-sampler.js";
import type { Sampler, SamplerContext } from "./sampler.js";
import { createMemoryStorage } from "./storage.js";
import { createStudy, loadStudy } from "./study.js";
import type { TuningResult } from "./study-types.js";
import { createTpeSampler } from "./tpe-sampler.js";
import type { FrozenTrial } from "./trial.js";

/** The result without its volatile members. */
function stable(result: TuningResult): unknown {
  return {
    ...result,
    trials: result.trials.map(({ durationMs: _d, ...t }) => t),
    bestTrial: result.bestTrial && { ...result.bestTrial, durationMs: undefined },
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ask / tell", () => {
  it("numbers trials, derives their seeds from the study seed and records results", () => {
    const study = createStudy({ space: braninSpace, seed: 11 });
    const t0 = study.ask();
    const t1 = study.ask();
    expect([t0.number, t1.number]).toEqual([0, 1]);
    expect(t0.seed).not.toBe(t1.seed);
    expect(Object.keys(t0.params)).toEqual(["x1", "x2"]);
    const again = createStudy({ space: braninSpace, seed: 11 }).ask();
    expect(again.seed).toBe(t0.seed);
    expect(again.params).toEqual(t0.params);
    const f0 = study.tell(t0, 3);
    expect(f0).toMatchObject({ number: 0, state: "complete", value: 3, attempts: 1 });
    expect(f0.durationMs).toBeGreaterThanOrEqual(0);
    study.tell(1, { state: "complete", value: 2 });
    expect(study.bestTrial?.number).toBe(1);
    expect(study.trials.map((t) => t.state)).toEqual(["complete", "complete"]);
  });

  it("records non-finite values and explicit failures as failed, and pruned trials", () => {
    const study = createStudy({ space: braninSpace, pendingWindow: 5 });
    const a = study.tell(study.ask(), Number.NaN);
    expect(a.state).toBe("failed");
    expect(a.error?.code).toBe("INVALID_VALUE");
    const b = study.tell(study.ask(), { state: "failed", error: new RangeError("boom") });
    expect(b.error).toEqual({ name: "RangeError", message: "boom" });
    const t = study.ask();
    t.report(0, 5);
    const c = study.tell(t, { state: "pruned" });
    expect(c).toMatchObject({ state: "pruned", intermediateValues: [{ step: 0, value: 5 }] });
    expect(c.value).toBeUndefined();
    expect(study.bestTrial).toBeUndefined();
  });

  it("rejects telling twice, unknown trials and bad results", () => {
    const study = createStudy({ space: braninSpace });
    const t = study.ask();
    study.tell(t, 1);
    expect(codeOf(() => study.tell(t, 1))).toBe("TRIAL_FINISHED");
    expect(codeOf(() => study.tell(5, 1))).toBe("TRIAL_NOT_FOUND");
    expect(codeOf(() => study.tell(study.ask(), { state: "done" } as never))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => t.report(1, 1))).toBe("TRIAL_FINISHED");
  });

  it("picks the best by direction, the lowest number among ties", () => {
    const study = createStudy({ space: braninSpace, direction: "maximize", pendingWindow: 10 });
    for (const v of [1, 5, 3, 5]) study.tell(study.ask(), v);
    expect(study.bestTrial?.number).toBe(1);
    expect(study.result().counts).toEqual({ complete: 4, pruned: 0, failed: 0, running: 0 });
  });

  it("blocks ask() until the trials it must see have finished (pendingWindow)", () => {
    const study = createStudy({ space: braninSpace, pendingWindow: 1 });
    const t0 = study.ask();
    study.ask();
    expect(study.canAsk()).toBe(false);
    expect(codeOf(() => study.ask())).toBe("ASK_BLOCKED");
    study.tell(t0, 1);
    expect(study.canAsk()).toBe(true);
    expect(study.ask().number).toBe(2);
  });

  it("gives the sampler exactly the trials the design makes visible", () => {
    const seen: { number: number; history: number[]; pending: number[] }[] = [];
    const inner = createRandomSampler();
    const sampler: Sampler = {
      description: { kind: "custom:recording", options: {} },
      sample(ctx: SamplerContext) {
        seen.push({
          number: ctx.number,
          history: ctx.history.map((t) => t.number),
          pending: ctx.pending.map((t) => t.number),
        });
        return inner.sample(ctx);
      },
    };
    const study = createStudy({ space: braninSpace, sampler, pendingWindow: 2 });
    for (let i = 0; i < 5; i++) study.tell(study.ask(), i);
    expect(seen).toEqual([
      { number: 0, history: [], pending: [] },
      { number: 1, history: [], pending: [0] },
      { number: 2, history: [], pending: [0, 1] },
      { number: 3, history: [0], pending: [1, 2] },
      { number: 4, history: [0, 1], pending: [2, 3] },
    ]);
  });

  it("rejects a sampler that returns values outside the space", () => {
    const sampler: Sampler = {
      description: { kind: "custom:bad", options: {} },
      sample: () => ({ x1: 99, x2: 1 }),
    };
    expect(codeOf(() => createStudy({ space: braninSpace, sampler }).ask())).toBe("INVALID_ARGUMENT");
  });

  it("validates its options", () => {
    const bad = [
      { space: braninSpace, direction: "up" },
      { space: braninSpace, seed: -1 },
      { space: braninSpace, seed: 1.5 },
      { space: braninSpace, pendingWindow: -1 },
      { space: braninSpace, sampler: {} },
      { space: braninSpace, pruner: { prune: 1 } },
      { space: braninSpace, onInterrupted: "ignore" },
      { space: braninSpace, maxRetries: -1 },
    ];
    for (const options of bad)
      expect(
        codeOf(() => createStudy(options as never)),
        JSON.stringify(options),
      ).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => createStudy({ space: { x: { type: "int", low: 2, high: 1 } } }))).toBe(
      "INVALID_SEARCH_SPACE",
    );
  });
});

describe("report / shouldPrune / prune", () => {
  it("validates reports", () => {
    const study = createStudy({ space: braninSpace });
    const t = study.ask();
    t.report(0, 1);
    expect(codeOf(() => t.report(0, 2))).toBe("INVALID_REPORT");
    expect(codeOf(() => t.report(-1, 2))).toBe("INVALID_REPORT");
    expect(codeOf(() => t.report(1.5, 2))).toBe("INVALID_REPORT");
    expect(codeOf(() => t.report(2, Number.POSITIVE_INFINITY))).toBe("INVALID_REPORT");
    t.report(5, 0.5);
    expect(study.trials[0]?.intermediateValues).toEqual([
      { step: 0, value: 1 },
      { step: 5, value: 0.5 },
    ]);
    expect(codeOf(() => t.prune())).toBe("TRIAL_PRUNED");
  });

  it("asks the pruner with the trial's values and its visible history", () => {
    const calls: { number: number; values: number[]; history: number[] }[] = [];
    const pruner: Pruner = {
      description: { kind: "custom:recording", options: {} },
      prune(ctx: PrunerContext) {
        calls.push({
          number: ctx.number,
          values: ctx.intermediateValues.map((v) => v.value),
          history: ctx.history.map((t) => t.number),
        });
        return ctx.intermediateValues.length >= 2;
      },
    };
    const study = createStudy({ space: braninSpace, pruner, pendingWindow: 1 });
    study.tell(study.ask(), 1);
    const t1 = study.ask();
    const t2 = study.ask();
    expect(t2.shouldPrune()).toBe(false); // nothing reported: the pruner is not asked
    t2.report(0, 4);
    expect(t2.shouldPrune()).toBe(false);
    // Trial 1 finishing does not change what trial 2 sees.
    study.tell(t1, 0);
    t2.report(1, 3);
    expect(t2.shouldPrune()).toBe(true);
    expect(calls).toEqual([
      { number: 2, values: [4], history: [0] },
      { number: 2, values: [4, 3], history: [0] },
    ]);
  });
});

describe("optimize", () => {
  const objective = async (p: { x1: number; x2: number }, trial: { seed: number }) => {
    // Finish out of order: the delay depends on the trial seed.
    await delay(trial.seed % 7);
    return branin(p);
  };

  it("gives the same trials and best at every concurrency (completion order does not matter)", async () => {
    const run = (concurrency: number) =>
      createStudy({
        space: braninSpace,
        seed: 5,
        sampler: createTpeSampler({ nStartupTrials: 4 }),
        pendingWindow: 3,
      }).optimize(objective, { trials: 24, concurrency });
    const r1 = await run(1);
    const r3 = await run(3);
    const r8 = await run(8);
    expect(stable(r3)).toEqual(stable(r1));
    expect(stable(r8)).toEqual(stable(r1));
    expect(r1.trials).toHaveLength(24);
    expect(r1.bestTrial).toBeDefined();
  });

  it("records throwing, NaN-returning and pruned objectives and carries on", async () => {
    const study = createStudy({ space: braninSpace, pendingWindow: 0, pruner: createNopPruner() });
    const result = await study.optimize(
      (p, trial) => {
        if (trial.number === 0) throw new TypeError("broken");
        if (trial.number === 1) return Number.NaN;
        if (trial.number === 2) {
          trial.report(0, 1);
          trial.prune();
        }
        return branin(p);
      },
      { trials: 4 },
    );
    expect(result.trials.map((t) => t.state)).toEqual(["failed", "failed", "pruned", "complete"]);
    expect(result.trials[0]?.error).toEqual({ name: "TypeError", message: "broken" });
    expect(result.trials[1]?.error?.code).toBe("INVALID_VALUE");
    expect(result.trials[2]?.intermediateValues).toEqual([{ step: 0, value: 1 }]);
    expect(result.bestTrial?.number).toBe(3);
  });

  it("counts trials in total across calls and calls onTrialFinished", async () => {
    const study = createStudy({ space: braninSpace });
    const finished: number[] = [];
    await study.optimize((p) => branin(p), {
      trials: 3,
      onTrialFinished: (t: FrozenTrial) => finished.push(t.number),
    });
    const result = await study.optimize((p) => branin(p), { trials: 5 });
    expect(result.trials).toHaveLength(5);
    expect(finished).toEqual([0, 1, 2]);
    expect((await study.optimize((p) => branin(p), { trials: 2 })).trials).toHaveLength(5);
  });

  it("stops starting trials after timeoutMs", async () => {
    const study = createStudy({ space: braninSpace });
    const result = await study.optimize(
      async (p) => {
        await delay(20);
        return branin(p);
      },
      { timeoutMs: 0 },
    );
    expect(result.trials).toHaveLength(0);
  });

  it("fails a trial that exceeds the inline executor's time limit", async () => {
    const study = createStudy({ space: braninSpace, pendingWindow: 0 });
    const result = await study.optimize(
      async (p, trial) => {
        if (trial.number === 0) {
          await new Promise((resolve) => trial.signal.addEventListener("abort", resolve));
          return 0;
        }
        return branin(p);
      },
      { trials: 2, executor: createInlineExecutor({ timeoutMs: 30 }) },
    );
    expect(result.trials[0]?.state).toBe("failed");
    expect(result.trials[0]?.error?.code).toBe("TRIAL_TIMEOUT");
    expect(result.trials[1]?.state).toBe("complete");
  });

  it("aborts with ABORTED, leaves running trials interrupted and retries them on the next run", async () => {
    const controller = new AbortController();
    const study = createStudy({ space: braninSpace, seed: 9, pendingWindow: 3 });
    const started: number[] = [];
    const err = await rejection(
      study.optimize(
        async (p, trial) => {
          started.push(trial.number);
          if (trial.number === 5) controller.abort(new Error("user stop"));
          await delay(5);
          return branin(p);
        },
        { trials: 10, concurrency: 2, signal: controller.signal },
      ),
    );
    expect(err.code).toBe("ABORTED");
    expect((err.cause as Error).message).toBe("user stop");
    const interrupted = study.trials.filter((t) => t.state === "running").map((t) => t.number);
    expect(interrupted.length).toBeGreaterThan(0);
    const paramsBefore = interrupted.map((n) => study.trials[n]?.params);
    const result = await study.optimize((p) => branin(p), { trials: 10 });
    expect(result.counts).toEqual({ complete: 10, pruned: 0, failed: 0, running: 0 });
    expect(interrupted.map((n) => result.trials[n]?.params)).toEqual(paramsBefore);
    expect(interrupted.map((n) => result.trials[n]?.attempts)).toEqual(interrupted.map(() => 2));
    // The same study run without interruption gives the same parameters and values.
    const clean = await createStudy({ space: braninSpace, seed: 9, pendingWindow: 3 }).optimize(
      (p) => branin(p),
      {
        trials: 10,
      },
    );
    expect(result.trials.map((t) => [t.params, t.value])).toEqual(
      clean.trials.map((t) => [t.params, t.value]),
    );
  });

  it("refuses reports from an interrupted attempt that kept running", async () => {
    const controller = new AbortController();
    const study = createStudy({ space: braninSpace, pendingWindow: 0 });
    let late: unknown;
    let release: () => void = () => {};
    const stale = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = study.optimize(
      async (_p, trial) => {
        trial.report(0, 1);
        controller.abort();
        await stale; // ignores its signal and reports after the abort
        try {
          trial.report(1, 2);
        } catch (error) {
          late = error;
        }
        return 0;
      },
      { trials: 1, signal: controller.signal },
    );
    expect((await rejection(first)).code).toBe("ABORTED");
    const retried = study.ask();
    expect(retried.number).toBe(0);
    release();
    await delay(5);
    expect(TunerError.is(late) && late.code).toBe("TRIAL_FINISHED");
    expect(study.trials[0]?.intermediateValues).toEqual([]);
    retried.report(0, 5);
    expect(study.tell(retried, 5).intermediateValues).toEqual([{ step: 0, value: 5 }]);
  });

  it("rejects bad options and an optimize without an end", async () => {
    const study = createStudy({ space: braninSpace });
    expect((await rejection(study.optimize((p) => branin(p), {}))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(study.optimize((p) => branin(p), { trials: -1 }))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(study.optimize((p) => branin(p), { trials: 1, concurrency: 0 }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect((await rejection(study.optimize({ trials: 1 }))).code).toBe("INVALID_ARGUMENT");
  });

  it("reports ASK_BLOCKED when a trial asked by hand blocks the study", async () => {
    const study = createStudy({ space: braninSpace, pendingWindow: 0 });
    study.ask();
    expect((await rejection(study.optimize((p) => branin(p), { trials: 3 }))).code).toBe("ASK_BLOCKED");
  });

  it("propagates an error thrown by onTrialFinished", async () => {
    const study = createStudy({ space: braninSpace });
    await expect(
      study.optimize((p) => branin(p), {
        trials: 3,
        onTrialFinished: () => {
          throw new Error("callback failed");
        },
      }),
    ).rejects.toThrow("callback failed");
  });
});

describe("storage and loading", () => {
  it("refuses to overwrite a stored study and resumes one with the same configuration", async () => {
    const storage = createMemoryStorage();
    const study = createStudy({ space: braninSpace, seed: 1, storage });
    await study.optimize((p) => branin(p), { trials: 3 });
    expect(codeOf(() => createStudy({ space: braninSpace, seed: 1, storage }))).toBe("STUDY_EXISTS");
    expect(codeOf(() => createStudy({ space: braninSpace, seed: 2, storage, loadIfExists: true }))).toBe(
      "STUDY_MISMATCH",
    );
    expect(
      codeOf(() =>
        createStudy({
          space: braninSpace,
          seed: 1,
          storage,
          loadIfExists: true,
          sampler: createRandomSampler(),
        }),
      ),
    ).toBe("STUDY_MISMATCH");
    const resumed = createStudy({ space: braninSpace, seed: 1, storage, loadIfExists: true });
    expect(resumed.trials).toEqual(study.trials);
  });

  it("rebuilds built-in components on load and requires custom ones", () => {
    const storage = createMemoryStorage();
    createStudy({ space: braninSpace, storage, pruner: createMedianPruner({ nWarmupSteps: 3 }) });
    const loaded = loadStudy({ storage });
    expect(loaded.pruner.description.options).toMatchObject({ nWarmupSteps: 3 });
    expect(loaded.sampler.description.kind).toBe("tpe");
    const custom = createMemoryStorage();
    const sampler: Sampler = {
      description: { kind: "custom:x", options: {} },
      sample: (c) => createRandomSampler().sample(c),
    };
    createStudy({ space: braninSpace, storage: custom, sampler });
    expect(codeOf(() => loadStudy({ storage: custom }))).toBe("STUDY_MISMATCH");
    expect(loadStudy({ storage: custom, sampler }).sampler).toBe(sampler);
    expect(codeOf(() => loadStudy({ storage: createMemoryStorage() }))).toBe("STUDY_NOT_FOUND");
  });

  it("loads journals written before a TPE option existed with the value they used then", () => {
    const storage = createMemoryStorage();
    const study = createStudy({ space: braninSpace, seed: 2, storage });
    study.tell(study.ask(), 1);
    const [header, ...rest] = storage.events;
    // A header as the tuner wrote it before `bandwidthFactor`, `shrinkGoodBandwidth`, `pendingWeight`
    // and `startupCountsPending` existed.
    const legacy = JSON.parse(JSON.stringify(header));
    delete legacy.sampler.options.bandwidthFactor;
    delete legacy.sampler.options.shrinkGoodBandwidth;
    delete legacy.sampler.options.pendingWeight;
    delete legacy.sampler.options.startupCountsPending;
    const old = createMemoryStorage();
    for (const event of [legacy, ...rest]) old.append(event, false);
    const loaded = loadStudy({ storage: old });
    expect(loaded.sampler.description.options).toMatchObject({
      bandwidthFactor: 0.2,
      shrinkGoodBandwidth: false,
      pendingWeight: 1,
      startupCountsPending: false,
    });
    expect(loaded.trials).toEqual(study.trials);
    // Today's defaults are not what that study used.
    expect(codeOf(() => createStudy({ space: braninSpace, seed: 2, storage: old, loadIfExists: true }))).toBe(
      "STUDY_MISMATCH",
    );
  });

  it("resolves trials that were running when the process stopped", () => {
    const storage = createMemoryStorage();
    const study = createStudy({ space: braninSpace, storage, pendingWindow: 3 });
    study.tell(study.ask(), 1);
    const t1 = study.ask();
    t1.report(0, 9);
    // Simulated crash: trial 1 never told.
    const copy = createMemoryStorage();
    for (const event of storage.events) copy.append(event, false);
    const retried = loadStudy({ storage });
    expect(retried.trials[1]?.state).toBe("running");
    const again = retried.ask();
    expect(again.number).toBe(1);
    expect(again.params).toEqual(t1.params);
    expect(retried.trials[1]?.intermediateValues).toEqual([]);
    expect(retried.trials[1]?.attempts).toBe(2);
    const failed = loadStudy({ storage: copy, onInterrupted: "fail" });
    expect(failed.trials[1]?.state).toBe("failed");
    expect(failed.trials[1]?.error?.code).toBe("TRIAL_INTERRUPTED");
    expect(failed.trials[1]?.intermediateValues).toEqual([{ step: 0, value: 9 }]);
  });

  it("fails a trial interrupted more than maxRetries times", () => {
    const storage = createMemoryStorage();
    const study = createStudy({ space: braninSpace, storage, maxRetries: 1 });
    study.ask();
    loadStudy({ storage, maxRetries: 1 }).ask(); // attempt 2, interrupted again
    const third = loadStudy({ storage, maxRetries: 1 });
    expect(third.trials[0]?.state).toBe("failed");
    expect(third.trials[0]?.attempts).toBe(2);
  });

  it("produces a JSON-safe result with importance", async () => {
    const result = await createStudy({ space: braninSpace, seed: 4 }).optimize((p) => branin(p), {
      trials: 30,
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.importance.map((i) => i.name).sort()).toEqual(["x1", "x2"]);
    expect(result.importance.reduce((a, i) => a + i.importance, 0)).toBeCloseTo(1, 12);
    expect(result.sampler.kind).toBe("tpe");
    expect(result.space).toEqual(braninSpace.spec);
  });
});
