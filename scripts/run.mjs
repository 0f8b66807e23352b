#!/usr/bin/env node
// Entry point of the README's Quickstart commands (`npm run demo`, `npm test`) and of `npm run bench`.
// Works on a machine that has only Node.js and npm: it finds pnpm (or fetches the pinned version with
// npx), installs the workspace from the lockfile, builds, then runs the requested task.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}
function must(cmd, args, what) {
  const status = run(cmd, args);
  if (status !== 0) {
    process.stderr.write(`\n${what} failed (exit ${status}).\n`);
    process.exit(status);
  }
}

function findPnpm() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8", env });
  if (probe.status === 0 && probe.stdout.trim() === pinned) return ["pnpm", []];
  return ["npx", ["--yes", `pnpm@${pinned}`]];
}
const [pnpmCmd, pnpmPre] = findPnpm();
const pnpm = (args, what) => must(pnpmCmd, [...pnpmPre, ...args], what);

// A closing line that any CI reads: "tests: N passed, N failed[, N skipped]".
function summarize(file, status) {
  if (!existsSync(file)) {
    process.stderr.write(`no vitest result file (exit ${status})\n`);
    return;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  const failed =
    r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
  process.stdout.write(
    `\ntests: ${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
  );
}

const task = process.argv[2];
const extra = process.argv.slice(3);

pnpm(["install", "--frozen-lockfile", "--reporter=append-only"], "pnpm install");

switch (task) {
  case "test": {
    pnpm(["exec", "biome", "ci", "."], "lint and format check (biome)");
    pnpm(
      ["exec", "turbo", "run", "build", "typecheck", "publint", "attw", "--output-logs=errors-only"],
      "build, type-check, publint and attw",
    );
    const resultFile = join(root, "node_modules", ".cache", "vitest-results.json");
    const status = run(pnpmCmd, [
      ...pnpmPre,
      "exec",
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${resultFile}`,
      ...extra,
    ]);
    summarize(resultFile, status);
    if (status !== 0) process.exit(status);
    break;
  }
  case "demo": {
    pnpm(["exec", "turbo", "run", "build", "--output-logs=errors-only"], "build");
    pnpm(["--filter", "rlvr-train", "run", "demo"], "demo");
    break;
  }
  case "bench": {
    pnpm(["exec", "turbo", "run", "build", "--output-logs=errors-only"], "build");
    // one id for every benchmark of this run (docs/benchmarks.md, "Goals at a glance")
    env.RLVR_BENCH_RUN ??= `npm run bench, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
    pnpm(
      [
        "--filter",
        "./packages/*",
        "--filter",
        "./apps/*",
        "--workspace-concurrency=1",
        "--if-present",
        "run",
        "bench",
        ...extra,
      ],
      "benchmarks",
    );
    break;
  }
  default:
    process.stderr.write(`usage: node scripts/run.mjs <test|demo|bench> [args]\n`);
    process.exit(2);
}
