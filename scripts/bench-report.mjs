// Shared by the packages' benchmark scripts (bench/*.mjs): records results in docs/benchmarks.md.
// Each package owns one section between markers; the section is replaced atomically, others are kept.

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const file = join(fileURLToPath(new URL("..", import.meta.url)), "docs", "benchmarks.md");
const HEADER = `# Benchmarks

Produced by \`npm run bench\` (each package's \`bench\` script). Every goal is stated as a ratio to a
baseline measured in the same run on the same machine, so numbers from different machines compare.
Timing never appears in tests.
`;

/** One line describing the machine the benchmark ran on. */
export function machineLine() {
  const cpu = cpus();
  const model = cpu[0]?.model?.trim() ?? "unknown CPU";
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} × ${model}, ${gib} GiB RAM`;
}

/**
 * Replace (or append) the section `name` of docs/benchmarks.md with `markdown`.
 * @param {string} name section id, e.g. "dataset"
 * @param {string} title heading text
 * @param {string} markdown body
 */
export function writeBenchSection(name, title, markdown) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const stamp = new Date().toISOString().slice(0, 10);
  const block = `${start}\n## ${title}\n\nMeasured ${stamp} on: ${machineLine()}.\n\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : HEADER;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The run a benchmark belongs to: `npm run bench` stamps every package's bench with one id. */
export function benchRun() {
  return (
    process.env.RLVR_BENCH_RUN ?? `standalone ${new Date().toISOString().slice(0, 16).replace("T", " ")}`
  );
}

const GOALS = "goals";
const GOAL_ROW = /^<!-- goal (.*) -->$/;
const cell = (text) => String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * Record one goal's outcome in the "Goals at a glance" section at the top of docs/benchmarks.md:
 * one row per `id`, replaced when the same goal is measured again, with the run it came from (so a
 * reader sees which rows one `npm run bench` produced).
 * @param {{ id: string, measure: string, ours: string, anchor: string, ratio: string, goal: string, met: boolean | null, section: string }} row
 *   `anchor` is the baseline or anchor measured in the same run ("—" when the goal is absolute);
 *   `met` null when the anchor was skipped; `section` the section holding the details
 */
export function recordGoal(row) {
  const start = `<!-- bench:${GOALS}:start -->`;
  const end = `<!-- bench:${GOALS}:end -->`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : HEADER;
  let i = text.indexOf(start);
  let j = text.indexOf(end);
  if (i < 0 || j < i) {
    // first use: the section goes right after the header
    const at = text.indexOf("<!-- bench:");
    const empty = `${start}\n${end}\n\n`;
    text = at < 0 ? `${text.trimEnd()}\n\n${empty}` : text.slice(0, at) + empty + text.slice(at);
    i = text.indexOf(start);
    j = text.indexOf(end);
  }
  const rows = new Map();
  for (const line of text.slice(i + start.length, j).split("\n")) {
    const m = GOAL_ROW.exec(line);
    if (m !== null) {
      const r = JSON.parse(m[1]);
      rows.set(r.id, r);
    }
  }
  rows.set(row.id, { ...row, run: benchRun() });
  const all = [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const runs = new Set(all.map((r) => r.run));
  const verdict = (met) => (met === null ? "anchor skipped" : met ? "**met**" : "**not met**");
  const body = [
    "## Goals at a glance",
    "",
    "Each goal with our number, the baseline or anchor measured in the same run, the ratio and the",
    "verdict; the details are in the named section below. Rewritten by every benchmark that measures",
    `a goal. ${runs.size === 1 ? `Every row comes from one run: ${[...runs][0]}.` : `Rows come from ${runs.size} runs (column "run").`}`,
    "",
    "| what | measure | ours | baseline or anchor, same run | ratio | goal | verdict | details | run |",
    "|---|---|---|---|---|---|---|---|---|",
    ...all.map(
      (r) =>
        `| ${cell(r.id)} | ${cell(r.measure)} | ${cell(r.ours)} | ${cell(r.anchor)} | ${cell(r.ratio)} | ${cell(r.goal)} | ${verdict(r.met)} | ${cell(r.section)} | ${cell(r.run)} |`,
    ),
    "",
    ...all.map((r) => `<!-- goal ${JSON.stringify(r)} -->`),
  ].join("\n");
  text = `${text.slice(0, i)}${start}\n${body}\n${text.slice(j)}`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
