#!/usr/bin/env node
// Benchmark of `POST /v1/decisions` with a real load generator (autocannon, 32 connections): decisions
// per second and p50 / p99 latency, against the bare Fastify hello-world measured in the same run as
// the baseline (goal: at least 0.5× its requests per second). Each server runs in a child process, so
// the load generator and the server share the machine's cores as they would on one host. Every
// decision is a new event (generated id), committed to the decision log (SQLite, WAL, fsync) before
// it is answered.
//
//   node bench/serve.mjs [--duration S] [--connections N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createPolicy, createToolRoutingEnvironment, createRng, serializeCheckpoint, TRACE_WORLD_OPTIONS } from "@rlvr/rlvr-loop";
import autocannon from "autocannon";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg("duration", 10);
const connections = arg("connections", 32);
const here = new URL(".", import.meta.url).pathname;

function start(args) {
  const child = spawn(process.execPath, [join(here, "_server.mjs"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => resolve({ child, port: Number(line.split(" ")[1]) }));
  });
}

function stop({ child }) {
  child.removeAllListeners("exit");
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

function load(options) {
  return new Promise((resolve, reject) => {
    autocannon({ connections, duration, pipelining: 1, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const dir = mkdtempSync(join(tmpdir(), "rlvr-serve-bench-"));
try {
  // a realistic request: a free-text prompt and three features of the trace world, six tools
  const env = createToolRoutingEnvironment({ ...TRACE_WORLD_OPTIONS });
  const rng = createRng(3);
  const policy = createPolicy({ actions: env.actions });
  for (let i = 0; i < policy.weights.length; i += 97) policy.weights[i] = ((rng.next() >>> 0) / 2 ** 32 - 0.5) * 2;
  const checkpoint = join(dir, "bench.ckpt");
  writeFileSync(checkpoint, serializeCheckpoint(policy));
  const bodies = Array.from({ length: 64 }, () => JSON.stringify({ context: env.sample(rng).context }));

  const hello = await start(["hello"]);
  await load({ url: `http://127.0.0.1:${hello.port}/`, duration: 2 }); // warm-up
  const base = await load({ url: `http://127.0.0.1:${hello.port}/` });
  await stop(hello);

  const served = await start(["policy", checkpoint, join(dir, "log")]);
  const requests = bodies.map((body) => ({ method: "POST", path: "/v1/decisions", headers: { "content-type": "application/json" }, body }));
  await load({ url: `http://127.0.0.1:${served.port}`, requests, duration: 2 });
  const decisions = await load({ url: `http://127.0.0.1:${served.port}`, requests });
  await stop(served);

  const row = (name, r) =>
    `| ${name} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx + r.errors} |`;
  const ratio = decisions.requests.average / base.requests.average;
  console.log(`\nserve benchmark: ${connections} connections, ${duration} s each, ${availableParallelism()} cores, Node ${process.versions.node}\n`);
  console.log("| server | requests/s | p50 ms | p99 ms | errors |");
  console.log("|---|---|---|---|---|");
  console.log(row("Fastify hello-world (baseline)", base));
  console.log(row("POST /v1/decisions (logged, fsync)", decisions));
  console.log(`\ndecisions/s ÷ hello-world requests/s = ${ratio.toFixed(2)} (goal ≥ 0.5)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
