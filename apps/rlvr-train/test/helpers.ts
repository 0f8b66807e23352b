import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli.js";

export const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const samplePath = join(appDir, "examples", "sample.jsonl");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (fast), with a fake terminal-less IO. */
export async function cli(
  argv: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string>;
    signal?: AbortSignal;
    stderrIsTty?: boolean;
    onStderr?: (text: string) => void;
  } = {},
) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
      opts.onStderr?.(t);
    },
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    isTty: false,
    ...(opts.stderrIsTty === undefined ? {} : { stderrIsTty: opts.stderrIsTty }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  return { code, stdout, stderr } satisfies CliResult;
}

/** Arguments of `node` that run the binary from sources (through tsx). */
export const binArgs = (argv: readonly string[]) => [
  "--conditions=@rlvr/source",
  "--import",
  "tsx",
  join(appDir, "src", "bin.ts"),
  ...argv,
];

/** Runs the real binary from sources in a child process (exit codes, stdio, environment). */
export function spawnCli(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  const res = spawnSync(process.execPath, binArgs(argv), {
    cwd: opts.cwd ?? appDir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...opts.env },
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** A temporary folder removed by the returned cleanup function. */
export function tempDir(): {
  dir: string;
  file: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "rlvr-train-test-"));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A small valid example in the native format. */
export function example(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `e${i}`,
    groupId: `g${Math.floor(i / 2)}`,
    context: { prompt: `task ${i % 3}`, features: { kind: i % 2 === 0 ? "a" : "b", size: i % 5 } },
    action: i % 3 === 0 ? "search" : "calculator",
    reward: i % 4 === 0 ? 1 : 0,
    verified: i % 4 === 0,
    behaviorProb: 0.5,
    ...overrides,
  };
}

export const jsonl = (rows: readonly unknown[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

/**
 * The golden pruning job as `run` arguments (random sampler, successive-halving pruning, 10 trials,
 * seed 11, label "pruning"), its job file written into `dir`.
 */
export function pruningJobArgs(dir: string, out: string): string[] {
  const config = join(dir, "pruning.json");
  writeFileSync(
    config,
    JSON.stringify({
      tuner: { trials: 10, sampler: "random", pruner: "successive_halving", resamples: 200 },
      searchSpace: {
        "optimizer.learningRate": { type: "float", low: 0.001, high: 0.3, log: true },
        epochs: { type: "int", low: 2, high: 6 },
      },
    }),
  );
  return [
    "run",
    "--dataset",
    samplePath,
    "--config",
    config,
    "--label",
    "pruning",
    "--seed",
    "11",
    "--out",
    out,
  ];
}
