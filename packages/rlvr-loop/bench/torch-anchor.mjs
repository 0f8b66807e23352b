// Anchor of the rlvr-loop trainer: the same objective in PyTorch (bench/torch_reference.py: EmbeddingBag
// + SparseAdam, one thread, Debian's python3-torch run with /usr/bin/python3) on the same data shape, in
// the same run, and the ratio of throughputs (goal: ours ≥ 5× PyTorch). When PyTorch is missing it
// tries `apt-get install python3-torch` (as root), otherwise it says plainly that the anchor was skipped.
//   node bench/torch-anchor.mjs [--examples N] [--no-write]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeBenchSection } from "../../../scripts/bench-report.mjs";
import { createRng, train, trainingDataFromArrays } from "../dist/index.js";

const args = process.argv.slice(2);
const i = args.indexOf("--examples");
const N = i >= 0 ? Number(args[i + 1]) : 200_000;
const WRITE = !args.includes("--no-write");
const PYTHON = "/usr/bin/python3";
const A = 16;
const D = 2 ** 18;
const F = 30;
const GROUP = 4;
const VOCABULARY = 100_000;

// The data of bench/train.mjs, distinct contexts (its worst case).
function makeData(n) {
  const rng = createRng(2024);
  const u = () => (rng.next() >>> 0) / 4294967296;
  const harmonic = Math.log(VOCABULARY) + 0.5772156649;
  const zipfRank = () =>
    Math.min(VOCABULARY, Math.max(1, Math.floor(Math.exp(u() * harmonic - 0.5772156649))));
  const offsets = new Int32Array(n + 1);
  const indices = new Int32Array(n * F);
  const values = new Float64Array(n * F).fill(1);
  const actionIndex = new Int32Array(n);
  const rewards = new Float64Array(n);
  const row = new Int32Array(F);
  for (let e = 0; e < n; e++) {
    let c = 0;
    while (c < F - 1) {
      const f = (Math.imul(zipfRank(), 0x9e3779b1) >>> 0) % D;
      let dup = false;
      for (let j = 0; j < c; j++) if (row[j] === f) dup = true;
      if (!dup) row[c++] = f;
    }
    row[F - 1] = D;
    row.sort();
    indices.set(row, e * F);
    offsets[e + 1] = (e + 1) * F;
    const a = Math.floor(u() * A);
    actionIndex[e] = a;
    rewards[e] = u() < (a === row[0] % A ? 0.8 : 0.3) ? 1 : 0;
  }
  const groupOffsets = new Int32Array(n / GROUP + 1);
  for (let g = 0; g < groupOffsets.length; g++) groupOffsets[g] = g * GROUP;
  return trainingDataFromArrays({
    actions: Array.from({ length: A }, (_, k) => `action-${String(k).padStart(2, "0")}`),
    rows: D + 1,
    offsets,
    indices,
    values,
    actionIndex,
    rewards,
    groupOffsets,
    behaviorProbs: new Float64Array(n).fill(1 / A),
  });
}

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
  const data = makeData(n);
  const t0 = performance.now();
  const result = await train(data, { epochs: 1, featurizer: { dimension: D }, seed: 1 });
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
64 groups, one thread. Ours: \`train()\` with its defaults (lazy AdamW, importance correction). Reference:
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
