import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestRedis } from "./__fixtures__/redis.js";
import { inlineBranin, runStudy, spawnWorker, stable, type WorkerProcess } from "./__fixtures__/workers.js";
import { createBullmqExecutor } from "./executor.js";

let redis: TestRedis;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await redis?.stop();
});

describe("createBullmqExecutor", () => {
  it("gives the inline study's trials with 1, 2 and 3 worker processes (pruning)", async () => {
    const trials = 12;
    const inline = await runStudy(trials, { objective: inlineBranin() });
    expect(inline.counts.pruned).toBeGreaterThan(0);
    const queue = "same-as-inline";
    for (const count of [1, 2, 3]) {
      workers.push(await spawnWorker({ redis: redis.url, queue }));
      expect(workers).toHaveLength(count);
      const executor = await createBullmqExecutor({ redis: redis.url, queue, runId: `n${count}`, runner: "branin" });
      try {
        const result = await runStudy(trials, { executor });
        expect(stable(result)).toEqual(stable(inline));
      } finally {
        await executor.close();
      }
    }
  });
});
