// Anchor of the rlvr-loop trainer: the same objective in PyTorch (bench/torch_reference.py: EmbeddingBag
// + SparseAdam, one thread, Debian's python3-torch run with /usr/bin/python3) on the same data shape, in
// the same run, and the ratio of throughputs (goal: ours ≥ 5× PyTorch). When PyTorch is missing it
// tries `apt-get install python3-torch` (as root), otherwise it says plainly that the anchor was skipped.
//   node bench/torch-anchor.mjs [--examples N] [--repeat R] [--js] [--no-write]
// --js runs our trainer on its JavaScript kernels (same results, the WebAssembly kernels' baseline).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { recordGoal, writeBenchSection } from "../../../scripts/bench-report.mjs";
import { train } from "../dist/index.js";
import { setKernelBackend } from "../dist/internal/kernels.js";
import { A, D, F, GROUP, makeData, VOCABULARY } from "./_data.mjs";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = arg("--examples", 200_000);
const REPEAT = arg("--repeat", 5);
const JS = args.includes("--js");
const WRITE = !args.includes("--no-write") && !JS;
if (JS) setKernelBackend("js");
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

/** One epoch of ours on `data`: examples per wall-clock second and per CPU second of this process. */
async function ours(data) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await train(data, {
    epochs: 1,
    featurizer: { dimension: D },
    seed: 1,
    offPolicy: { target: "grpo" },
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const n = result.examplesProcessed;
  return { rate: n / wall, cpuRate: n / ((c.user + c.system) / 1e6) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The PyTorch reference as a child process that runs one epoch per request (null: skipped). */
async function startReference() {
  const script = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
  const child = spawn(PYTHON, [script, "--examples", String(N), "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await iterator.next();
    if (done) throw new Error(`torch_reference.py stopped (exit code ${child.exitCode})`);
    return JSON.parse(value);
  };
  const ready = next();
  return {
    ready,
    epoch: () => {
      child.stdin.write("epoch\n");
      return next();
    },
    close: () => child.stdin.end(),
  };
}

const skipped = ensureTorch();
const reference = skipped === undefined ? await startReference() : null; // builds its data meanwhile
await ours(makeData(false, VOCABULARY, 40_000)); // JIT warm-up
const data = makeData(false, VOCABULARY, N); // distinct contexts: train.mjs's worst case
const info = await reference?.ready;
// rounds alternate ours and the reference's epochs, so both see the same machine load
const mine = [];
const theirs = [];
for (let r = 0; r < REPEAT; r++) {
  mine.push(await ours(data));
  if (reference !== null) theirs.push(await reference.epoch());
}
reference?.close();
const load = loadavg()[0];
const ref =
  reference === null
    ? undefined
    : { torch: info.torch, rates: theirs.map((t) => t.rate), cpuRates: theirs.map((t) => t.cpuRate) };
const k = (x) => `${(x / 1000).toFixed(1)} k`;
const cell = (xs) => `${k(median(xs))} (${k(Math.min(...xs))}–${k(Math.max(...xs))})`;
const ourCpu = mine.map((m) => m.cpuRate);
const ourWall = mine.map((m) => m.rate);
const cpuRatio = ref ? median(ourCpu) / median(ref.cpuRates) : undefined;
const wallRatio = ref ? median(ourWall) / median(ref.rates) : undefined;
const ratioCell = (x) =>
  x === undefined ? "–" : `**×${x.toFixed(2)}** (goal ≥ ×5: ${x >= 5 ? "met" : "not met"})`;
const markdown = `
One epoch of offline GRPO, ${N.toLocaleString("en-US")} examples with distinct contexts in groups of ${GROUP}, ${A} actions,
${F} active features (Zipf(1) over ${VOCABULARY.toLocaleString("en-US")} keys hashed into D = 2^18 buckets, plus a bias), minibatches of
64 groups, one thread. Ours: \`train()\` with its defaults and \`offPolicy.target: "grpo"\` (lazy AdamW, importance
correction; WebAssembly SIMD kernels, float64 weights, float32 AdamW moments). Reference: \`bench/torch_reference.py\`, the same objective written from
docs/rlvr-loop.md in PyTorch ${ref?.torch ?? "(skipped)"} (\`EmbeddingBag\` sum + \`SparseAdam\`, float64 weights and moments,
\`torch.set_num_threads(1)\`; clipped surrogate, group advantages with the minibatch fallback, truncated importance
weights, global gradient-norm clipping; no weight decay), in the same run: ${REPEAT} rounds of one epoch of ours then
one epoch of the reference (interleaved, so both see the same load), every epoch from zero weights on the same data;
median (min–max). Load average (1 min) at the end of the run: ${load.toFixed(1)} on ${cpus().length} cores.

Examples per CPU second of the process (user + system time: what one core does, whatever else runs on the
machine) and per wall-clock second (which, on a shared machine, also measures how often the scheduler ran us):

| trainer | examples per CPU second | examples per wall-clock second |
|---|---:|---:|
| rlvr-loop | ${cell(ourCpu)} | ${cell(ourWall)} |
| PyTorch reference | ${ref ? cell(ref.cpuRates) : `skipped: ${skipped}`} | ${ref ? cell(ref.rates) : "–"} |
| ratio of the medians | ${ratioCell(cpuRatio)} | ${ratioCell(wallRatio)} |
`;
process.stdout.write(markdown);
if (WRITE) {
  writeBenchSection("rlvr-loop-anchor", "rlvr-loop against PyTorch", markdown);
  recordGoal({
    id: "trainer vs PyTorch",
    measure: `offline GRPO, ${A} actions, ${F} active features, D = 2^18, one core, examples per CPU second (median of ${REPEAT} interleaved epochs)`,
    ours: `${k(median(ourCpu))}/s (wall: ${k(median(ourWall))}/s)`,
    anchor: ref
      ? `PyTorch ${ref.torch} ${k(median(ref.cpuRates))}/s (wall: ${k(median(ref.rates))}/s)`
      : `skipped: ${skipped}`,
    ratio: ref ? `×${cpuRatio.toFixed(2)} (wall ×${wallRatio.toFixed(2)})` : "—",
    goal: "≥ ×5 per CPU second",
    met: ref ? cpuRatio >= 5 : null,
    section: "rlvr-loop against PyTorch",
  });
}
