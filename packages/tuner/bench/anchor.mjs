// Anchor benchmark of @rlvr/tuner: our TPE and random samplers against Optuna's (Debian's
// python3-optuna, run by bench/optuna_anchor.py with /usr/bin/python3) in the same run, on the same
// suite (bench/suite.mjs): median best value after 50 trials over 20 seeds, and ask+tell overhead at
// 1 000 finished trials. Optuna's TPE runs twice: sequentially (its default use), and with the same
// information as our default study (pendingWindow 7: 7 trials running, `constant_liar=True`). When Optuna is missing, it tries `apt-get install python3-optuna` (as root),
// otherwise it says plainly that the anchor was skipped and reports our numbers alone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { recordGoal, writeBenchSection } from "../../../scripts/bench-report.mjs";
import { createRandomSampler, createStudy, createTpeSampler } from "../dist/index.js";
import { bestClean, median, SUITE } from "./suite.mjs";

const PYTHON = "/usr/bin/python3";
const TRIALS = 50;
// 20 seeds as in the issue; TUNER_ANCHOR_SEEDS=100 for a steadier median (5× the time).
const SEEDS = Array.from({ length: Number(process.env.TUNER_ANCHOR_SEEDS ?? 20) }, (_, i) => 1000 + i);
const OVERHEAD_N = 1000;
/** The default study's pending window (StudyOptions.pendingWindow), also given to Optuna's run. */
const WINDOW = 7;
const REPS = 30;
const ROUNDS = 3;
const log = (msg) => process.stderr.write(`tuner anchor: ${msg}\n`);

function optunaAvailable() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import optuna"], { stdio: "ignore" }).status === 0;
}

/** Optuna importable, after trying Debian's package if needed; otherwise the reason it is not. */
function ensureOptuna() {
  if (optunaAvailable()) return undefined;
  if (process.getuid?.() !== 0) return "python3-optuna is not installed and this is not root";
  log("python3-optuna missing: apt-get install -y python3-optuna");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-q", "python3-optuna"], { stdio: "inherit", env });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
    r = spawnSync("apt-get", ["install", "-y", "-q", "python3-optuna"], { stdio: "inherit", env });
  }
  return optunaAvailable() ? undefined : "apt-get install python3-optuna failed";
}

function runOptuna() {
  const script = fileURLToPath(new URL("./optuna_anchor.py", import.meta.url));
  const args = [
    script,
    "--trials",
    String(TRIALS),
    "--seeds",
    String(SEEDS.length),
    "--seed-base",
    String(SEEDS[0]),
    "--samplers",
    "tpe,tpe-window,random",
    "--window",
    String(WINDOW),
  ];
  args.push("--overhead-n", String(OVERHEAD_N), "--reps", String(REPS), "--rounds", String(ROUNDS));
  const r = spawnSync(PYTHON, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`optuna_anchor.py exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

/**
 * Median ask + tell (ms) on a Branin study holding OVERHEAD_N finished trials, grown with `sampler`:
 * the lowest of ROUNDS medians (the round least disturbed by other processes), as for Optuna.
 */
function ourOverhead(makeSampler) {
  const { space, f } = SUITE.branin;
  const study = createStudy({ space, seed: 1, sampler: makeSampler() });
  for (let i = 0; i < OVERHEAD_N; i++) {
    const t = study.ask();
    study.tell(t, f(t.params));
  }
  const medians = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      const t = study.ask();
      study.tell(t, f(t.params));
      times.push(performance.now() - t0);
    }
    medians.push(median(times));
  }
  return Math.min(...medians);
}

const SAMPLERS = {
  tpe: {
    label: "TPE, default study (pendingWindow 7)",
    make: () => createTpeSampler(),
    pendingWindow: WINDOW,
  },
  tpeSeq: { label: "TPE, sequential (pendingWindow 0)", make: () => createTpeSampler(), pendingWindow: 0 },
  tpeUni: {
    label: "TPE univariate (Optuna's algorithm), sequential",
    make: () => createTpeSampler({ multivariate: false }),
    pendingWindow: 0,
  },
  random: { label: "random", make: () => createRandomSampler(), pendingWindow: 0 },
};

const skipped = ensureOptuna();
let optuna;
if (skipped === undefined) {
  log(`running Optuna (${SEEDS.length} seeds × 4 functions × 3 samplers, then the overhead study)`);
  optuna = runOptuna();
} else {
  log(`ANCHOR SKIPPED: ${skipped}`);
}

const ours = {};
for (const name of Object.keys(SUITE)) {
  ours[name] = {};
  for (const [key, s] of Object.entries(SAMPLERS)) {
    ours[name][key] = median(
      SEEDS.map((seed) => bestClean(name, s.make, seed, { trials: TRIALS, pendingWindow: s.pendingWindow })),
    );
  }
}
const overhead = {
  tpe: ourOverhead(() => createTpeSampler()),
  random: ourOverhead(() => createRandomSampler()),
};

const f3 = (x) => x.toFixed(3);
const rows = [];
const verdicts = [];
const goals = [];
for (const [name, spec] of Object.entries(SUITE)) {
  const o = ours[name];
  const regret = (v) => v - spec.optimum;
  let seqCells = "skipped | –";
  let defCells = "skipped | – | –";
  let randomCell = "skipped";
  if (optuna !== undefined) {
    const a = optuna.suite[name];
    const at = median(a.tpe);
    const aw = median(a["tpe-window"]);
    const ratioSeq = regret(o.tpeSeq) / regret(at);
    const ratioWin = regret(o.tpe) / regret(aw);
    const ratioStrict = regret(o.tpe) / regret(at);
    verdicts.push({ name: spec.label, seq: ratioSeq <= 1, win: ratioWin <= 1, strict: ratioStrict <= 1 });
    goals.push({
      id: `tuner vs Optuna, ${spec.label}`,
      measure: `median over ${SEEDS.length} seeds of the best value after ${TRIALS} trials (optimum ${spec.optimum}); sequential, and the default study (window ${WINDOW}) against Optuna with ${WINDOW} running`,
      ours: `sequential ${f3(o.tpeSeq)}; window ${WINDOW} ${f3(o.tpe)}`,
      anchor: `Optuna TPE sequential ${f3(at)}; ${WINDOW} running ${f3(aw)}`,
      ratio: `regret ${f3(ratioSeq)}; ${f3(ratioWin)}`,
      goal: "regret ratio ≤ 1 (both)",
      met: ratioSeq <= 1 && ratioWin <= 1,
    });
    seqCells = `${f3(at)} | ${f3(ratioSeq)}`;
    defCells = `${f3(aw)} | ${f3(ratioWin)} | ${f3(ratioStrict)}`;
    randomCell = f3(median(a.random));
  }
  rows.push(
    `| ${spec.label} | ${spec.optimum} | ${f3(o.tpeSeq)} | ${seqCells} | ${f3(o.tpe)} | ${defCells} | ${f3(o.tpeUni)} | ${randomCell} | ${f3(o.random)} |`,
  );
}

const fmtMs = (x) => (x < 0.1 ? x.toFixed(4) : x.toFixed(3));
let overheadText;
if (optuna !== undefined) {
  const share = overhead.tpe / optuna.overhead.tpe_ms;
  overheadText = `| TPE | ${fmtMs(overhead.tpe)} | ${fmtMs(optuna.overhead.tpe_ms)} | 1/${(1 / share).toFixed(0)} |
| random | ${fmtMs(overhead.random)} | ${fmtMs(optuna.overhead.random_ms)} | 1/${(optuna.overhead.random_ms / overhead.random).toFixed(0)} |

- Goal: TPE ask+tell at most 1/20 of Optuna's: **1/${(1 / share).toFixed(0)}** (${share <= 1 / 20 ? "met" : "not met"}).`;
} else {
  overheadText = `| TPE | ${fmtMs(overhead.tpe)} | skipped | – |
| random | ${fmtMs(overhead.random)} | skipped | – |`;
}

/** " (not on: …)" for the functions where `key` failed. */
const notOn = (key) => {
  const failed = verdicts.filter((v) => !v[key]).map((v) => v.name);
  return failed.length === 0 ? "" : ` (not on: ${failed.join("; ")})`;
};
const verdict = (key) => `**${verdicts.every((v) => v[key]) ? "met" : "not met"}**${notOn(key)}`;
const goalLines =
  optuna === undefined
    ? `- **Anchor skipped**: ${skipped}. Our numbers are shown alone; no goal is checked.`
    : `- Goal, TPE at least as sample-efficient as Optuna's on every function (regret ratio ≤ 1), with the
  same information: sequential ${verdict("seq")}; default study against Optuna with the same ${WINDOW} trials
  running (\`constant_liar=True\`) ${verdict("win")}.
- The default study against Optuna run sequentially (each of its suggestions sees every earlier
  result, ours ignore the ${WINDOW} latest; both start TPE at trial 10, ours with ${WINDOW} fewer results): ${verdict("strict")}.
  That gap is the price of the pending window, not of the sampler (see docs/tuner.md, "Determinism
  and the pending window"): use \`pendingWindow: 0\` when trials run one at a time.`;

const LOAD = loadavg()[0].toFixed(1);
const markdown = `
### Against Optuna ${optuna?.optuna ?? "(skipped)"}: sample efficiency

Median over ${SEEDS.length} seeds (${SEEDS[0]}–${SEEDS[SEEDS.length - 1]}) of the best value after ${TRIALS} trials (minimising;
for the noisy functions, the noiseless value of the trial with the best observed value). Optuna runs
\`TPESampler(seed=s)\` / \`RandomSampler(seed=s)\` with its defaults, sequentially, and
\`TPESampler(seed=s, constant_liar=True)\` with ${WINDOW} trials running, from
\`bench/optuna_anchor.py\` (Python ${optuna ? `with numpy ${optuna.numpy}` : "not run"}), in the same run. Seeds of the two libraries
drive different generators, so each median is over different draws: a 20-seed median moves by about
±0.1 on Branin and Hartmann-6 from one seed set to the next.
"Ratio" is our median regret (median − optimum) over Optuna's: below 1 is better than Optuna. The
default study (pendingWindow ${WINDOW}) is compared with Optuna given the same information (trial k asked
while trials k − ${WINDOW} … k − 1 still run, \`TPESampler(constant_liar=True)\`), and, strictly, with
Optuna's sequential run.

| function | optimum | rlvr TPE, sequential | Optuna TPE, sequential | ratio | rlvr TPE, default study (window ${WINDOW}) | Optuna TPE, ${WINDOW} running | ratio | ratio to Optuna sequential | rlvr TPE univariate, sequential | Optuna random | rlvr random |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

${goalLines}
- A 20-seed median is noisy (seeds 1000–1019 are Optuna's luckiest fifth on Branin: its median over
  seeds 1000–1099 is 0.565, over these 20 it is 0.459). \`TUNER_ANCHOR_SEEDS=100 npm run bench\`
  reruns this table over 100 seeds; the 100-seed medians are in docs/tuner.md ("Determinism and the
  pending window", "Optuna's TPE, difference by difference"). Over seeds 1000–1099 (2026-12-03) the
  ratios were, sequential 0.15 / 0.49 / 0.52 / 0.43, default study against Optuna with 7 running
  0.50 / 0.76 / 0.66 / 0.59, and against Optuna sequential 0.61 / 0.93 / 0.72 / 0.52 (Branin /
  Hartmann-6 / sphere / mixed; before pending trials weighed 0.15 in g and counted towards
  \`nStartupTrials\`, the default study's were 0.67 / 0.85 / 1.05 / 0.62 and 0.81 / 1.04 / 1.14 / 0.55).
- Timing: load average ${LOAD} at the end of the run (${availableParallelism()} cores, shared);
  both libraries are timed in the same conditions.

### Against Optuna: ask + tell overhead at ${OVERHEAD_N.toLocaleString("en-US")} finished trials

Lowest of ${ROUNDS} medians of ${REPS} ask+tell (Optuna: \`ask()\`, two \`suggest_float\`, \`tell()\`, in-memory storage) on a Branin
study holding ${OVERHEAD_N.toLocaleString("en-US")} finished trials, default samplers.

| sampler | rlvr (ms) | Optuna (ms) | rlvr / Optuna |
|---|---:|---:|---:|
${overheadText}
`;

process.stdout.write(markdown);
writeBenchSection("tuner-anchor", "@rlvr/tuner against Optuna", markdown);
const section = "@rlvr/tuner against Optuna";
for (const goal of goals) recordGoal({ ...goal, section });
recordGoal({
  id: "tuner vs Optuna, ask + tell",
  measure: "TPE ask + tell at 1 000 finished trials (Branin, in memory)",
  ours: `${fmtMs(overhead.tpe)} ms`,
  anchor: optuna === undefined ? "skipped" : `Optuna ${fmtMs(optuna.overhead.tpe_ms)} ms`,
  ratio: optuna === undefined ? "—" : `1/${(optuna.overhead.tpe_ms / overhead.tpe).toFixed(0)}`,
  goal: "≤ 1/20",
  met: optuna === undefined ? null : overhead.tpe / optuna.overhead.tpe_ms <= 1 / 20,
  section,
});
if (optuna === undefined)
  for (const spec of Object.values(SUITE))
    recordGoal({
      id: `tuner vs Optuna, ${spec.label}`,
      measure: "median best value after 50 trials",
      ours: "see the section",
      anchor: "skipped",
      ratio: "—",
      goal: "regret ratio ≤ 1 (both)",
      met: null,
      section,
    });
