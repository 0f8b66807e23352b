// Benchmarks of @rlvr/tuner-bullmq (run after the build: `pnpm --filter @rlvr/tuner-bullmq run bench`).
// 1. Per-trial overhead of the queue against the inline executor (trials one at a time: the latency a
//    trial pays for the round trip through Redis), without and with four report + shouldPrune calls.
// 2. Tune speed-up with 2 worker processes against 1 on a CPU-bound objective, same run.
// A private redis-server on a free loopback port; skipped (and said so) when redis-server is missing.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createNopPruner,
  createRandomSampler,
  createStudy,
  createWorkerPoolExecutor,
  defineSearchSpace,
} from "@rlvr/tuner";
import { writeBenchSection } from "../../../scripts/bench-report.mjs";
import { createBullmqExecutor } from "../dist/index.js";
import { CPU_ITERATIONS, runners } from "./objectives.mjs";

const space = defineSearchSpace({ x: { type: "float", low: 0, high: 1 } });
const fmt = (x, d = 2) => x.toFixed(d);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (spawnSync("redis-server", ["--version"]).status !== 0) {
  writeBenchSection(
    "tuner-bullmq",
    "@rlvr/tuner-bullmq: trials through Redis",
    "Skipped: `redis-server` is not installed (Debian: `apt-get install redis-server`).",
  );
  process.exit(0);
}

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), "rlvr-bench-redis-"));
const redisProc = spawn(
  "redis-server",
  ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
  {
    stdio: "ignore",
  },
);
for (let i = 0; ; i++) {
  const up = await new Promise((resolve) => {
    const sock = new Socket();
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.connect(port, "127.0.0.1");
  });
  if (up) break;
  if (i > 200) throw new Error("redis-server did not start");
  await new Promise((r) => setTimeout(r, 50));
}
const url = `redis://127.0.0.1:${port}`;
const workers = [];
async function startWorker(queue) {
  const proc = spawn(
    process.execPath,
    [fileURLToPath(new URL("./worker.mjs", import.meta.url)), url, queue],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise((resolve) => proc.stdout.once("data", resolve));
  workers.push(proc);
  return proc;
}

/** Wall time (ms) of `trials` trials of a study, with `how` (an executor, or an inline objective). */
async function timeStudy(trials, how, pendingWindow = 0) {
  const study = createStudy({
    space,
    seed: 3,
    sampler: createRandomSampler(),
    pruner: createNopPruner(),
    pendingWindow,
  });
  const start = performance.now();
  const result =
    "executor" in how
      ? await study.optimize({ executor: how.executor, trials, concurrency: pendingWindow + 1 })
      : await study.optimize(how.objective, { trials, concurrency: pendingWindow + 1 });
  const ms = performance.now() - start;
  if (result.counts.complete !== trials) {
    const failed = result.trials.filter((t) => t.state !== "complete");
    throw new Error(`only ${result.counts.complete} trials completed: ${JSON.stringify(failed)}`);
  }
  return ms;
}

const load = loadavg()[0];
try {
  // ---- 1. overhead per trial, one trial at a time, 1 worker process
  await startWorker("overhead");
  const TRIALS = 200;
  const REPS = 5;
  const rows = [];
  for (const runner of ["noop", "reports"]) {
    const inline = [];
    const queued = [];
    for (let rep = 0; rep < REPS; rep++) {
      inline.push(
        (await timeStudy(TRIALS, { objective: (params, trial) => runners[runner](params, trial) })) / TRIALS,
      );
      const executor = await createBullmqExecutor({
        redis: url,
        queue: "overhead",
        runId: `o-${runner}-${rep}`,
        runner,
        concurrency: 1,
      });
      queued.push((await timeStudy(TRIALS, { executor })) / TRIALS);
      await executor.purge();
      await executor.close();
    }
    rows.push({ runner, inline: median(inline), queued: median(queued) });
  }

  // ---- 2. speed-up with 2 worker processes against 1 (CPU-bound objective)
  const SPEED_TRIALS = 16;
  const timeWith = async (queue, runId) => {
    const executor = await createBullmqExecutor({
      redis: url,
      queue,
      runId,
      runner: "cpu",
      concurrency: 8,
    });
    try {
      return await timeStudy(SPEED_TRIALS, { executor }, 7);
    } finally {
      await executor.purge();
      await executor.close();
    }
  };
  await startWorker("one");
  await startWorker("two");
  await startWorker("two");
  // What this machine gives two parallel workers at all: the tuner's worker threads, 2 against 1.
  const threads = async (concurrency) => {
    const executor = createWorkerPoolExecutor({
      module: new URL("./objectives.mjs", import.meta.url),
      exportName: "cpu",
      concurrency,
    });
    try {
      return await timeStudy(SPEED_TRIALS, { executor }, 7);
    } finally {
      await executor.close();
    }
  };
  // Interleaved, 3 rounds each, so that a change of the machine's load affects all alike.
  const [one, two, oneThread, twoThreads] = [[], [], [], []];
  for (let round = 0; round < 3; round++) {
    one.push(await timeWith("one", `one-${round}`));
    two.push(await timeWith("two", `two-${round}`));
    oneThread.push(await threads(1));
    twoThreads.push(await threads(2));
  }
  const [t1, t2, p1, p2] = [one, two, oneThread, twoThreads].map(median);
  const table = [
    `Load average (1 min) when the run started: ${fmt(load)} (the machine's other work competes for its cores, so the`,
    "speed-up is only meaningful when the load is below the core count).",
    "",
    "### Per-trial overhead of the queue (one trial at a time, 1 worker process, loopback Redis)",
    "",
    `Median over ${REPS} studies of ${TRIALS} trials each (random sampler, no pruner): wall time per trial.`,
    "The difference is what a trial pays for going through Redis (enqueue, a worker taking it, the",
    "result event) and, for the second row, four synchronous `report` + `shouldPrune` round trips.",
    "",
    "| objective | inline (ms/trial) | BullMQ (ms/trial) | overhead (ms/trial) |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.runner === "noop" ? "returns at once" : "4 × report + shouldPrune"} | ${fmt(r.inline, 3)} | ${fmt(r.queued)} | ${fmt(r.queued - r.inline)} |`,
    ),
    "",
    `### Tune speed-up: 2 worker processes against 1 (CPU-bound objective, ${SPEED_TRIALS} trials, pending window 7)`,
    "",
    `Each trial: ${CPU_ITERATIONS.toLocaleString("en-US")} square roots (one core). Median of 3 interleaved rounds. The`,
    "tuner's worker threads on the same objective, same run, show what the machine gives two parallel",
    "workers at all.",
    "",
    "| executor | 1 worker (s) | 2 workers (s) | speed-up |",
    "| --- | ---: | ---: | ---: |",
    `| BullMQ, worker processes | ${fmt(t1 / 1000)} | ${fmt(t2 / 1000)} | ${fmt(t1 / t2)} |`,
    `| worker threads (baseline) | ${fmt(p1 / 1000)} | ${fmt(p2 / 1000)} | ${fmt(p1 / p2)} |`,
  ].join("\n");
  process.stdout.write(`${table}\n`);
  writeBenchSection("tuner-bullmq", "@rlvr/tuner-bullmq: trials through Redis", table);
} finally {
  for (const w of workers) w.kill("SIGKILL");
  redisProc.kill("SIGTERM");
  await new Promise((r) => redisProc.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
