import type { JobRecord } from "@rlvr/job-record";
import {
  actionsChart,
  type Chart,
  epochChart,
  estimatesChart,
  parametersChart,
  trainingCurvesChart,
  tuningHistoryChart,
} from "./internal/charts.js";
import { escapeHtml } from "./internal/escape.js";
import { bytes, duration, fixed, int, num, paramValue, percent, signed } from "./internal/format.js";
import { type Cell, code, h, n, raw, table } from "./internal/html-writer.js";
import { buildModel, intervalNote, type ReportModel } from "./internal/model.js";
import { figure, page, section } from "./internal/page.js";
import { paramNames } from "./markdown.js";
import {
  type RenderOptions,
  type ResolvedRenderOptions,
  recordFileOf,
  resolveRenderOptions,
} from "./options.js";
import { toJobRecord } from "./record.js";

/**
 * Renders a job record as one self-contained HTML page: the content of {@link renderMarkdown} plus
 * charts (training curves per step, validation value per epoch, tuning history with the best-so-far
 * line, parameters against the objective, off-policy estimates with interval bars, action
 * distribution), drawn with Vega-Lite to inline SVG. The page has no script and, through its
 * Content-Security-Policy, may load nothing: it works offline and in print. Every string taken from
 * the record is escaped. Long series are downsampled (the chart says so).
 *
 * Pure and deterministic (the same record and options give the same string); asynchronous only
 * because the chart library renders asynchronously.
 * @param record - a job record (parsed JSON is fine: it is validated first)
 * @param options - see {@link RenderOptions}
 * @returns the HTML document
 * @throws {@link ReportError} `INVALID_RECORD` for a value that is not a valid job record,
 *   `INVALID_ARGUMENT` for bad options, `RENDER_FAILED` if a chart cannot be drawn
 */
export async function renderHtml(record: JobRecord, options?: RenderOptions): Promise<string> {
  const opts = resolveRenderOptions("renderHtml", options);
  const valid = toJobRecord(record);
  const m = buildModel(valid, recordFileOf(valid, opts));
  const title = opts.title ?? `Job report: ${valid.label}`;
  const { nav, body } = await htmlBodyOf(m, opts, "");
  const subtitle = `${escapeHtml(valid.status)} · job <code>${escapeHtml(valid.jobId)}</code> · fingerprint <code>${escapeHtml(valid.fingerprint)}</code>`;
  return page(title, subtitle, nav, body);
}

/** Charts of one job, rendered in a fixed order (deterministic output). */
async function chartsOf(m: ReportModel, opts: ResolvedRenderOptions) {
  const names = paramNames(m);
  return {
    estimates: await estimatesChart(m),
    curves: await trainingCurvesChart(m, opts.maxPointsPerSeries),
    epochs: await epochChart(m),
    history: await tuningHistoryChart(m),
    params: await parametersChart(m, names),
    actions: await actionsChart(m),
  };
}

/** @internal The sections of one job's report, ids prefixed with `prefix`. */
export async function htmlBodyOf(
  m: ReportModel,
  opts: ResolvedRenderOptions,
  prefix: string,
): Promise<{ nav: [string, string][]; body: string; charts: Chart[] }> {
  const r = m.record;
  const c = await chartsOf(m, opts);
  const nav: [string, string][] = [];
  const parts: string[] = [];
  const add = (id: string, title: string, content: string) => {
    nav.push([`${prefix}${id}`, title]);
    parts.push(section(`${prefix}${id}`, title, content));
  };

  // Summary
  {
    let s = "";
    if (r.error !== null) {
      s += `<p class="alert" role="alert"><strong>Job ${escapeHtml(r.status)}${r.error.stage ? ` during ${escapeHtml(r.error.stage)}` : ""}:</strong> ${h(code(r.error.code))} ${escapeHtml(r.error.message)}</p>`;
    }
    s += `<p class="verdict ${m.verdict.kind}"><strong>Verdict:</strong> ${escapeHtml(m.verdict.sentence)}</p>`;
    if (m.policies.length > 0) {
      const ev = r.evaluation!;
      s += table(
        `Value of each policy on the test split (${int(ev.examples)} examples, ${int(ev.groups)} groups)`,
        ["policy", "estimator", n("value"), n(`${m.confidenceLabel} interval`), n("ESS")],
        m.policies.map((p) => [
          p.name,
          p.estimator,
          n(fixed(p.estimate.value)),
          n(`${fixed(p.estimate.lower)} – ${fixed(p.estimate.upper)}`),
          n(p.ess === null ? "" : num(p.ess, 4)),
        ]),
        (i) => (m.policies[i]!.key === "learned" ? "learned" : undefined),
      );
      s += figure(c.estimates);
      s += `<p class="muted">${escapeHtml(intervalNote(m.verdict, ev.resamples))}</p>`;
    }
    add("summary", "Summary", s);
  }

  // Shipped policy
  const ship = m.shipping;
  if (ship !== null) {
    let s = `<p class="shipped ${escapeHtml(ship.shipped)}"><strong>Shipped: ${escapeHtml(ship.name)}</strong>${ship.forced ? " (forced)" : ""} · rule ${h(code(ship.rule))}. ${escapeHtml(ship.reason)}</p>`;
    if (ship.forcedNote !== null) {
      s += `<p class="warn" role="note"><strong>Forced:</strong> ${escapeHtml(ship.forcedNote)}</p>`;
    }
    if (ship.warning !== null) {
      s += `<p class="warn" role="note"><strong>Warning:</strong> ${escapeHtml(ship.warning)}</p>`;
    }
    s += table(
      `Paired DR differences on the validation split, ${ship.confidenceLabel} intervals`,
      ["difference", n("value"), n(`${ship.confidenceLabel} interval`), "above 0"],
      ship.differences.map((d) => [
        d.name,
        n(signed(d.estimate.value)),
        n(`${signed(d.estimate.lower)} – ${signed(d.estimate.upper)}`),
        d.estimate.lower > 0 ? "yes" : "no",
      ]),
    );
    s += `<p class="muted">Validation values: ${escapeHtml(ship.validation.map((v) => `${v.name} ${fixed(v.estimate.value)} (${fixed(v.estimate.lower)} – ${fixed(v.estimate.upper)})`).join("; "))}.</p>`;
    if (ship.test !== null) {
      s += `<p><strong>Shipped policy on test:</strong> ${fixed(ship.test.estimate.value)} (${escapeHtml(ship.confidenceLabel)} interval ${fixed(ship.test.estimate.lower)} – ${fixed(ship.test.estimate.upper)}; ${escapeHtml(ship.test.estimator)}).</p>`;
    }
    if (m.finalModel !== null) s += `<p><strong>Final model:</strong> ${escapeHtml(m.finalModel)}</p>`;
    add("shipped", "Shipped policy", s);
  }

  // Reproduce
  {
    const rows: (string | Cell)[][] = [
      ["fingerprint", { content: code(r.fingerprint) }],
      ["dataset digest", r.dataset ? { content: code(r.dataset.digest) } : "n/a"],
      ["seed", { content: code(String(r.spec.seed)) }],
      [
        "split",
        r.split
          ? `validation ${percent(r.split.validation)} · test ${percent(r.split.test)} (by group)`
          : "n/a",
      ],
      ["final training on", r.training ? r.training.data : r.spec.finalTraining],
    ];
    const pkgs = Object.entries(r.packages);
    if (pkgs.length > 0) rows.push(["packages", pkgs.map(([k, v]) => `${k} ${v}`).join(", ")]);
    add(
      "reproduce",
      "Reproduce",
      table("Inputs that determine the result", ["input", "value"], rows) +
        `<p>Re-run the job from its record and check that the result is identical:</p><pre><code>${escapeHtml(m.replayCommand)}</code></pre>`,
    );
  }

  // Tuning
  const tuning = r.tuning;
  if (tuning !== null) {
    let s = "";
    if (tuning.bestParams !== null && tuning.bestTrial !== null) {
      s += `<p>Trial ${tuning.bestTrial} reached <strong>${fixed(tuning.bestValue)}</strong> (${escapeHtml(tuning.objective)} on validation, maximised).</p>`;
      s += table(
        "Best parameters",
        ["parameter", n("value")],
        Object.entries(tuning.bestParams).map(([k, v]) => [{ content: code(k) }, n(paramValue(v))]),
      );
    } else s += "<p>No trial completed.</p>";
    add("best-parameters", "Best parameters", s);

    const cnt = tuning.counts;
    let t = `<p>${int(tuning.trials.length)} trials: ${cnt.complete} complete, ${cnt.pruned} pruned, ${cnt.failed} failed${cnt.running ? `, ${cnt.running} running` : ""}.</p>`;
    t += figure(c.history);
    t += figure(c.params);
    if (m.trials.length > 0) {
      const names = paramNames(m);
      t += table(
        "Trials, sorted by value (pruned and failed last)",
        ["trial", "state", n("value"), ...names.map((k) => ({ content: code(k) }))],
        m.trials.map((tr) => [
          n(tr.number === tuning.bestTrial ? `${tr.number} (best)` : String(tr.number)),
          {
            content: raw(
              `<span class="state ${tr.state}">${tr.state}</span>${tr.error ? ` ${h(code(tr.error.code ?? tr.error.name))}` : ""}`,
            ),
          },
          n(tr.value === null ? "–" : fixed(tr.value)),
          ...names.map((k) => n(Object.hasOwn(tr.params, k) ? paramValue(tr.params[k]) : "")),
        ]),
        (i) => (m.trials[i]!.number === tuning.bestTrial ? "best" : undefined),
      );
    }
    add("trials", "Trials", t);

    if (tuning.importance.length > 0) {
      add(
        "importance",
        "Parameter importance",
        table(
          "Share of the objective's variance explained by each parameter (first order)",
          ["parameter", n("importance"), "", n("variance explained")],
          tuning.importance.map((p) => [
            { content: code(p.name) },
            n(percent(p.importance)),
            {
              content: raw(
                `<span class="bar" style="width:${Math.round(Math.max(0, Math.min(1, p.importance)) * 120)}px" aria-hidden="true"></span>`,
              ),
            },
            n(num(p.varianceExplained, 3)),
          ]),
        ),
      );
    }
  }

  // Training
  const training = r.training;
  if (training !== null) {
    let s = `<p>${int(training.totalSteps)} of ${int(training.plannedSteps)} planned steps on ${escapeHtml(training.data)} (${int(training.examples)} examples, ${int(training.groups)} groups); stopped: ${escapeHtml(training.stopReason)}.</p>`;
    if (m.finalModel !== null && m.shipping === null) {
      s += `<p><strong>Final model:</strong> ${escapeHtml(m.finalModel)}</p>`;
    }
    s += figure(c.curves);
    s += figure(c.epochs);
    if (training.epochs.length > 0) {
      s += table(
        "Metrics per epoch (means over the epoch's steps)",
        ["epoch", "reward", "KL", "entropy", "clip ratio", "grad norm", "validation"].map((x) => n(x)),
        training.epochs.map((e) => [
          n(String(e["epoch"] ?? "")),
          n(num(e["reward"])),
          n(num(e["kl"])),
          n(num(e["entropy"])),
          n(num(e["clip_ratio/region_mean"])),
          n(num(e["grad_norm"])),
          n(num(e["validation"])),
        ]),
      );
    }
    add("training", "Training", s);
  }

  // All estimates
  if (m.allEstimates.length > 0) {
    const ev = r.evaluation!;
    const cell = (e: { value: number; lower: number; upper: number }) =>
      n(`${fixed(e.value)} (${fixed(e.lower)} – ${fixed(e.upper)})`);
    add(
      "estimates",
      "Off-policy estimates on test",
      table(
        `Every estimator, with ${m.confidenceLabel} intervals`,
        ["policy", n("IPS"), n("SNIPS"), n("DM"), n("DR"), n("ESS")],
        [
          ...m.allEstimates.map((p) => [
            p.name,
            cell(p.estimates.ips),
            cell(p.estimates.snips),
            cell(p.estimates.dm),
            cell(p.estimates.dr),
            n(num(p.estimates.effectiveSampleSize, 4)),
          ]),
          ["logged behavior (on-policy mean)", n(""), n(""), n(""), cell(ev.baselines.behavior), n("")],
        ],
      ) +
        `<p class="muted">Behavior probabilities: ${escapeHtml(ev.behaviorSource)}; reward model: ${escapeHtml(ev.rewardModelSource)}; ${int(ev.resamples)} bootstrap resamples over groups, seed ${ev.seed}.</p>`,
    );
  }

  // Actions
  if (m.behaviorActions.length > 0) {
    const onTest = new Map((m.learnedActions ?? []).map((a) => [a.action, a]));
    add(
      "actions",
      "Actions",
      figure(c.actions) +
        table(
          "Action shares",
          [
            "action",
            n("logged (dataset)"),
            ...(m.learnedActions ? [n("logged (test)"), n("learned policy (test)")] : []),
          ],
          m.behaviorActions.map((a) => [
            { content: code(a.action) },
            n(`${percent(a.share)} (${int(a.count)})`),
            ...(m.learnedActions
              ? [n(percent(onTest.get(a.action)?.logged ?? 0)), n(percent(onTest.get(a.action)?.share ?? 0))]
              : []),
          ]),
        ),
    );
  }

  // Dataset
  if (r.dataset !== null || r.split !== null) {
    const rows: (string | Cell)[][] = [];
    if (r.dataset) {
      rows.push(["files", r.dataset.files.join(", ") || "n/a"]);
      rows.push(["format", r.dataset.format]);
      const st = r.dataset.stats;
      if (typeof st["examples"] === "number") rows.push(["examples", n(int(st["examples"]))]);
      if (typeof st["groups"] === "number") rows.push(["groups", n(int(st["groups"]))]);
      if (typeof st["rewardMean"] === "number") rows.push(["mean reward", n(fixed(st["rewardMean"]))]);
      rows.push(["actions", n(int(r.dataset.actions.length))]);
    }
    let s = table("Dataset", ["", ""], rows);
    if (r.split) {
      const z = r.split.sizes;
      s += table(
        "Split by group",
        ["part", n("examples"), n("groups")],
        [
          ["train", n(int(z.train.examples)), n(int(z.train.groups))],
          ["validation", n(int(z.validation.examples)), n(int(z.validation.groups))],
          ["test", n(int(z.test.examples)), n(int(z.test.groups))],
        ],
      );
    }
    add("dataset", "Dataset", s);
  }

  // Artifacts
  add(
    "artifacts",
    "Artifacts",
    r.checkpoint !== null
      ? table(
          "Files written by the job",
          ["artifact", "file", n("size"), "digest"],
          [
            [
              "checkpoint",
              { content: code(r.checkpoint.path) },
              n(bytes(r.checkpoint.bytes)),
              {
                content: raw(
                  `${h(code(r.checkpoint.fileDigest))} (file)<br>${h(code(r.checkpoint.contentDigest))} (content)`,
                ),
              },
            ],
          ],
        )
      : "<p>No checkpoint was written.</p>",
  );

  if (opts.includeVolatile) {
    const v = r.volatile;
    let s = `<p>Started ${escapeHtml(v.startedAt)}, finished ${escapeHtml(v.finishedAt)}, ${duration(v.durationMs)} on ${h(code(v.host))}${v.resumed ? " (resumed)" : ""}; peak memory ${bytes(v.peakRssBytes)}. These values are volatile: they may differ between two runs of the same job.</p>`;
    if (v.stages.length > 0) {
      s += table(
        "Time per stage",
        ["stage", n("time"), n("share"), ""],
        v.stages.map((st) => [
          st.name + (st.resumed ? " (resumed)" : ""),
          n(duration(st.durationMs)),
          n(percent(st.share)),
          {
            content: raw(
              `<span class="bar" style="width:${Math.round(Math.max(0, Math.min(1, st.share)) * 120)}px" aria-hidden="true"></span>`,
            ),
          },
        ]),
      );
    }
    add("timings", "Timings", s);
  }

  const charts = Object.values(c).filter((x): x is Chart => x !== null);
  return { nav, body: parts.join(""), charts };
}
