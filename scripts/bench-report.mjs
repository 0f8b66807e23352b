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
