import type { TrialRecord } from "@rlvr/job-record";
import { describe, expect, it } from "vitest";
import { makeRecord } from "../__fixtures__/records.js";
import {
  buildModel,
  downsample,
  intervalNote,
  safeFileStem,
  shellQuote,
  sortTrials,
  verdictOf,
} from "./model.js";

const est = (value: number, se: number) => ({
  value,
  lower: value - 2 * se,
  upper: value + 2 * se,
  standardError: se,
});

describe("verdictOf", () => {
  it("says better when the difference's interval is above zero, with the normal-approximation bounds", () => {
    const v = verdictOf(est(0.7, 0.02), est(0.5, 0.015), 0.95, "95 %");
    expect(v.kind).toBe("better");
    expect(v.difference).toBeCloseTo(0.2, 12);
    const half = 1.959963984540054 * Math.hypot(0.02, 0.015);
    expect(v.lower).toBeCloseTo(0.2 - half, 8);
    expect(v.upper).toBeCloseTo(0.2 + half, 8);
    expect(v.sentence).toBe(
      "Better than the logged behavior by +0.200 (95 % interval +0.151 to +0.249), interval excludes zero.",
    );
  });

  it("says not distinguishable when the interval includes zero, and worse below zero", () => {
    const same = verdictOf(est(0.52, 0.02), est(0.5, 0.02), 0.95, "95 %");
    expect(same.kind).toBe("indistinguishable");
    expect(same.sentence).toMatch(/^Not distinguishable from the logged behavior/);
    const worse = verdictOf(est(0.3, 0.01), est(0.5, 0.01), 0.95, "95 %");
    expect(worse.kind).toBe("worse");
    expect(worse.sentence).toMatch(/^Worse than the logged behavior by 0\.200/);
  });

  it("uses the record's paired interval of the difference when there is one", () => {
    // separately the intervals overlap a lot; paired, the shared noise cancels and zero is excluded
    const paired = { value: 0.03, lower: 0.01, upper: 0.05, standardError: 0.01 };
    const v = verdictOf(est(0.53, 0.03), est(0.5, 0.03), 0.95, "95 %", paired);
    expect(v).toMatchObject({ kind: "better", method: "paired", difference: 0.03, lower: 0.01, upper: 0.05 });
    expect(v.sentence).toBe(
      "Better than the logged behavior by +0.030 (95 % interval +0.010 to +0.050), interval excludes zero.",
    );
    const unpaired = verdictOf(est(0.53, 0.03), est(0.5, 0.03), 0.95, "95 %");
    expect(unpaired).toMatchObject({ kind: "indistinguishable", method: "independent" });
    expect(intervalNote(v, 500)).toContain("paired bootstrap interval of the difference");
    expect(intervalNote(unpaired, 500)).toContain("as if independent");
  });

  it("widens with the confidence level", () => {
    const a = verdictOf(est(0.55, 0.02), est(0.5, 0.02), 0.9, "90 %");
    const b = verdictOf(est(0.55, 0.02), est(0.5, 0.02), 0.99, "99 %");
    expect(b.upper - b.lower).toBeGreaterThan(a.upper - a.lower);
  });
});

describe("sortTrials", () => {
  const t = (
    number: number,
    state: TrialRecord["state"],
    value: number | null,
    last?: number,
  ): TrialRecord => ({
    number,
    state,
    params: {},
    seed: number,
    value,
    intermediateValues: last === undefined ? [] : [{ step: 1, value: last }],
    error: null,
  });

  it("puts complete trials first by decreasing value, then pruned, failed, running", () => {
    const sorted = sortTrials([
      t(0, "failed", null),
      t(1, "complete", 0.5),
      t(2, "pruned", null, 0.9),
      t(3, "complete", 0.7),
      t(4, "running", null),
      t(5, "pruned", null, 0.95),
      t(6, "complete", 0.7),
    ]);
    expect(sorted.map((x) => x.number)).toEqual([3, 6, 1, 5, 2, 0, 4]);
  });
});

describe("file names and commands", () => {
  it("follows the orchestrator's label sanitising", () => {
    expect(safeFileStem("demo")).toBe("demo");
    expect(safeFileStem("../../x")).toBe("%2E.%2F..%2Fx");
    expect(safeFileStem("my run/1")).toBe("my%20run%2F1");
    expect(safeFileStem("...")).toBe("%2E..");
    expect(safeFileStem("<script>")).toBe("%3Cscript%3E");
  });

  it("shell-quotes what needs it", () => {
    expect(shellQuote("demo.job.json")).toBe("demo.job.json");
    expect(shellQuote("a b's.json")).toBe("'a b'\\''s.json'");
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
  });
});

describe("buildModel", () => {
  it("lists the learned policy and the three baselines, and all step metrics", () => {
    const m = buildModel(makeRecord(), "demo.job.json");
    expect(m.policies.map((p) => p.key)).toEqual(["learned", "behavior", "uniform", "best-single"]);
    expect(m.stepSeries.map((s) => s.name)).toEqual(["reward", "KL", "entropy", "clip ratio", "grad norm"]);
    expect(m.replayCommand).toBe("rlvr-train replay demo.job.json");
    expect(m.behaviorActions.reduce((s, a) => s + a.share, 0)).toBeCloseTo(1, 12);
    expect(m.learnedActions).toBeNull();
  });

  it("takes the test split's action distribution and the paired verdict when the record has them", () => {
    const base = makeRecord();
    const ev = base.evaluation as NonNullable<typeof base.evaluation>;
    const actions = base.dataset?.actions ?? [];
    const record = {
      ...base,
      evaluation: {
        ...ev,
        differences: {
          behavior: { value: 0.2, lower: 0.15, upper: 0.25, standardError: 0.025 },
          uniform: { value: 0.2, lower: 0.15, upper: 0.25, standardError: 0.025 },
          bestSingleAction: { value: 0.1, lower: 0.02, upper: 0.18, standardError: 0.04 },
        },
        actionDistribution: actions.map((action, i) => ({
          action,
          behavior: 1 / actions.length,
          learned: i === 0 ? 0.7 : 0.3 / (actions.length - 1),
        })),
      },
    };
    const m = buildModel(record, "x.job.json");
    expect(m.learnedActions?.map((a) => a.action)).toEqual(actions);
    expect(m.learnedActions?.[0]).toEqual({ action: actions[0], share: 0.7, logged: 1 / actions.length });
    expect(m.verdict).toMatchObject({ method: "paired", difference: 0.2, lower: 0.15, upper: 0.25 });
  });

  it("explains the missing verdict of a tuning-only job", () => {
    const base = makeRecord();
    const record = {
      ...base,
      spec: { ...base.spec, mode: "tune" as const },
      training: null,
      finalConfig: null,
      evaluation: null,
      checkpoint: null,
    };
    const m = buildModel(record, "t.job.json");
    expect(m.verdict.kind).toBe("unavailable");
    expect(m.verdict.sentence).toMatch(/^No verdict: a tuning-only job \(rlvr-train tune\)/);
  });

  it("has no verdict for a cancelled job", () => {
    const m = buildModel(makeRecord({ status: "cancelled" }), "x.job.json");
    expect(m.verdict.kind).toBe("unavailable");
    expect(m.verdict.sentence).toBe(
      "No verdict: the job cancelled during tune before the evaluation on test.",
    );
    expect(m.policies).toEqual([]);
  });

  it("downsamples a long series to the limit, keeping the ends", () => {
    const m = buildModel(makeRecord({ steps: 5000 }), "x");
    const s = downsample(m.stepSeries[0]!, 300);
    expect(s.x.length).toBe(300);
    expect(s.x[0]).toBe(1);
    expect(s.x[299]).toBe(5000);
  });
});
