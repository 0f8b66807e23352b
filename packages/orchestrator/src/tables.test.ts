import { describe, expect, it } from "vitest";
import { resolveRunOptions } from "./_run-options.js";
import {
  EXECUTOR_NAMES,
  EXECUTORS,
  type ExecutorFactory,
  executorFactory,
  JOB_PRUNER_NAMES,
  JOB_SAMPLER_NAMES,
  JobSpecSchema,
  resolveJobSpec,
} from "./index.js";

const spec = (concurrency: number, trials = 4) =>
  resolveJobSpec({ datasets: ["x.jsonl"], tuner: { concurrency, trials } });

describe("tables by name", () => {
  it("the job spec accepts exactly the table's names, successive_halving spelt as records echo it", () => {
    expect(JOB_PRUNER_NAMES).toEqual(["median", "successive_halving", "none"]);
    expect(JOB_SAMPLER_NAMES).toEqual(["tpe", "random", "grid"]);
    const tuner = JobSpecSchema.properties.tuner as unknown as {
      properties: Record<string, { anyOf: { const: string }[] }>;
    };
    expect(tuner.properties.pruner?.anyOf.map((s) => s.const)).toEqual([...JOB_PRUNER_NAMES]);
    expect(tuner.properties.sampler?.anyOf.map((s) => s.const)).toEqual([...JOB_SAMPLER_NAMES]);
  });

  it("chooses the executor by concurrency, by name, or takes a factory", () => {
    const inline = EXECUTORS.inline({});
    const pool = EXECUTORS["worker-pool"]({});
    expect(resolveRunOptions(spec(1), {}).executor).toBe(inline);
    expect(resolveRunOptions(spec(2, 1), {}).executor).toBe(inline);
    expect(resolveRunOptions(spec(2), {}).executor).toBe(pool);
    expect(resolveRunOptions(spec(2), { executor: "inline" }).executor).toBe(inline);
    const queue: ExecutorFactory = { name: "queue", local: false, create: () => inline.create({} as never) };
    expect(resolveRunOptions(spec(2), { executor: queue }).executor).toBe(queue);
    expect(() => resolveRunOptions(spec(1), { executor: "ray" })).toThrow(
      /unknown executor "ray" \(expected one of inline, worker-pool, bullmq\)/,
    );
  });

  it("makes the bullmq executor only with a Redis URL, and without connecting", () => {
    expect(EXECUTOR_NAMES).toEqual(["inline", "worker-pool", "bullmq"]);
    expect(() => executorFactory("bullmq")).toThrow(/needs the Redis URL/);
    const queue = executorFactory("bullmq", { redis: "redis://127.0.0.1:1" });
    expect(queue).toMatchObject({ name: "bullmq", local: false });
  });
});
