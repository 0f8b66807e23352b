import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createJournalStorage, type TuningResult } from "@rlvr/tuner";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startRedis, type TestRedis, TLS_CERT } from "./__fixtures__/redis.js";
import {
  inlineBranin,
  referenceStudy,
  runStudy,
  spawnWorker,
  stable,
  type WorkerProcess,
} from "./__fixtures__/workers.js";
import { encodeStructured, openBlobStore } from "./blob-store.js";
import { TunerBullmqError } from "./errors.js";
import { createBullmqExecutor } from "./executor.js";
import { createQueueWorker } from "./worker.js";

const TRIALS = 12;
let redis: TestRedis;
let outage: TestRedis;
let secure: TestRedis;
const tls = { ca: readFileSync(TLS_CERT, "utf8") };
let inline: TuningResult;
const procs: Record<string, WorkerProcess> = {};

// Six worker processes, started together (each takes seconds to load from sources): A serves queues
// q1-q3, B q2-q3, C q3, so q1 has one process, q2 two and q3 three. D and E serve the SIGKILL test's
// queue with a short lock; F serves a second Redis that the outage tests stop; G a TLS-only Redis with a
// password.
beforeAll(async () => {
  [redis, outage, secure] = await Promise.all([
    startRedis(),
    startRedis(),
    startRedis({ tls: true, password: "tls pass" }),
  ]);
  const fast = { lockDurationMs: 1000, stalledIntervalMs: 300 };
  const started = await Promise.all([
    spawnWorker({ redis: redis.url, queues: ["q1", "q2", "q3"] }),
    spawnWorker({ redis: redis.url, queues: ["q2", "q3"] }),
    spawnWorker({ redis: redis.url, queues: ["q3"] }),
    spawnWorker({ redis: redis.url, queue: "kill", ...fast }),
    spawnWorker({ redis: redis.url, queue: "kill", ...fast }),
    spawnWorker({ redis: outage.url, queue: "outage", unreachableTimeoutMs: 5000 }),
    spawnWorker({ redis: secure.url, tls }),
  ]);
  ["A", "B", "C", "D", "E", "F", "G"].forEach((name, i) => {
    procs[name] = started[i] as WorkerProcess;
  });
  inline = await runStudy(TRIALS, { objective: inlineBranin() });
}, 240_000);
afterAll(async () => {
  await Promise.all(Object.values(procs).map((w) => w.stop("SIGKILL")));
  await Promise.all([redis?.stop(), outage?.stop(), secure?.stop()]);
});

async function queued(queue: string, runId: string, extra: { input?: { delayMs?: number } } = {}) {
  return createBullmqExecutor({ redis: redis.url, queue, runId, runner: "branin", ...extra });
}

describe("createBullmqExecutor", () => {
  it("gives the inline study's trials with 1, 2 and 3 worker processes (TPE, median pruning)", async () => {
    expect(inline.counts.pruned).toBeGreaterThan(0);
    expect(inline.counts.complete).toBeGreaterThan(0);
    for (const queue of ["q1", "q2", "q3"]) {
      const executor = await queued(queue, `same-${queue}`);
      try {
        expect(stable(await runStudy(TRIALS, { executor }))).toEqual(stable(inline));
      } finally {
        await executor.close();
      }
    }
    // Every process of q3 ran trials of it.
    for (const name of ["A", "B", "C"]) {
      expect(procs[name]?.events.some((e) => e["type"] === "finished" && e["queue"] === "q3")).toBe(true);
    }
  });

  it("ships the run's data through the blob store", async () => {
    const blobs = await openBlobStore({ redis: redis.url, chunkBytes: 3 });
    const offsetBlob = await blobs.put(encodeStructured(new Float64Array([2.5])));
    await blobs.close();
    const executor = await createBullmqExecutor({
      redis: redis.url,
      queue: "q2",
      runId: "blob",
      runner: "branin",
      input: { offsetBlob },
    });
    try {
      const viaQueue = await runStudy(8, { executor });
      const direct = await runStudy(8, { objective: inlineBranin({ offset: 2.5 }) });
      expect(stable(viaQueue)).toEqual(stable(direct));
    } finally {
      await executor.close();
    }
  });

  it("re-runs the trial of a worker killed mid-trial elsewhere, counted once: the same result", async () => {
    const executor = await queued("kill", "kill", { input: { delayMs: 120 } });
    const pair = [procs["D"] as WorkerProcess, procs["E"] as WorkerProcess];
    try {
      const running = runStudy(TRIALS, { executor });
      running.catch(() => {});
      // Whichever of the two starts trial 3 or later first is killed, after its first report or so.
      const startedLate = (ev: Record<string, unknown>) =>
        ev["type"] === "started" && (ev["trial"] as number) >= 3;
      const first = pair.map((w, i) =>
        w.waitFor(startedLate).then((ev) => [w, pair[1 - i] as WorkerProcess, ev] as const),
      );
      for (const p of first) p.catch(() => {}); // the other one may never match
      const [killed, survivor, started] = await Promise.race(first);
      await new Promise((r) => setTimeout(r, 200));
      expect(await killed.stop("SIGKILL")).toBe("SIGKILL");
      const result = await running;
      expect(stable(result)).toEqual(stable(inline));
      const victim = started["trial"] as number;
      expect(survivor.events.some((ev) => ev["type"] === "finished" && ev["trial"] === victim)).toBe(true);
      expect(killed.events.some((ev) => ev["type"] === "finished" && ev["trial"] === victim)).toBe(false);
      expect(result.trials[victim]?.attempts).toBe(1);
    } finally {
      await executor.close();
    }
  });

  it("refuses malformed and foreign jobs with a reason, and the worker keeps serving", async () => {
    const connection = { url: redis.url };
    const queue = new Queue("q1", { connection, prefix: "rlvr" });
    const events = new QueueEvents("q1", { connection, prefix: "rlvr" });
    await events.waitUntilReady();
    const task = { number: 0, seed: 1, params: { x1: 1, x2: 2 } };
    const bad: Array<[unknown, RegExp]> = [
      [{}, /\[INVALID_PAYLOAD\] .*must have required property/],
      ["a string", /\[INVALID_PAYLOAD\]/],
      [
        { v: 2, kind: "rlvr-trial", runId: "x", runner: "branin", input: null, task },
        /\[INVALID_PAYLOAD\] .*\/v/,
      ],
      [
        { v: 1, kind: "rlvr-trial", runId: "x", runner: "branin", input: null, task: { ...task, seed: -1 } },
        /\[INVALID_PAYLOAD\] .*\/task\/seed/,
      ],
      [
        { v: 1, kind: "rlvr-trial", runId: "x", runner: "../evil.js", input: null, task },
        /\[UNKNOWN_RUNNER\] .*no trial runner named "\.\.\/evil\.js"/,
      ],
      [
        { v: 1, kind: "rlvr-trial", runId: "x", runner: "branin", input: null, task, code: "process.exit()" },
        /unknown member/,
      ],
    ];
    try {
      for (const [data, reason] of bad) {
        const job = await queue.add("trial", data);
        await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(reason);
      }
    } finally {
      await Promise.all([queue.close(), events.close()]);
    }
    const executor = await queued("q1", "after-bad");
    try {
      expect(stable(await runStudy(6, { executor }))).toEqual(
        stable(await runStudy(6, { objective: inlineBranin() })),
      );
    } finally {
      await executor.close();
    }
    expect(procs["A"]?.proc.exitCode).toBeNull();
  });

  it("stops the study with UNKNOWN_RUNNER when the workers lack its runner", async () => {
    const executor = await createBullmqExecutor({
      redis: redis.url,
      queue: "q1",
      runId: "nope",
      runner: "nope",
    });
    try {
      await expect(runStudy(2, { executor })).rejects.toMatchObject({
        name: "TunerBullmqError",
        code: "UNKNOWN_RUNNER",
        message: expect.stringContaining('no trial runner named "nope"'),
      });
    } finally {
      await executor.close();
    }
  });

  it("reattaches to a run after the job process stopped and ends where an uninterrupted run ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rlvr-bullmq-resume-"));
    const journal = join(dir, "study.jsonl");
    const withJournal = () => referenceStudy({ storage: createJournalStorage(journal), loadIfExists: true });
    try {
      const first = await queued("q2", "resume");
      const controller = new AbortController();
      let seen = 0;
      await expect(
        withJournal().optimize({
          trials: TRIALS,
          executor: first,
          signal: controller.signal,
          onTrialFinished: () => {
            if (++seen === 5) controller.abort();
          },
        }),
      ).rejects.toMatchObject({ code: "ABORTED" });
      await first.close();
      const second = await queued("q2", "resume");
      try {
        const resumed = await withJournal().optimize({ trials: TRIALS, executor: second });
        const noAttempts = (r: TuningResult) =>
          (stable(r) as { trials: Array<Record<string, unknown>> }).trials.map(({ attempts: _a, ...t }) => t);
        expect(noAttempts(resumed)).toEqual(noAttempts(inline));
        expect(resumed.bestTrial?.number).toBe(inline.bestTrial?.number);
      } finally {
        await second.purge();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes back the trials of a worker stopped with SIGTERM (handed back): the same result", async () => {
    const executor = await queued("q3", "hand-back", { input: { delayMs: 120 } });
    const c = procs["C"] as WorkerProcess;
    try {
      const seen = c.events.length; // events of earlier tests do not count
      const running = runStudy(TRIALS, { executor });
      running.catch(() => {});
      const started = await c.waitFor(
        (ev) => c.events.indexOf(ev) >= seen && ev["type"] === "started" && ev["queue"] === "q3",
      );
      await new Promise((r) => setTimeout(r, 150));
      expect(await c.stop("SIGTERM")).toBe(0);
      expect(c.events).toContainEqual(
        expect.objectContaining({ type: "handed-back", trial: started["trial"] }),
      );
      expect(stable(await running)).toEqual(stable(inline));
    } finally {
      await executor.close();
    }
  });
});

describe("Redis faults", () => {
  it("names the URL, password masked, when Redis is unreachable at start", async () => {
    const url = `redis://:s3cret@127.0.0.1:${await freePort()}`;
    for (const start of [
      () => createBullmqExecutor({ redis: url, runId: "r", runner: "branin", unreachableTimeoutMs: 500 }),
      () => createQueueWorker({ redis: url, runners: {}, unreachableTimeoutMs: 500 }),
    ]) {
      const error = await start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(TunerBullmqError.is(error)).toBe(true);
      expect(error).toMatchObject({ code: "REDIS_UNREACHABLE" });
      expect((error as Error).message).toMatch(
        /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? did not answer/,
      );
      expect((error as Error).message).not.toContain("s3cret");
    }
  });

  it("stops a study with REDIS_RESTARTED, then REDIS_UNREACHABLE, and the worker exits", async () => {
    const start = () =>
      createBullmqExecutor({
        redis: outage.url,
        queue: "nobody", // no worker: the trials wait in the queue
        runId: "outage",
        runner: "branin",
        unreachableTimeoutMs: 2000,
      });
    const restarted = await start();
    const waiting = runStudy(4, { executor: restarted });
    await outage.restart();
    await expect(waiting).rejects.toMatchObject({
      code: "REDIS_RESTARTED",
      message: expect.stringContaining(`Redis at ${outage.url}`),
    });
    await restarted.close();

    const stopped = await start();
    const pending = runStudy(4, { executor: stopped });
    await outage.stop();
    await expect(pending).rejects.toMatchObject({ code: "REDIS_UNREACHABLE" });
    await stopped.close();
    const f = procs["F"] as WorkerProcess;
    expect(await f.exited).toBe(3);
    expect(f.stderr()).toMatch(
      /TunerBullmqError REDIS_UNREACHABLE: Redis at redis:\/\/127\.0\.0\.1:\d+\/? did not answer/,
    );
  });

  it("runs a study over TLS (rediss:// with a private CA and a password)", async () => {
    expect(secure.url).toMatch(/^rediss:\/\/:tls%20pass@127\.0\.0\.1:\d+$/);
    const executor = await createBullmqExecutor({ redis: secure.url, tls, runId: "tls", runner: "branin" });
    try {
      expect(stable(await runStudy(6, { executor }))).toEqual(
        stable(await runStudy(6, { objective: inlineBranin() })),
      );
    } finally {
      await executor.close();
    }
    await expect(
      createBullmqExecutor({ redis: secure.url, runId: "tls", runner: "branin", unreachableTimeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: "REDIS_UNREACHABLE",
      message: expect.stringMatching(/^Redis at rediss:\/\/:\*\*\*@/),
    });
  });

  it("connects with a password URL", async () => {
    const secured = await startRedis({ password: "p@ss word" });
    try {
      const executor = await createBullmqExecutor({ redis: secured.url, runId: "pw", runner: "branin" });
      await executor.close();
      const blobs = await openBlobStore({ redis: secured.url });
      const digest = await blobs.put(new Uint8Array([1, 2, 3]));
      expect([...(await blobs.get(digest))]).toEqual([1, 2, 3]);
      await blobs.close();
      const wrong = secured.url.replace(encodeURIComponent("p@ss word"), "nope");
      await expect(
        createBullmqExecutor({ redis: wrong, runId: "pw", runner: "branin", unreachableTimeoutMs: 500 }),
      ).rejects.toMatchObject({
        code: "REDIS_UNREACHABLE",
        message: expect.stringContaining("redis://:***@"),
      });
    } finally {
      await secured.stop();
    }
  });
});
