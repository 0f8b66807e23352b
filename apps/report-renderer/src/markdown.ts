import type { JobRecord } from "@rlvr/job-record";
import { markdownCode as code, escapeMarkdown as esc } from "./internal/escape.js";
import { bytes, duration, fixed, int, num, paramValue, percent, signed } from "./internal/format.js";
import { mdTable } from "./internal/markdown-writer.js";
import { buildModel, intervalNote, type ReportModel } from "./internal/model.js";
import { bucketMeans, sparkline } from "./internal/stats.js";
import {
  type RenderOptions,
  type ResolvedRenderOptions,
  recordFileOf,
  resolveRenderOptions,
} from "./options.js";
import { toJobRecord } from "./record.js";

/**
 * Renders a job record as Markdown for pull requests and terminals: the verdict and the learned
 * policy's value on test with its interval next to the baselines first, then what is needed to
 * reproduce the job, the best parameters, the trials, parameter importance, training curves as a
 * compact table, all off-policy estimates, the dataset, artifacts and (optionally) timings. Every
 * string taken from the record is escaped, so it renders as text.
 *
 * Pure and deterministic: the same record and options give the same string.
 * @param record - a job record (parsed JSON is fine: it is validated first)
 * @param options - see {@link RenderOptions}
 * @returns the Markdown text, ending with a newline
 * @throws {@link ReportError} `INVALID_RECORD` for a value that is not a valid job record,
 *   `INVALID_ARGUMENT` for bad options
 */
export function renderMarkdown(record: JobRecord, options?: RenderOptions): string {
  const opts = resolveRenderOptions("renderMarkdown", options);
  const valid = toJobRecord(record);
  return markdownOf(buildModel(valid, recordFileOf(valid, opts)), opts);
}

/** @internal The Markdown of a model (also used by the comparison). */
export function markdownOf(m: ReportModel, opts: ResolvedRenderOptions, level = 1): string {
  const r = m.record;
  const h = (n: number) => "#".repeat(Math.min(6, level + n - 1));
  const out: string[] = [];
  out.push(`${h(1)} ${esc(opts.title ?? `Job report: ${r.label}`)}`);
  out.push("");
  const statusLine = [
    `**Status:** ${r.status}`,
    `**Job:** ${code(r.jobId)}`,
    r.evaluation
      ? `**Test split:** ${int(r.evaluation.examples)} examples in ${int(r.evaluation.groups)} groups`
      : "",
  ]
    .filter((s) => s !== "")
    .join(" · ");
  out.push(statusLine);
  if (r.error !== null) {
    out.push("");
    out.push(
      `> **Job ${r.status}${r.error.stage ? ` during ${r.error.stage}` : ""}:** ${code(r.error.code)} ${esc(r.error.message)}`,
    );
  }
  out.push("");
  out.push(`${h(2)} Summary`);
  out.push("");
  out.push(`**Verdict:** ${esc(m.verdict.sentence)}`);
  if (m.policies.length > 0) {
    out.push("");
    out.push(
      mdTable(
        ["policy", "estimator", "value on test", `${m.confidenceLabel} interval`, "ESS"],
        m.policies.map((p) => [
          p.key === "learned" ? `**${esc(p.name)}**` : esc(p.name),
          p.estimator,
          p.key === "learned" ? `**${fixed(p.estimate.value)}**` : fixed(p.estimate.value),
          `${fixed(p.estimate.lower)} – ${fixed(p.estimate.upper)}`,
          p.ess === null ? "" : num(p.ess, 4),
        ]),
        "llrrr",
      ),
    );
    out.push("");
    out.push(intervalNote(m.verdict, r.evaluation!.resamples));
  }

  const ship = m.shipping;
  if (ship !== null) {
    out.push("");
    out.push(`${h(2)} Shipped policy`);
    out.push("");
    out.push(
      `**Shipped: ${esc(ship.name)}**${ship.forced ? " (forced)" : ""} · rule ${code(ship.rule)}. ${esc(ship.reason)}`,
    );
    if (ship.forcedNote !== null) {
      out.push("");
      out.push(`**Forced:** ${esc(ship.forcedNote)}`);
    }
    if (ship.warning !== null) {
      out.push("");
      out.push(`**Warning:** ${esc(ship.warning)}`);
    }
    out.push("");
    out.push(
      mdTable(
        ["paired DR difference (validation)", "value", `${ship.confidenceLabel} interval`, "above 0"],
        ship.differences.map((d) => [
          esc(d.name),
          signed(d.estimate.value),
          `${signed(d.estimate.lower)} – ${signed(d.estimate.upper)}`,
          d.estimate.lower > 0 ? "yes" : "no",
        ]),
        "lrrl",
      ),
    );
    out.push("");
    out.push(
      `Validation values: ${ship.validation.map((v) => `${esc(v.name)} ${fixed(v.estimate.value)} (${fixed(v.estimate.lower)} – ${fixed(v.estimate.upper)})`).join("; ")}.`,
    );
    if (ship.test !== null) {
      out.push("");
      out.push(
        `**Shipped policy on test:** ${fixed(ship.test.estimate.value)} (${ship.confidenceLabel} interval ${fixed(ship.test.estimate.lower)} – ${fixed(ship.test.estimate.upper)}; ${ship.test.estimator}).`,
      );
    }
    if (m.finalModel !== null) {
      out.push("");
      out.push(`**Final model:** ${esc(m.finalModel)}`);
    }
  }

  out.push("");
  out.push(`${h(2)} Reproduce`);
  out.push("");
  const repro: [string, string][] = [
    ["fingerprint", code(r.fingerprint)],
    ["dataset digest", r.dataset ? code(r.dataset.digest) : "n/a"],
    ["seed", code(String(r.spec.seed))],
    [
      "split",
      r.split
        ? `validation ${percent(r.split.validation)} · test ${percent(r.split.test)} (by group)`
        : "n/a",
    ],
    ["final training on", r.training ? esc(r.training.data) : esc(r.spec.finalTraining)],
  ];
  const pkgs = Object.entries(r.packages);
  if (pkgs.length > 0) repro.push(["packages", pkgs.map(([n, v]) => `${esc(n)} ${esc(v)}`).join(", ")]);
  out.push(mdTable(["input", "value"], repro));
  out.push("");
  out.push("```sh");
  out.push(m.replayCommand.replace(/`/g, "'"));
  out.push("```");

  const tuning = r.tuning;
  if (tuning !== null) {
    out.push("");
    out.push(`${h(2)} Best parameters`);
    out.push("");
    if (tuning.bestParams !== null && tuning.bestTrial !== null) {
      out.push(
        `Trial ${tuning.bestTrial} reached ${fixed(tuning.bestValue)} (${esc(tuning.objective)} on validation).`,
      );
      out.push("");
      out.push(
        mdTable(
          ["parameter", "value"],
          Object.entries(tuning.bestParams).map(([k, v]) => [code(k), esc(paramValue(v))]),
          "lr",
        ),
      );
    } else out.push("No trial completed.");

    const c = tuning.counts;
    out.push("");
    out.push(`${h(2)} Trials`);
    out.push("");
    out.push(
      `${int(tuning.trials.length)} trials: ${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed${c.running ? `, ${c.running} running` : ""}. Sorted by value; the objective is ${esc(tuning.objective)} on validation, maximised.`,
    );
    if (m.trials.length > 0) {
      const names = paramNames(m);
      const shown = m.trials.slice(0, opts.maxTrialRows);
      out.push("");
      out.push(
        mdTable(
          ["#", "trial", "state", "value", ...names.map((n) => code(n))],
          shown.map((tr, i) => [
            String(i + 1),
            tr.number === tuning.bestTrial ? `**${tr.number}** (best)` : String(tr.number),
            tr.state === "complete"
              ? "complete"
              : `**${tr.state}**${tr.error ? ` ${code(tr.error.code ?? tr.error.name)}` : ""}`,
            tr.value === null ? "–" : fixed(tr.value),
            ...names.map((n) => (Object.hasOwn(tr.params, n) ? esc(paramValue(tr.params[n])) : "")),
          ]),
          `rllr${"r".repeat(names.length)}`,
        ),
      );
      if (m.trials.length > shown.length) {
        out.push("");
        out.push(`… ${int(m.trials.length - shown.length)} more trials in the job record.`);
      }
    }
    if (tuning.importance.length > 0) {
      out.push("");
      out.push(`${h(2)} Parameter importance`);
      out.push("");
      out.push(
        mdTable(
          ["parameter", "importance", "", "variance explained"],
          tuning.importance.map((p) => [
            code(p.name),
            percent(p.importance),
            "█".repeat(Math.round(p.importance * 20)) || "·",
            num(p.varianceExplained, 3),
          ]),
          "lrlr",
        ),
      );
      out.push("");
      out.push(
        "Share of the variance of the objective explained by each parameter's marginal means (first order).",
      );
    }
  }

  const training = r.training;
  if (training !== null) {
    out.push("");
    out.push(`${h(2)} Training`);
    out.push("");
    out.push(
      `${int(training.totalSteps)} of ${int(training.plannedSteps)} planned steps on ${esc(training.data)} (${int(training.examples)} examples, ${int(training.groups)} groups); stopped: ${esc(training.stopReason)}.`,
    );
    if (m.finalModel !== null && m.shipping === null) {
      out.push("");
      out.push(`**Final model:** ${esc(m.finalModel)}`);
    }
    if (m.stepSeries.length > 0) {
      out.push("");
      out.push(
        mdTable(
          ["metric (per step)", "first", "last", "min", "max", "curve"],
          m.stepSeries.map((s) => {
            let lo = Number.POSITIVE_INFINITY;
            let hi = Number.NEGATIVE_INFINITY;
            for (const v of s.y) {
              if (v < lo) lo = v;
              if (v > hi) hi = v;
            }
            return [
              esc(s.name),
              num(s.y[0]),
              num(s.y.at(-1)),
              num(lo),
              num(hi),
              code(sparkline(bucketMeans(s.y, 24))),
            ];
          }),
          "lrrrrl",
        ),
      );
    }
    const epochs = training.epochs;
    if (epochs.length > 0) {
      const every = Math.max(1, Math.ceil(epochs.length / 20));
      const rows = epochs.filter((_, i) => i % every === 0 || i === epochs.length - 1);
      out.push("");
      out.push(
        mdTable(
          ["epoch", "reward", "KL", "entropy", "clip ratio", "grad norm", "validation"],
          rows.map((e) => [
            String(e["epoch"] ?? ""),
            num(e["reward"]),
            num(e["kl"]),
            num(e["entropy"]),
            num(e["clip_ratio/region_mean"]),
            num(e["grad_norm"]),
            num(e["validation"]),
          ]),
          "rrrrrrr",
        ),
      );
      if (every > 1) out.push(`\nEvery ${every}th epoch shown (and the last).`);
    }
  }

  if (m.allEstimates.length > 0) {
    const ev = r.evaluation!;
    out.push("");
    out.push(`${h(2)} Off-policy estimates on test`);
    out.push("");
    const cell = (e: { value: number; lower: number; upper: number }) =>
      `${fixed(e.value)} (${fixed(e.lower)} – ${fixed(e.upper)})`;
    out.push(
      mdTable(
        ["policy", "IPS", "SNIPS", "DM", "DR", "ESS"],
        m.allEstimates.map((p) => [
          esc(p.name),
          cell(p.estimates.ips),
          cell(p.estimates.snips),
          cell(p.estimates.dm),
          cell(p.estimates.dr),
          num(p.estimates.effectiveSampleSize, 4),
        ]),
        "lrrrrr",
      ),
    );
    out.push("");
    out.push(
      `Logged behavior: ${cell(ev.baselines.behavior)}. Behavior probabilities: ${esc(ev.behaviorSource)}; reward model: ${esc(ev.rewardModelSource)}; ${m.confidenceLabel} intervals, ${int(ev.resamples)} bootstrap resamples, seed ${ev.seed}.`,
    );
  }

  if (m.behaviorActions.length > 0) {
    out.push("");
    out.push(`${h(2)} Actions`);
    out.push("");
    const onTest = new Map((m.learnedActions ?? []).map((a) => [a.action, a]));
    const head = [
      "action",
      "logged (dataset)",
      ...(m.learnedActions ? ["logged (test)", "learned policy (test)"] : []),
    ];
    out.push(
      mdTable(
        head,
        m.behaviorActions.map((a) => [
          code(a.action),
          `${percent(a.share)} (${int(a.count)})`,
          ...(m.learnedActions
            ? [percent(onTest.get(a.action)?.logged ?? 0), percent(onTest.get(a.action)?.share ?? 0)]
            : []),
        ]),
        m.learnedActions ? "lrrr" : "lr",
      ),
    );
  }

  if (r.dataset !== null || r.split !== null) {
    out.push("");
    out.push(`${h(2)} Dataset`);
    out.push("");
    const rows: [string, string][] = [];
    if (r.dataset) {
      rows.push(["files", r.dataset.files.map((f) => code(f)).join(", ") || "n/a"]);
      rows.push(["format", esc(r.dataset.format)]);
      const st = r.dataset.stats;
      if (typeof st["examples"] === "number") rows.push(["examples", int(st["examples"])]);
      if (typeof st["groups"] === "number") rows.push(["groups", int(st["groups"])]);
      if (typeof st["rewardMean"] === "number") rows.push(["mean reward", fixed(st["rewardMean"])]);
      rows.push(["actions", int(r.dataset.actions.length)]);
    }
    if (r.split) {
      const s = r.split.sizes;
      rows.push([
        "split (examples / groups)",
        `train ${int(s.train.examples)} / ${int(s.train.groups)} · validation ${int(s.validation.examples)} / ${int(s.validation.groups)} · test ${int(s.test.examples)} / ${int(s.test.groups)}`,
      ]);
    }
    out.push(mdTable(["", ""], rows));
  }

  out.push("");
  out.push(`${h(2)} Artifacts`);
  out.push("");
  if (r.checkpoint !== null) {
    const ck = r.checkpoint;
    out.push(
      mdTable(
        ["artifact", "file", "size", "digest"],
        [
          [
            "checkpoint",
            code(ck.path),
            bytes(ck.bytes),
            `${code(ck.fileDigest)} (file), ${code(ck.contentDigest)} (content)`,
          ],
        ],
        "llrl",
      ),
    );
  } else out.push("No checkpoint was written.");

  if (opts.includeVolatile) {
    const v = r.volatile;
    out.push("");
    out.push(`${h(2)} Timings`);
    out.push("");
    out.push(
      `Started ${esc(v.startedAt)}, finished ${esc(v.finishedAt)}, ${duration(v.durationMs)} on ${code(v.host)}${v.resumed ? " (resumed)" : ""}; peak memory ${bytes(v.peakRssBytes)}. These values are volatile: they may differ between two runs of the same job.`,
    );
    if (v.stages.length > 0) {
      out.push("");
      out.push(
        mdTable(
          ["stage", "time", "share"],
          v.stages.map((s) => [
            s.name + (s.resumed ? " (resumed)" : ""),
            duration(s.durationMs),
            percent(s.share),
          ]),
          "lrr",
        ),
      );
    }
  }
  out.push("");
  return out.join("\n");
}

/** Parameter names of the trials, best params first, in a stable order. */
export function paramNames(m: ReportModel): string[] {
  const seen = new Set<string>();
  for (const k of Object.keys(m.record.tuning?.bestParams ?? {})) seen.add(k);
  for (const tr of m.trials) for (const k of Object.keys(tr.params)) seen.add(k);
  return [...seen];
}
