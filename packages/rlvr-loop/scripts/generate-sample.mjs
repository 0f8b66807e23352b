// Regenerates the bundled sample logs of the CLI demo and README from the built-in verifiable
// environment (run after `pnpm run build`):
//   node scripts/generate-sample.mjs
// writes apps/rlvr-train/examples/sample.jsonl (one RlvrExample per line) and
// apps/rlvr-train/examples/sample.learning-trace.json (the same decisions in the learning-trace
// format), each atomically (temporary file in the same folder, then rename). Deterministic: the same
// package version always writes the same bytes.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createToolRoutingEnvironment, exactBaselines } from "../dist/index.js";

const EXAMPLES = 4000;
const GROUP_SIZE = 4;
const SEED = 2025;
const out = fileURLToPath(new URL("../../../apps/rlvr-train/examples/", import.meta.url));

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

const env = createToolRoutingEnvironment(); // defaults: 4 tools, 5 task kinds, 3 levels, noise 0.1, 2 distractors
const { dataset, trace } = env.generateLogs({
  n: EXAMPLES,
  seed: SEED,
  groupSize: GROUP_SIZE,
  behavior: "uniform",
  id: "tool-routing-sample",
  label: "Tool routing: uniform behavior policy (sample)",
  createdAt: "2025-01-01T00:00:00.000Z",
});

mkdirSync(out, { recursive: true });
writeAtomic(join(out, "sample.jsonl"), `${dataset.examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
// one example per line keeps the file diffable
const header = JSON.stringify({ id: trace.id, label: trace.label, createdAt: trace.createdAt }).slice(0, -1);
writeAtomic(
  join(out, "sample.learning-trace.json"),
  `${header},"examples":[\n${trace.examples.map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`,
);

const base = exactBaselines(env);
const logged = dataset.examples.reduce((s, e) => s + e.reward, 0) / dataset.examples.length;
console.log(
  [
    `wrote ${dataset.examples.length} examples in ${new Set(dataset.examples.map((e) => e.groupId)).size} groups to ${out}`,
    `actions: ${env.actions.join(", ")}`,
    `logged (uniform behavior) mean reward ${logged.toFixed(3)}; exact values: optimum ${base.optimum.toFixed(3)}, uniform ${base.uniform.toFixed(3)}, best single action ${base.bestSingleAction.action} ${base.bestSingleAction.value.toFixed(3)}`,
  ].join("\n"),
);
