// Trials on many machines, end to end: `rlvr-train worker` processes serve the trials of jobs run with
// `--executor bullmq` through a private redis-server on a free loopback port. The records must be the
// golden ones (what `demo` and the pruning job write inline), whatever the number of workers, after a
// worker is SIGKILLed mid-trial, and after the job process is killed and resumed.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JOB_TRIAL_RUNNER, type JobRecord, stripVolatile } from "@rlvr/orchestrator";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  startRedis,
  type TestRedis,
} from "../../../packages/tuner-bullmq/src/__fixtures__/redis.js";
import { appDir, binArgs, cli, pruningJobArgs, samplePath, tempDir } from "./helpers.js";

// Whole jobs, several per test, on a 2-core machine: minutes under load, not seconds.
const LONG = { timeout: 400_000 };

const tmp = tempDir();
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  tmp.cleanup();
});

const golden = (name: string) =>
  readFileSync(join(appDir, "test", "__fixtures__", "golden", `${name}.job.json`), "utf8");
const stable = (file: string) => {
  const record = JSON.parse(readFileSync(file, "utf8")) as JobRecord;
  return { record, text: `${JSON.stringify(stripVolatile(record), null, 2)}\n` };
};

/** A `rlvr-train worker` process and what it printed. */
interface WorkerProcess {
  readonly proc: ChildProcess;
  stderr(): string;
  /** Resolves with the first match of `pattern` in its stderr (past or future). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

function startWorker(queue: string, more: readonly string[] = []): WorkerProcess {
  const proc = spawn(process.execPath, binArgs(["worker", "--redis", redis.url, "--queue", queue, ...more]), {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  const waiters: Array<() => void> = [];
  proc.stderr?.setEncoding("utf8");
  proc.stderr?.on("data", (chunk: string) => {
    text += chunk;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | string | null>((resolve) =>
    proc.on("exit", (code, signal) => resolve(code ?? signal)),
  );
  return {
    proc,
    stderr: () => text,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${text}`)), timeoutMs);
        const check = () => {
          const m = text.match(pattern);
          if (m === null) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(m);
        };
        waiters.push(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Starts `n` workers on `queue` and waits until each serves. */
async function startWorkers(n: number, queue: string, more: readonly string[] = []) {
  const workers = Array.from({ length: n }, () => startWorker(queue, more));
  await Promise.all(workers.map((w) => w.waitFor(/serving trials/)));
  return workers;
}

/** The golden jobs' command lines, writing into `out`. */
const JOBS = {
  demo: (out: string) => ["demo", "--out", out],
  pruning: (out: string) => pruningJobArgs(tmp.dir, out),
} as const;

async function runJob(name: keyof typeof JOBS, out: string, executor: readonly string[]) {
  const r = await cli([...JOBS[name](out), ...executor]);
  expect(r.code, r.stderr).toBe(0);
  return stable(join(out, `${name}.job.json`));
}

describe("records are the same on every executor", () => {
  it("worker threads (--executor worker-pool --concurrency 2): the golden records", LONG, async () => {
    for (const name of ["demo", "pruning"] as const) {
      const { text } = await runJob(name, join(tmp.dir, `pool-${name}`), [
        ...["--executor", "worker-pool", "--concurrency", "2"],
      ]);
      expect(text).toBe(golden(name));
    }
  });

  for (const n of [1, 2, 3]) {
    it(
      `BullMQ with ${n} worker process${n > 1 ? "es" : ""}: the golden records; SIGTERM exits 0`,
      LONG,
      async () => {
        const queue = `q${n}`;
        const workers = await startWorkers(n, queue);
        try {
          for (const name of ["demo", "pruning"] as const) {
            const { text, record } = await runJob(name, join(tmp.dir, `queue${n}-${name}`), [
              ...["--executor", "bullmq", "--redis", redis.url, "--queue", queue],
            ]);
            expect(text).toBe(golden(name));
            expect(record.volatile.trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(
              record.tuning?.trials.map((t) => t.number),
            );
          }
          // every worker served trials (the queue spreads them)
          await Promise.all(workers.map((w) => w.waitFor(/trial \d+ finished/, 10_000)));
        } finally {
          const codes = await Promise.all(workers.map((w) => w.stop("SIGTERM")));
          expect(codes).toEqual(workers.map(() => 0));
        }
      },
    );
  }
  it(
    "a tuned featurizer parameter (workers get the examples, not file paths): the inline record",
    LONG,
    async () => {
      const config = join(tmp.dir, "features.json");
      writeFileSync(
        config,
        JSON.stringify({
          tuner: { trials: 3, nStartupTrials: 3, pendingWindow: 1, resamples: 200 },
          searchSpace: {
            "featurizer.dimension": { type: "categorical", choices: [1024, 4096] },
            epochs: { type: "int", low: 1, high: 2 },
          },
        }),
      );
      const argv = (out: string) => [
        "run",
        "--dataset",
        samplePath,
        "--config",
        config,
        "--label",
        "feat",
        "--out",
        out,
      ];
      const inline = await cli(argv(join(tmp.dir, "feat-inline")));
      expect(inline.code, inline.stderr).toBe(0);
      const workers = await startWorkers(1, "qfeat");
      try {
        const queued = await cli([
          ...argv(join(tmp.dir, "feat-queue")),
          ...["--executor", "bullmq", "--redis", redis.url, "--queue", "qfeat"],
        ]);
        expect(queued.code, queued.stdout + queued.stderr).toBe(0);
      } finally {
        await Promise.all(workers.map((w) => w.stop("SIGTERM")));
      }
      const a = stable(join(tmp.dir, "feat-inline", "feat.job.json"));
      const b = stable(join(tmp.dir, "feat-queue", "feat.job.json"));
      expect(b.text).toBe(a.text);
      expect(Object.keys(a.record.tuning?.trials[0]?.params ?? {})).toContain("featurizer.dimension");
    },
  );
});

describe("faults", () => {
  it(
    "a worker SIGKILLed mid-trial: its trial runs on the other worker, counted once, the golden record",
    LONG,
    async () => {
      const queue = "qkill";
      const timings = ["--lock-duration", "1500", "--stalled-interval", "500"];
      const [victim, survivor] = (await startWorkers(2, queue, timings)) as [WorkerProcess, WorkerProcess];
      try {
        const job = runJob("demo", join(tmp.dir, "kill-worker"), [
          ...["--executor", "bullmq", "--redis", redis.url, "--queue", queue],
        ]);
        // the third trial the victim starts: the study is well under way
        const started = await victim.waitFor(
          /(?:trial \d+ started[^\n]*\n[\s\S]*){2}trial (\d+) started/,
          300_000,
        );
        const trial = started[1] as string;
        expect(await victim.stop("SIGKILL")).toBe("SIGKILL");
        const { text, record } = await job;
        expect(text).toBe(golden("demo"));
        await survivor.waitFor(new RegExp(`trial ${trial} started[^]*trial ${trial} finished`), 10_000);
        const numbers = record.volatile.trials.map((t) => t.number);
        expect(new Set(numbers).size).toBe(numbers.length);
      } finally {
        await Promise.all([victim.stop("SIGKILL"), survivor.stop("SIGTERM")]);
      }
    },
  );

  it(
    "the job SIGKILLed during tuning, then --resume: it reattaches to the queue, the golden record",
    LONG,
    async () => {
      const queue = "qresume";
      const workers = await startWorkers(2, queue);
      try {
        const out = join(tmp.dir, "kill-job");
        const argv = [...JOBS.demo(out), "--executor", "bullmq", "--redis", redis.url, "--queue", queue];
        const child = spawn(process.execPath, binArgs(argv), {
          cwd: appDir,
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
          stderr += chunk;
          if (/trial #\d+ \(4\//.test(stderr)) child.kill("SIGKILL");
        });
        const signal = await new Promise((resolve) => child.on("exit", (_code, s) => resolve(s)));
        expect(signal, stderr).toBe("SIGKILL");
        expect(stderr).not.toContain("tune done");
        const resumed = await cli([...argv, "--resume"]);
        expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
        const { text, record } = stable(join(out, "demo.job.json"));
        expect(record.volatile.resumed).toBe(true);
        expect(text).toBe(golden("demo"));
      } finally {
        await Promise.all(workers.map((w) => w.stop("SIGTERM")));
      }
    },
  );

  it("malformed and foreign queue jobs are refused and the worker keeps serving", LONG, async () => {
    const queueName = "qbad";
    const [worker] = (await startWorkers(1, queueName)) as [WorkerProcess];
    const url = new URL(redis.url);
    const queue = new Queue(queueName, {
      prefix: "rlvr",
      connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
    });
    try {
      const task = { number: 0, seed: 1, params: { x: 1 } };
      const payload = {
        v: 1,
        kind: "rlvr-trial",
        runId: "evil",
        runner: JOB_TRIAL_RUNNER,
        input: null,
        task,
      };
      const jobs = {
        garbage: "rm -rf /",
        code: { ...payload, module: "/tmp/evil.mjs" },
        version: { ...payload, v: 2 },
        runner: { ...payload, runner: "shell" },
        input: { ...payload, input: { data: "/etc/passwd" } },
        blob: { ...payload, input: { data: `sha256:${"0".repeat(64)}` } },
      };
      for (const [id, data] of Object.entries(jobs)) await queue.add("trial", data, { jobId: `evil-${id}` });
      const reasons: Record<string, string> = {};
      for (const id of Object.keys(jobs)) {
        for (let i = 0; i < 200; i++) {
          const state = await queue.getJobState(`evil-${id}`);
          if (state === "failed" || state === "completed") {
            // read after the state: a copy read before it could predate the end (no reason yet)
            const job = await queue.getJob(`evil-${id}`);
            reasons[id] =
              state === "failed"
                ? (job?.failedReason ?? "")
                : JSON.stringify((job?.returnvalue as { outcome?: unknown } | undefined)?.outcome);
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      expect(reasons.garbage).toMatch(/^\[INVALID_PAYLOAD\]/);
      expect(reasons.code).toMatch(/^\[INVALID_PAYLOAD\].*module/);
      expect(reasons.version).toMatch(/^\[INVALID_PAYLOAD\]/);
      expect(reasons.runner).toMatch(/^\[UNKNOWN_RUNNER\].*shell/);
      // well-formed payloads whose input the job's trial code refuses: the trial fails, clearly
      expect(reasons.input).toMatch(/"state":"failed".*sha256/);
      expect(reasons.blob).toMatch(/"state":"failed".*BLOB_NOT_FOUND|"state":"failed".*no blob/);
      await worker.waitFor(/refused evil-garbage: \[INVALID_PAYLOAD\]/, 10_000);
      // and it still serves a real job
      const r = await cli([
        ...["demo", "--out", join(tmp.dir, "after-bad"), "--trials", "3"],
        ...["--executor", "bullmq", "--redis", redis.url, "--queue", queueName],
      ]);
      expect(r.code, r.stderr).toBe(0);
      await worker.waitFor(/trial 2 finished/, 10_000);
    } finally {
      await queue.close();
      expect(await worker.stop("SIGINT")).toBe(0);
    }
  });
});

describe("bad command lines and an unreachable Redis", () => {
  it("usage errors exit 2 and say what is expected", async () => {
    const out = join(tmp.dir, "usage");
    const noUrl = await cli(["demo", "--out", out, "--executor", "bullmq"]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain(
      "--executor bullmq needs the queue's Redis URL: --redis URL or RLVR_REDIS_URL",
    );
    const mixed = await cli(["demo", "--out", out, "--executor", "inline", "--redis", redis.url]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--redis only applies to --executor bullmq, not inline");
    const scheme = await cli(["worker", "--redis", "http://user:secret@127.0.0.1:1"]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain(
      'expected a redis:// or rediss:// URL, got "http://user:***@127.0.0.1:1"',
    );
    expect(scheme.stderr).not.toContain("secret");
    const worker = await cli(["worker"]);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain("worker needs the queue's Redis URL");
  });

  it("Redis unreachable: the job fails and the worker exits 1, both naming the URL without its password", async () => {
    const port = await freePort();
    const url = `redis://:secret@127.0.0.1:${port}`;
    const [job, worker] = await Promise.all([
      cli([
        "demo",
        "--out",
        join(tmp.dir, "unreachable"),
        "--trials",
        "2",
        "--executor",
        "bullmq",
        "--redis",
        url,
      ]),
      cli(["worker"], { env: { RLVR_REDIS_URL: url } }),
    ]);
    expect(job.code).toBe(1);
    expect(job.stdout).toContain(
      `failed in the tune stage (REDIS_UNREACHABLE): Redis at redis://:***@127.0.0.1:${port}`,
    );
    expect(job.stdout + job.stderr).not.toContain("secret");
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain(`redis://:***@127.0.0.1:${port}`);
    expect(worker.stderr).not.toContain("secret");
  });
});
