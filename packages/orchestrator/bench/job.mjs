#!/usr/bin/env node
// Benchmarks of the job pipeline (run after a build: `pnpm --filter @rlvr/orchestrator run bench`):
//  1. the demo job (bundled sample, default settings), best of 3 runs;
//  2. a 1 M-example job with 20 trials: wall time, share of time per stage, peak memory.
// `--quick` skips the 1 M job. Results go to docs/benchmarks.md, section "orchestrator".
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToolRoutingEnvironment } from "@rlvr/rlvr-loop";
import { writeBenchSection } from "../../../scripts/bench-report.mjs";
import { runJob } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const sample = new URL("../../../apps/rlvr-train/examples/sample.jsonl", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "rlvr-orch-bench-"));
const mib = (b) => (b / 2 ** 20).toFixed(0);
const stageTable = (record) =>
  [
    "| stage | time (s) | share |",
    "|---|---:|---:|",
    ...record.volatile.stages.map(
      (s) => `| ${s.name} | ${(s.durationMs / 1000).toFixed(2)} | ${(100 * s.share).toFixed(1)} % |`,
    ),
  ].join("\n");

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
sampler.unref();

try {
  const demoTimes = [];
  let demo;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    demo = await runJob({
      datasets: [sample],
      outDir: join(work, `demo${i}`),
      label: "demo",
      registryPath: null,
    });
    demoTimes.push((performance.now() - t) / 1000);
  }
  const best = Math.min(...demoTimes);
  console.log(`demo job: best ${best.toFixed(2)} s of ${demoTimes.map((x) => x.toFixed(2)).join(", ")}`);
  let md = `### Demo job (bundled sample, 4000 decisions, default settings: 20 TPE trials)\n\n`;
  md += `Best of 3: **${best.toFixed(2)} s** in-process (runs: ${demoTimes.map((x) => x.toFixed(2)).join(", ")} s; goal: the \`demo\` command under 15 s). Test DR ${demo.evaluation.learned.dr.value.toFixed(3)} [${demo.evaluation.learned.dr.lower.toFixed(3)}, ${demo.evaluation.learned.dr.upper.toFixed(3)}] vs behavior ${demo.evaluation.baselines.behavior.value.toFixed(3)} and best single action ${demo.evaluation.baselines.bestSingleAction.estimates.dr.value.toFixed(3)}.\n\n${stageTable(demo)}\n`;

  if (!quick) {
    const file = join(work, "big.jsonl");
    const env = createToolRoutingEnvironment();
    writeFileSync(file, "");
    for (let part = 0; part < 10; part++) {
      const { dataset } = env.generateLogs({ n: 100_000, seed: 100 + part });
      const lines = dataset.examples.map((e) =>
        JSON.stringify({ ...e, id: `p${part}-${e.id}`, groupId: `p${part}-${e.groupId}` }),
      );
      appendFileSync(file, `${lines.join("\n")}\n`);
    }
    global.gc?.();
    peak = process.memoryUsage().rss;
    const t = performance.now();
    const big = await runJob({
      datasets: [file],
      outDir: join(work, "big"),
      label: "big",
      registryPath: null,
      tuner: { trials: 20 },
    });
    const secs = (performance.now() - t) / 1000;
    console.log(`1 M job: ${secs.toFixed(1)} s, peak RSS ${mib(peak)} MiB, status ${big.status}`);
    md += `\n### 1 M-example job, 20 trials\n\n${big.status}: **${secs.toFixed(1)} s**, peak RSS **${mib(peak)} MiB** (sampled every 50 ms; record's stage-end samples: ${mib(big.volatile.peakRssBytes)} MiB). Test DR ${big.evaluation?.learned.dr.value.toFixed(4)} vs behavior ${big.evaluation?.baselines.behavior.value.toFixed(4)}.\n\n${stageTable(big)}\n`;
  }
  writeBenchSection("orchestrator", "orchestrator: the training job", md);
} finally {
  clearInterval(sampler);
  rmSync(work, { recursive: true, force: true });
}
