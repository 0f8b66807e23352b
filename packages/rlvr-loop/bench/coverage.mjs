// Interval coverage of the DR estimate on trace-shaped logs. For each log seed s: the trace world's logs
// (createTraceWorld(), 14 000 decisions), split by group as a job does (splitByGroup, seed s: 65 / 15 /
// 20 %), a policy trained with the default configuration on train (+ validation), evaluated on test with
// the training split's nuisance models (evaluate(policy, test, { trainingData: train, seed: s })), and
// its exact value: does the 95 % DR interval cover it? Twice: with the logged propensities, and with
// `behaviorProb` removed from every example (behavior model fitted on train). Also the behavior-imitating
// baseline fitBehaviorModel(train) and, as a diagnostic of the fitted propensities, the DR of the
// no-propensity case with the behavior model's floor raised or with clipped weights.
// Run after `pnpm run build`:
//   node bench/coverage.mjs [--seeds N] [--first S] [--workers W] [--examples N] [--no-write]
// Results go to docs/benchmarks.md, section "Interval coverage on trace-shaped logs".
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { splitByGroup } from "@rlvr/dataset";
import { writeBenchSection } from "../../../scripts/bench-report.mjs";
import { createTraceWorld, evaluate, fitBehaviorModel, train } from "../dist/index.js";

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SEEDS = arg("--seeds", 50);
const FIRST = arg("--first", 1);
const WORKERS = arg("--workers", 1); // the package's bench:coverage script runs 2
const N = arg("--examples", 14_000);
const WRITE = !args.includes("--no-write");
const JSON_OUT = args.includes("--json") ? args[args.indexOf("--json") + 1] : null; // raw per-seed results
const CASES = ["with", "without"];

const self = fileURLToPath(import.meta.url);

/** One interval against the exact value. */
function cover(est, exact) {
  return {
    value: est.value,
    lower: est.lower,
    upper: est.upper,
    se: est.standardError,
    exact,
    covered: est.lower <= exact && exact <= est.upper,
  };
}

let world;
/** Every measurement for one log seed (both cases). */
async function runSeed(seed) {
  world ??= createTraceWorld();
  const t0 = performance.now();
  const logs = world.generateTraceLogs({ n: N, seed });
  const examples = logs.dataset.examples;
  const out = { seed, cases: {} };
  for (const which of CASES) {
    const tc = performance.now();
    const data =
      which === "with"
        ? examples
        : examples.map((e) => {
            const { behaviorProb: _drop, ...rest } = e;
            return rest;
          });
    const split = splitByGroup(data, { seed, validation: 0.15, test: 0.2 });
    const trained = await train({ train: split.train, validation: split.validation }, { seed });
    const policy = trained.policy;
    const tTrain = performance.now();
    const ev = evaluate(policy, split.test, { trainingData: split.train, seed });
    const tEval = performance.now();
    const exact = world.exactValue(policy);
    const tExact = performance.now();
    // the same model in both cases (behaviorProb is not a feature): its exact value is computed once
    const behaviorModel = fitBehaviorModel(split.train);
    const evB = evaluate(behaviorModel, split.test, { trainingData: split.train, seed });
    out.exactBehaviorModel ??= world.exactValue(behaviorModel);
    const exactB = out.exactBehaviorModel;
    const r = {
      groups: { train: groupsOf(split.train), test: ev.numGroups },
      testExamples: ev.numExamples,
      behaviorSource: ev.behaviorSource,
      ess: ev.policy.effectiveSampleSize,
      dr: cover(ev.policy.dr, exact),
      dm: cover(ev.policy.dm, exact),
      ips: cover(ev.policy.ips, exact),
      snips: cover(ev.policy.snips, exact),
      behaviorModel: cover(evB.policy.dr, exactB),
      seconds: {
        train: (tTrain - tc) / 1000,
        evaluate: (tEval - tTrain) / 1000,
        exact: (tExact - tEval) / 1000,
      },
    };
    if (which === "without") {
      // diagnostics of the fitted propensities: the same data with the logged ones (the exact DR
      // weights), and with the fitted ones floored higher or clipped
      const logged = evaluate(
        policy,
        split.test.map((e) => ({ ...e, behaviorProb: probOf(examples, e.id) })),
        { trainingData: split.train, seed },
      );
      r.diag = {
        loggedProps: cover(logged.policy.dr, exact),
        floor01: cover(
          evaluate(policy, split.test, { trainingData: split.train, seed, minPropensity: 0.01 }).policy.dr,
          exact,
        ),
        floor05: cover(
          evaluate(policy, split.test, { trainingData: split.train, seed, minPropensity: 0.05 }).policy.dr,
          exact,
        ),
        fitLr02: cover(
          evaluate(policy, split.test, { trainingData: split.train, seed, fit: { learningRate: 0.02 } })
            .policy.dr,
          exact,
        ),
        clip10: cover(
          evaluate(policy, split.test, { trainingData: split.train, seed, clipWeight: 10 }).policy.dr,
          exact,
        ),
      };
    }
    r.seconds.total = (performance.now() - tc) / 1000;
    out.cases[which] = r;
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

let probIndex;
function probOf(examples, id) {
  if (!probIndex) probIndex = new Map(examples.map((e) => [e.id, e.behaviorProb]));
  return probIndex.get(id);
}
function groupsOf(examples) {
  return new Set(examples.map((e) => e.groupId)).size;
}

// ---- worker mode: run the seeds it is sent, report each result
if (process.argv.includes("--child")) {
  process.on("message", async (msg) => {
    if (msg.seed === undefined) process.exit(0);
    probIndex = undefined;
    process.send({ result: await runSeed(msg.seed) });
  });
} else {
  await main();
}

async function runAll(seeds) {
  const results = [];
  const t0 = performance.now();
  const log = (r) =>
    console.log(
      `seed ${r.seed}: ${CASES.map((c) => {
        const d = r.cases[c].dr;
        return `${c} DR ${d.value.toFixed(4)} [${d.lower.toFixed(4)}, ${d.upper.toFixed(4)}] exact ${d.exact.toFixed(4)} ${d.covered ? "covered" : "MISSED"}`;
      }).join("; ")} (${r.seconds.toFixed(1)} s)`,
    );
  if (WORKERS <= 1) {
    for (const s of seeds) {
      probIndex = undefined;
      const r = await runSeed(s);
      log(r);
      results.push(r);
    }
  } else {
    const queue = [...seeds];
    await Promise.all(
      Array.from({ length: Math.min(WORKERS, seeds.length) }, () => {
        const child = fork(self, ["--child"], { stdio: "inherit" });
        return new Promise((resolve, reject) => {
          const next = () => {
            const s = queue.shift();
            if (s === undefined) {
              child.send({});
              resolve();
            } else child.send({ seed: s });
          };
          child.on("message", (m) => {
            log(m.result);
            results.push(m.result);
            next();
          });
          child.on("error", reject);
          child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker exit ${code}`))));
          next();
        });
      }),
    );
  }
  results.sort((a, b) => a.seed - b.seed);
  return { results, seconds: (performance.now() - t0) / 1000 };
}

function summary(rows) {
  const k = rows.filter((r) => r.covered).length;
  const mean = (f) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const z = rows.map((r) => (r.value - r.exact) / r.se);
  const zMean = z.reduce((s, x) => s + x, 0) / z.length;
  return {
    k,
    n: rows.length,
    width: mean((r) => r.upper - r.lower),
    se: mean((r) => r.se),
    bias: mean((r) => r.value - r.exact),
    biasSe: zMean,
    // bias of the mean estimate in units of the standard error of the mean of the per-seed errors
    tMean:
      mean((r) => r.value - r.exact) /
      (Math.sqrt(mean((r) => (r.value - r.exact) ** 2) - mean((r) => r.value - r.exact) ** 2) /
        Math.sqrt(rows.length)),
    rmse: Math.sqrt(mean((r) => (r.value - r.exact) ** 2)),
    below: rows.filter((r) => r.exact > r.upper).length,
    above: rows.filter((r) => r.exact < r.lower).length,
    exact: mean((r) => r.exact),
  };
}

async function main() {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST + i);
  console.log(
    `coverage bench: ${SEEDS} log seeds (${FIRST}..${FIRST + SEEDS - 1}), ${N} decisions each, ${WORKERS} process(es)`,
  );
  const { results, seconds } = await runAll(seeds);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ seconds, results }));
  const pick = (which, f) => results.map((r) => f(r.cases[which]));
  const fmt = (x, d = 4) => x.toFixed(d);
  const line = (label, s) =>
    `| ${label} | **${s.k}/${s.n}** (${((100 * s.k) / s.n).toFixed(0)} %) | ${s.below} / ${s.above} | ${fmt(s.width)} | ${fmt(s.se)} | ${s.bias >= 0 ? "+" : ""}${fmt(s.bias)} | ${s.biasSe >= 0 ? "+" : ""}${s.biasSe.toFixed(2)} | ${fmt(s.rmse)} |`;
  const rowsOut = [];
  const sums = {};
  for (const which of CASES) {
    const tag = which === "with" ? "logged propensities" : "no propensities (behavior model fitted on train)";
    sums[which] = summary(pick(which, (c) => c.dr));
    rowsOut.push(line(`trained policy, DR, ${tag}`, sums[which]));
  }
  for (const which of CASES) {
    const tag = which === "with" ? "logged propensities" : "no propensities";
    rowsOut.push(line(`trained policy, DM, ${tag}`, summary(pick(which, (c) => c.dm))));
  }
  for (const which of CASES) {
    const tag = which === "with" ? "logged propensities" : "no propensities";
    rowsOut.push(line(`trained policy, SNIPS, ${tag}`, summary(pick(which, (c) => c.snips))));
  }
  for (const which of CASES) {
    const tag = which === "with" ? "logged propensities" : "no propensities";
    rowsOut.push(
      line(`\`fitBehaviorModel(train)\`, DR, ${tag}`, summary(pick(which, (c) => c.behaviorModel))),
    );
  }
  const diagRows = [];
  const diagLabels = {
    loggedProps: "the same test split with its logged propensities put back",
    floor01: "fitted propensities, `minPropensity: 0.01`",
    floor05: "fitted propensities, `minPropensity: 0.05`",
    fitLr02: "fitted models with `fit: { learningRate: 0.02 }` (default 0.05)",
    clip10: "fitted propensities, `clipWeight: 10`",
  };
  for (const [key, label] of Object.entries(diagLabels)) {
    diagRows.push(line(`trained policy, DR, ${label}`, summary(pick("without", (c) => c.diag[key]))));
  }
  const meanOf = (which, f) => pick(which, f).reduce((s, x) => s + x, 0) / results.length;
  const time = (which, key) => meanOf(which, (c) => c.seconds[key]).toFixed(1);
  const sameExact = results.filter((r) => r.cases.with.dr.exact === r.cases.without.dr.exact).length;
  const essW = meanOf("with", (c) => c.ess).toFixed(0);
  const essWo = meanOf("without", (c) => c.ess).toFixed(0);
  const header =
    "| policy, estimate, propensities | exact value covered | missed below / above | mean width | mean bootstrap SE | mean bias (estimate − exact) | mean bias in SEs | RMSE |\n|---|---|---|---:|---:|---:|---:|---:|";
  const markdown = `
Command: \`pnpm --filter @rlvr/rlvr-loop run bench:coverage\` (\`node bench/coverage.mjs${WORKERS > 1 ? ` --workers ${WORKERS}` : ""}\`, also run by \`npm run bench\`), ${SEEDS} log seeds s = ${FIRST}…${FIRST + SEEDS - 1}, ${WORKERS} process${WORKERS > 1 ? "es" : ""}, **${(seconds / 60).toFixed(1)} min** in all (${(seconds / SEEDS).toFixed(1)} s per seed, both cases) on the shared 2-core machine.

Per seed s: \`createTraceWorld()\` (default preset), \`generateTraceLogs({ n: ${N.toLocaleString("en-US")}, seed: s })\`; without
propensities, \`behaviorProb\` removed from every example. \`splitByGroup(examples, { seed: s, validation: 0.15,
test: 0.2 })\` (train 65 %: ${Math.round(meanOf("with", (c) => c.groups.train))} groups on average; test: ${Math.round(meanOf("with", (c) => c.groups.test))} groups, ${Math.round(meanOf("with", (c) => c.testExamples))} decisions);
\`train({ train, validation }, { seed: s })\` (default configuration); \`evaluate(policy, test, { trainingData: train,
seed: s })\` (500 resamples, 95 %); \`world.exactValue(policy)\`. Mean exact value of the trained policy
${fmt(sums.with.exact, 3)} (with) and ${fmt(sums.without.exact, 3)} (without); the two cases train the same policy in ${sameExact}/${SEEDS} seeds.
Mean effective sample size of the DR weights: ${essW} with logged propensities, ${essWo} with fitted ones.
Mean time per seed and case: training ${time("with", "train")} / ${time("without", "train")} s, evaluation ${time("with", "evaluate")} / ${time("without", "evaluate")} s, exact value ${time("with", "exact")} / ${time("without", "exact")} s (with / without).

**Claim** ("the DR 95 % interval of the shipped policy covers its exact value in ≥ 90 % of 50 log seeds, for logs
with and without propensities"): with propensities ${sums.with.k}/${sums.with.n} (${sums.with.k >= 0.9 * sums.with.n ? "met" : "**not met**"}), without ${sums.without.k}/${sums.without.n} (${sums.without.k >= 0.9 * sums.without.n ? "met" : "**not met**"}).

${header}
${rowsOut.join("\n")}

"Mean bias in SEs" is the mean over seeds of (estimate − exact) / bootstrap SE; a 95 % interval misses
about 5 % of the time when this is near 0 and the SE is right.

Diagnostics of the no-propensity case (same policies, same test splits; only the propensities of the DR
weights change):

${header}
${diagRows.join("\n")}
`;
  console.log(markdown);
  if (WRITE) writeBenchSection("rlvr-loop-coverage", "Interval coverage on trace-shaped logs", markdown);
}
