import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  createRegistry,
  OrchestratorError,
  type Registry,
  type RunRow,
  type RunStatus,
} from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { userPath } from "../files.js";
import { type CliIo, printable } from "../io.js";
import { parseCount } from "../job-args.js";
import { publicMessage } from "../report-error.js";

const STATUSES: readonly RunStatus[] = ["running", "succeeded", "failed", "cancelled"];

const num = (v: number | null) => (v === null ? "-" : v.toFixed(4));
const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

/** Opens an existing registry (never creates one): `--registry`, else `<--out>/.rlvr/registry.db`. */
function openRegistry(io: CliIo, args: { registry?: unknown; out?: unknown }): Registry {
  const file = optionalString(args.registry, "--registry");
  const out = optionalString(args.out, "--out");
  const path =
    file !== undefined ? userPath(io.cwd, file) : join(userPath(io.cwd, out ?? "."), ".rlvr", "registry.db");
  if (!existsSync(path)) {
    throw new CliError(
      "BAD_INPUT",
      `no run registry at ${path} (run a job first, or pass --registry <file>)`,
    );
  }
  try {
    return createRegistry(path);
  } catch (error) {
    // the same error (the table gives its exit code), naming the file
    if (!OrchestratorError.is(error) || error.code !== "REGISTRY_ERROR") throw error;
    throw new OrchestratorError(error.code, `${path}: ${publicMessage(error.message)}`, { cause: error });
  }
}

function getRun(registry: Registry, id: string): RunRow {
  const run = registry.getRun(id);
  if (run !== null) return run;
  // a unique prefix is enough, as with git
  const matches = registry.listRuns().filter((r) => r.id.startsWith(id));
  if (matches.length === 1) return matches[0] as RunRow;
  throw new CliError(
    "BAD_INPUT",
    matches.length === 0
      ? `no run '${id}' in the registry`
      : `'${id}' matches ${matches.length} runs; give more of the id`,
  );
}

const REGISTRY_ARGS = {
  registry: {
    type: "string",
    description: "Registry file (default: <out>/.rlvr/registry.db)",
    valueHint: "file",
  },
  out: { type: "string", description: "Output folder of the jobs (default: .)", valueHint: "DIR" },
  json: { type: "boolean", description: "Print JSON on stdout" },
} as const;

async function withRegistry<T>(
  io: CliIo,
  args: { registry?: unknown; out?: unknown },
  body: (r: Registry) => T,
): Promise<T> {
  const registry = openRegistry(io, args);
  try {
    return body(registry);
  } finally {
    registry.close();
  }
}

const listCommand = defineCommand({
  meta: { name: "list", description: "List runs, newest first." },
  args: {
    ...REGISTRY_ARGS,
    label: { type: "string", description: "Only runs with this label", valueHint: "L" },
    status: { type: "enum", options: [...STATUSES], description: "Only runs with this status" },
    limit: { type: "string", description: "At most N runs (default 50)", valueHint: "N" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const label = optionalString(args.label, "--label");
    const limitText = optionalString(args.limit, "--limit");
    const limit = limitText === undefined ? 50 : parseCount(limitText, "--limit", 1_000_000);
    const runs = await withRegistry(io, args, (r) =>
      r.listRuns({
        ...(label === undefined ? {} : { label }),
        ...(typeof args.status === "string" ? { status: args.status as RunStatus } : {}),
        limit,
      }),
    );
    if (args.json) {
      io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (runs.length === 0) {
      io.stdout("no runs\n");
      return ExitCode.ok;
    }
    const rows = runs.map((r) => [
      r.id,
      r.status,
      printable(r.label),
      num(r.value),
      num(r.valueLower),
      iso(r.startedAt),
    ]);
    io.stdout(table(["id", "status", "label", "value", "lower", "started"], rows));
    return ExitCode.ok;
  },
});

const showCommand = defineCommand({
  meta: {
    name: "show",
    description: "Show one run: status, fingerprint, parameters, metrics, artifacts, rollback candidate.",
  },
  args: {
    id: { type: "positional", description: "Run id (a unique prefix is enough)", required: true },
    ...REGISTRY_ARGS,
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const shown = await withRegistry(io, args, (r) => {
      const run = getRun(r, String(args.id));
      return {
        run,
        artifacts: r.listArtifacts(run.id),
        metrics: lastMetrics(r.getMetrics(run.id)),
        rollbackCandidate: r.rollbackCandidate(run.id),
      };
    });
    if (args.json) {
      io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
      return ExitCode.ok;
    }
    const { run } = shown;
    const lines = [
      `${run.id} ${printable(run.label)} (${run.status}${run.resumable ? ", resumable" : ""})`,
      `  fingerprint ${run.fingerprint}`,
      `  dataset     ${run.datasetDigest}`,
      `  started ${iso(run.startedAt)} · finished ${iso(run.finishedAt)} · host ${run.host} · attempts ${run.attempts}`,
      `  value ${num(run.value)} (lower ${num(run.valueLower)})`,
      ...(run.error === null ? [] : [`  error ${printable(publicMessage(run.error))}`]),
      `  params ${JSON.stringify(run.params)}`,
      ...shown.metrics.map((m) => `  metric ${m.name} = ${num(m.value)} (step ${m.step})`),
      ...shown.artifacts.map(
        (a) => `  artifact ${a.kind} ${printable(a.path)} ${a.digest} (${a.bytes} bytes)`,
      ),
      shown.rollbackCandidate === null
        ? "  rollback candidate: none (no better earlier checkpoint on this fingerprint family)"
        : `  rollback candidate: ${printable(shown.rollbackCandidate.path)} of ${shown.rollbackCandidate.runId} (value ${num(shown.rollbackCandidate.value)})`,
    ];
    io.stdout(`${lines.join("\n")}\n`);
    return ExitCode.ok;
  },
});

function lastMetrics(points: readonly { name: string; step: number; value: number }[]) {
  const last = new Map<string, { name: string; step: number; value: number }>();
  for (const p of points) {
    const prev = last.get(p.name);
    if (prev === undefined || p.step >= prev.step) last.set(p.name, p);
  }
  return [...last.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const compareCommand = defineCommand({
  args: {
    a: { type: "positional", description: "First run id", required: true },
    b: { type: "positional", description: "Second run id", required: true },
    ...REGISTRY_ARGS,
  },
  meta: {
    name: "compare",
    description: "Compare two runs: last value of every metric, parameters that changed.",
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const cmp = await withRegistry(io, args, (r) =>
      r.compareRuns(getRun(r, String(args.a)).id, getRun(r, String(args.b)).id),
    );
    if (args.json) {
      io.stdout(`${JSON.stringify(cmp, null, 2)}\n`);
      return ExitCode.ok;
    }
    const rows = cmp.metrics.map((m) => [
      m.name,
      num(m.a),
      num(m.b),
      m.a === null || m.b === null ? "-" : `${m.b - m.a >= 0 ? "+" : ""}${(m.b - m.a).toFixed(4)}`,
    ]);
    io.stdout(`${cmp.a.id} (${printable(cmp.a.label)}) vs ${cmp.b.id} (${printable(cmp.b.label)})\n`);
    io.stdout(`  fingerprint ${cmp.a.fingerprint === cmp.b.fingerprint ? "identical" : "differs"}\n`);
    io.stdout(
      `  params changed: ${cmp.paramsChanged.length === 0 ? "none" : cmp.paramsChanged.join(", ")}\n`,
    );
    io.stdout(table(["metric", "a", "b", "b - a"], rows));
    return ExitCode.ok;
  },
});

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join("\n")}\n`;
}

/** `rlvr-train runs list|show|compare` over the run registry. */
export const runsCommand = defineCommand({
  meta: {
    name: "runs",
    description: "Inspect the run registry: runs list | runs show <id> | runs compare <a> <b>.",
  },
  subCommands: { list: listCommand, show: showCommand, compare: compareCommand },
});

/** The subcommands of `runs`, for the dispatcher's option check and help. */
export const runsSubCommands = { list: listCommand, show: showCommand, compare: compareCommand } as const;
