// Benchmark of the report renderer (run: pnpm --filter @rlvr/report-renderer run bench). Renders a
// job with 200 trials and 10 000 metric points (goal: under 2 s, HTML under 2 MB) and the bundled
// demo job, in a fresh process (the first render pays module loading). The baseline, measured in the
// same run, is JSON.parse + JSON.stringify of the same record: every goal is also stated as a ratio.
// Results go to docs/benchmarks.md, section "report-renderer".
import { performance } from "node:perf_hooks";
import { recordGoal, writeBenchSection } from "../../../scripts/bench-report.mjs";
import { demoRecord } from "../src/__fixtures__/demo.ts";
import { makeRecord } from "../src/__fixtures__/records.ts";
import { renderComparison, renderHtml, renderMarkdown } from "../src/index.ts";

const time = async (fn) => {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
};

const big = makeRecord({ trials: 200, steps: 10_000, epochs: 50 });
const [firstMs, firstHtml] = await time(() => renderHtml(big));
const runs = [];
for (let i = 0; i < 3; i++) runs.push((await time(() => renderHtml(big)))[0]);
const warmMs = Math.min(...runs);
const [mdMs] = await time(() => renderMarkdown(big));
const [demoMs] = await time(() => renderHtml(demoRecord()));
const [cmpMs] = await time(() => renderComparison([demoRecord(), big]));
const text = JSON.stringify(big);
const [baseMs] = await time(() => {
  for (let i = 0; i < 10; i++) JSON.stringify(JSON.parse(text));
});
const base = baseMs / 10;
const kib = Buffer.byteLength(firstHtml) / 1024;

const rows = [
  ["HTML, 200 trials + 10 000 steps, first render in the process", firstMs],
  ["HTML, same job, warm (best of 3)", warmMs],
  ["Markdown, same job", mdMs],
  ["HTML, bundled demo job", demoMs],
  ["comparison (Markdown + HTML) of demo and large job", cmpMs],
];
const table = [
  "| case | time | × baseline |",
  "| --- | ---: | ---: |",
  ...rows.map(([name, ms]) => `| ${name} | ${ms.toFixed(0)} ms | ${(ms / base).toFixed(0)} |`),
  `| baseline: JSON.parse + JSON.stringify of the large record (${(text.length / 1024).toFixed(0)} KiB) | ${base.toFixed(1)} ms | 1 |`,
].join("\n");
const summary = `HTML of the large job: ${kib.toFixed(0)} KiB (goal < 2048 KiB); first render ${firstMs.toFixed(0)} ms (goal < 2000 ms).`;
console.log(`${table}\n\n${summary}`);
if (process.argv.includes("--write")) {
  writeBenchSection("report-renderer", "Report renderer", `${table}\n\n${summary}`);
  const goal = { anchor: "—", ratio: "—", section: "Report renderer" };
  recordGoal({
    ...goal,
    id: "report renderer, size",
    measure: "HTML report of a job with 200 trials and 10 000 metric points",
    ours: `${kib.toFixed(0)} KiB`,
    goal: "< 2048 KiB",
    met: kib < 2048,
  });
  recordGoal({
    ...goal,
    id: "report renderer, time",
    measure: "first render of that report in a fresh process",
    ours: `${firstMs.toFixed(0)} ms`,
    anchor: `JSON.parse + JSON.stringify of the record ${base.toFixed(1)} ms`,
    ratio: `×${(firstMs / base).toFixed(0)}`,
    goal: "< 2000 ms",
    met: firstMs < 2000,
  });
}
