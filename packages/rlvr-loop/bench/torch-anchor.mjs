// Anchor of the rlvr-loop trainer: the same objective in PyTorch (bench/torch_reference.py: EmbeddingBag
// + SparseAdam, one thread, Debian's python3-torch run with /usr/bin/python3) on the same data shape, in
// the same run, and the ratio of throughputs (goal: ours ≥ 5× PyTorch). When PyTorch is missing it
// tries `apt-get install python3-torch` (as root), otherwise it says plainly that the anchor was skipped.
//   node bench/torch-anchor.mjs [--examples N] [--no-write]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeBenchSection } from "../../../scripts/bench-report.mjs";
import { train } from "../dist/index.js";
import { A, D, F, GROUP, makeData, VOCABULARY } from "./_data.mjs";

const args = process.argv.slice(2);
const i = args.indexOf("--examples");
const N = i >= 0 ? Number(args[i + 1]) : 200_000;
const WRITE = !args.includes("--no-write");
const PYTHON = "/usr/bin/python3";

const torchOk = () =>
  existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
function ensureTorch() {
  if (torchOk()) return undefined;
  if (process.getuid?.() !== 0) return "python3-torch is not installed and this is not root";
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
  spawnSync("apt-get", ["install", "-y", "-q", "python3-torch"], { stdio: "inherit", env });
  return torchOk() ? undefined : "apt-get install python3-torch failed";
}

async function ours(n) {
  const data = makeData(false, VOCABULARY, n); // distinct contexts: train.mjs's worst case
  const t0 = performance.now();
  const result = await train(data, {
    epochs: 1,
    featurizer: { dimension: D },
    seed: 1,
    offPolicy: { target: "grpo" },
  });
  return result.examplesProcessed / ((performance.now() - t0) / 1000);
}

await ours(40_000); // JIT warm-up
const oursRate = await ours(N);
const skipped = ensureTorch();
let ref;
if (skipped === undefined) {
  const script = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
  const r = spawnSync(PYTHON, [script, "--examples", String(N)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`torch_reference.py exited with ${r.status}`);
  ref = JSON.parse(r.stdout);
}
const k = (x) => `${(x / 1000).toFixed(1)} k`;
const ratio = ref ? oursRate / ref.rate : undefined;
const markdown = `
One epoch of offline GRPO, ${N.toLocaleString("en-US")} examples with distinct contexts in groups of ${GROUP}, ${A} actions,
${F} active features (Zipf(1) over ${VOCABULARY.toLocaleString("en-US")} keys hashed into D = 2^18 buckets, plus a bias), minibatches of
64 groups, one thread. Ours: \`train()\` with its defaults and \`offPolicy.target: "grpo"\` (lazy AdamW, importance correction). Reference:
\`bench/torch_reference.py\`, the same objective written from docs/rlvr-loop.md in PyTorch ${ref?.torch ?? "(skipped)"}
(\`EmbeddingBag\` sum + \`SparseAdam\`, \`torch.set_num_threads(1)\`; clipped surrogate, group advantages,
importance weights, global gradient-norm clipping; no weight decay), in the same run.

| trainer | examples/s (one core) |
|---|---:|
| rlvr-loop | ${k(oursRate)} |
| PyTorch reference | ${ref ? k(ref.rate) : `skipped: ${skipped}`} |
| ratio | ${ratio ? `**×${ratio.toFixed(2)}** (goal ≥ ×5: ${ratio >= 5 ? "met" : "not met"})` : "–"} |
`;
process.stdout.write(markdown);
if (WRITE) writeBenchSection("rlvr-loop-anchor", "rlvr-loop against PyTorch", markdown);
