// Vega-Lite specs of the report's charts. Data strings (action names, parameter names, labels) only
// ever appear as data values, never as field names or expressions.
import type { TopLevelSpec } from "vega-lite";
import { int } from "./format.js";
import { downsample, type ReportModel, type Series } from "./model.js";
import { type RenderedChart, renderVegaLite } from "./vega.js";

/** A chart of the report: its SVG plus the texts around it. */
export interface Chart extends RenderedChart {
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what the chart shows (also the SVG's description). */
  readonly description: string;
  /** Said under the chart when its data was reduced. */
  readonly note: string | null;
}

const WIDTH = 560;
/** Largest number of trials drawn as lines in the validation-per-epoch chart. */
const MAX_TRIAL_CURVES = 40;

function rowsOf(s: Series, extra: Record<string, string | number>): Record<string, number | string | null>[] {
  const out: Record<string, number | string | null>[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const y = s.y[i]!;
    out.push({ x: s.x[i]!, y: Number.isFinite(y) ? y : null, ...extra });
  }
  return out;
}

async function chart(
  id: string,
  title: string,
  description: string,
  note: string | null,
  spec: TopLevelSpec,
): Promise<Chart> {
  const rendered = await renderVegaLite(spec, title, description);
  return { id, title, description, note, ...rendered };
}

/** Training curves per step, one panel per metric, downsampled to `maxPoints` per series. */
export async function trainingCurvesChart(m: ReportModel, maxPoints: number): Promise<Chart | null> {
  if (m.stepSeries.length === 0 || m.stepSeries[0]!.x.length === 0) return null;
  const n = m.stepSeries[0]!.x.length;
  const values = m.stepSeries.flatMap((s) => rowsOf(downsample(s, maxPoints), { metric: s.name }));
  const reduced = n > maxPoints;
  const note = reduced
    ? `Each series downsampled from ${int(n)} to ${int(maxPoints)} points (largest-triangle-three-buckets: peaks and dips kept).`
    : null;
  return chart(
    "training-curves",
    "Training curves per step",
    `Reward, KL divergence to the reference policy, entropy, clip ratio and gradient norm at each of ${int(n)} optimizer steps of the final training.`,
    note,
    {
      data: { values },
      facet: {
        row: {
          field: "metric",
          type: "nominal",
          sort: m.stepSeries.map((s) => s.name),
          title: null,
          header: { labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelFontWeight: "bold" },
        },
      },
      spec: {
        width: WIDTH,
        height: 70,
        mark: { type: "line", strokeWidth: 1.5, interpolate: "linear" },
        encoding: {
          x: { field: "x", type: "quantitative", title: "step", scale: { nice: false } },
          y: { field: "y", type: "quantitative", title: null, scale: { zero: false } },
        },
      },
      resolve: { scale: { y: "independent" } },
      ...(reduced
        ? { title: { text: "", subtitle: `downsampled to ${maxPoints} of ${n} points per series` } }
        : {}),
    } as TopLevelSpec,
  );
}

/**
 * Validation value per epoch: each tuning trial's intermediate values (the validation objective
 * after each epoch; the best trial emphasised), and the final training's own validation metric when
 * it had one.
 */
export async function epochChart(m: ReportModel): Promise<Chart | null> {
  const tuning = m.record.tuning;
  const best = tuning?.bestTrial ?? null;
  const trialRows: Record<string, number | string>[] = [];
  // One line per trial: beyond a few dozen the lines only hide each other (and cost time to draw),
  // so the chart keeps the best trials by value (m.trials is sorted that way).
  const withCurves = m.trials.filter((t) => t.intermediateValues.length > 0);
  const shown = withCurves.slice(0, MAX_TRIAL_CURVES);
  for (const t of shown) {
    for (const iv of t.intermediateValues) {
      trialRows.push({
        x: iv.step,
        y: iv.value,
        trial: t.number,
        series: t.number === best ? `best trial (${t.number})` : "other trials",
      });
    }
  }
  const finalRows = rowsOf(m.epochValidation, { series: "final training", trial: -1 }).filter(
    (r) => r["y"] !== null,
  );
  if (trialRows.length === 0 && finalRows.length === 0) return null;
  const bestName = `best trial (${best ?? "-"})`;
  const domain = ["other trials", bestName, "final training"];
  const range = ["#c5ccd3", "#0072B2", "#D55E00"];
  const trialsCount = new Set(trialRows.map((r) => r["trial"])).size;
  return chart(
    "validation",
    "Validation value per epoch",
    `The objective on validation after each epoch for ${int(trialsCount)} tuning trial${trialsCount === 1 ? "" : "s"} (the best one emphasised)${finalRows.length > 0 ? " and for the final training" : ""}.`,
    [
      withCurves.length > shown.length
        ? `The ${int(shown.length)} best of ${int(withCurves.length)} trials with intermediate values are shown.`
        : "",
      finalRows.length === 0 && m.record.training !== null
        ? `The final training used ${m.record.training.data} and had no separate validation metric.`
        : "",
    ]
      .filter((x) => x !== "")
      .join(" ") || null,
    {
      width: WIDTH,
      height: 200,
      // One layer per kind, so the best trial is drawn above the others.
      layer: [
        trialRows.filter((r) => r["series"] === "other trials"),
        trialRows.filter((r) => r["series"] !== "other trials"),
        finalRows,
      ]
        .filter((values) => values.length > 0)
        .map((values) => ({
          data: { values },
          mark: { type: "line", point: { size: 20 }, strokeWidth: 1.5 },
          encoding: {
            x: { field: "x", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
            y: { field: "y", type: "quantitative", title: "validation objective", scale: { zero: false } },
            detail: { field: "trial", type: "nominal" },
            color: { field: "series", type: "nominal", title: null, scale: { domain, range } },
          },
        })),
    } as TopLevelSpec,
  );
}

/** Objective per trial with the best-so-far line; pruned trials at their last reported value. */
export async function tuningHistoryChart(m: ReportModel): Promise<Chart | null> {
  const trials = [...(m.record.tuning?.trials ?? [])].sort((a, b) => a.number - b.number);
  if (trials.length === 0) return null;
  const points: Record<string, number | string>[] = [];
  const best: Record<string, number | string>[] = [];
  let bestSoFar = Number.NEGATIVE_INFINITY;
  let failed = 0;
  for (const t of trials) {
    const last = t.intermediateValues.at(-1)?.value;
    const v = t.value ?? (t.state === "pruned" ? last : undefined);
    if (v === undefined) failed++;
    else points.push({ trial: t.number, value: v, state: t.state });
    if (t.state === "complete" && t.value !== null && t.value > bestSoFar) bestSoFar = t.value;
    if (Number.isFinite(bestSoFar)) best.push({ trial: t.number, value: bestSoFar });
  }
  const note =
    failed > 0 ? `${int(failed)} failed trial${failed === 1 ? "" : "s"} without a value not shown.` : null;
  return chart(
    "tuning-history",
    "Tuning history",
    `Objective on validation for each of ${int(trials.length)} trials in trial order (pruned trials at their last reported value), with the best value found so far as a step line.`,
    note,
    {
      width: WIDTH,
      height: 220,
      layer: [
        {
          data: { values: best },
          mark: { type: "line", interpolate: "step-after", color: "#57606a", strokeDash: [4, 3] },
          encoding: {
            x: { field: "trial", type: "quantitative", title: "trial" },
            y: { field: "value", type: "quantitative", title: "objective", scale: { zero: false } },
          },
        },
        {
          data: { values: points },
          mark: { type: "point", filled: true, size: 40, opacity: 0.85 },
          encoding: {
            x: { field: "trial", type: "quantitative" },
            y: { field: "value", type: "quantitative" },
            color: {
              field: "state",
              type: "nominal",
              title: "trial state",
              scale: { domain: ["complete", "pruned", "running"], range: ["#0072B2", "#E69F00", "#8c959f"] },
            },
            shape: {
              field: "state",
              type: "nominal",
              scale: {
                domain: ["complete", "pruned", "running"],
                range: ["circle", "triangle-down", "square"],
              },
            },
          },
        },
      ],
    } as TopLevelSpec,
  );
}

/** One small scatter per parameter: its value against the objective (log axis for log-spaced numbers). */
export async function parametersChart(m: ReportModel, names: readonly string[]): Promise<Chart | null> {
  const trials = (m.record.tuning?.trials ?? []).filter((t) => t.value !== null);
  if (trials.length === 0 || names.length === 0) return null;
  const panels: TopLevelSpec[] = [];
  for (const name of names) {
    const vals = trials
      .filter((t) => Object.hasOwn(t.params, name))
      .map((t) => ({ p: t.params[name]!, value: t.value!, trial: t.number }));
    if (vals.length === 0) continue;
    const numeric = vals.every((v) => typeof v.p === "number");
    let log = false;
    if (numeric) {
      const nums = vals.map((v) => v.p as number);
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      log = lo > 0 && hi / lo >= 100;
    }
    const values = vals.map((v) => ({ p: numeric ? v.p : String(v.p), value: v.value }));
    panels.push({
      width: 160,
      height: 130,
      data: { values },
      // A title string is a literal in Vega (never an expression), escaped in the SVG like all text.
      title: { text: name, fontSize: 12, limit: 160 },
      mark: { type: "point", filled: true, size: 30, opacity: 0.7, color: "#0072B2" },
      encoding: {
        x: numeric
          ? { field: "p", type: "quantitative", title: null, scale: log ? { type: "log" } : { zero: false } }
          : { field: "p", type: "nominal", title: null, axis: { labelAngle: -30, labelLimit: 90 } },
        y: { field: "value", type: "quantitative", title: "objective", scale: { zero: false } },
      },
    } as TopLevelSpec);
  }
  if (panels.length === 0) return null;
  return chart(
    "parameters",
    "Parameters against the objective",
    `For each of ${int(panels.length)} tuned parameters, the value of every trial with a result against its objective on validation.`,
    null,
    { concat: panels, columns: 3, spacing: 16 } as unknown as TopLevelSpec,
  );
}

/** Off-policy estimates on test with interval bars, for the learned policy and each baseline. */
export async function estimatesChart(m: ReportModel): Promise<Chart | null> {
  if (m.policies.length === 0) return null;
  const values = m.policies.map((p) => ({
    policy: p.name,
    kind: p.key === "learned" ? "learned" : "baseline",
    value: p.estimate.value,
    lower: p.estimate.lower,
    upper: p.estimate.upper,
    estimator: p.estimator,
  }));
  return policyIntervalChart(
    "estimates",
    "Value on test with intervals",
    `Estimated value on the test split of the learned policy (DR), the logged behavior, the uniform policy and the best single action, each with its ${m.confidenceLabel} bootstrap interval.`,
    values,
    "kind",
  );
}

/** @internal Horizontal interval bars, one row per policy. */
export async function policyIntervalChart(
  id: string,
  title: string,
  description: string,
  values: readonly Record<string, string | number>[],
  colorField: string,
): Promise<Chart> {
  const order = [...new Set(values.map((v) => String(v["policy"])))];
  const y = { field: "policy", type: "nominal", title: null, sort: order, axis: { labelLimit: 220 } };
  return chart(id, title, description, null, {
    width: WIDTH - 160,
    height: { step: 28 },
    data: { values: [...values] },
    encoding: { y },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 2 },
        encoding: {
          x: { field: "lower", type: "quantitative", title: "value (mean reward)", scale: { zero: false } },
          x2: { field: "upper" },
          color: { field: colorField, type: "nominal", title: null },
        },
      },
      {
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: "value", type: "quantitative" },
          color: { field: colorField, type: "nominal", title: null },
        },
      },
    ],
  } as TopLevelSpec);
}

/**
 * Action shares: the logged behavior against the learned policy, both on test, when the record has
 * them; otherwise the logged shares of the whole dataset alone.
 */
export async function actionsChart(m: ReportModel): Promise<Chart | null> {
  if (m.behaviorActions.length === 0) return null;
  const values: Record<string, string | number>[] = [];
  if (m.learnedActions === null) {
    for (const a of m.behaviorActions)
      values.push({ action: a.action, policy: "logged behavior (dataset)", share: a.share });
  } else {
    for (const a of m.learnedActions) {
      values.push({ action: a.action, policy: "logged behavior (test)", share: a.logged });
      values.push({ action: a.action, policy: "learned policy (test)", share: a.share });
    }
  }
  const order = m.behaviorActions.map((a) => a.action);
  const note =
    m.learnedActions === null
      ? "This record does not carry the learned policy's action distribution; only the logged behavior is shown."
      : null;
  return chart(
    "actions",
    "Action distribution",
    m.learnedActions === null
      ? `Share of each of ${int(order.length)} actions in the logged data.`
      : `Share of each of ${int(order.length)} actions under the learned policy on test against the logged behavior.`,
    note,
    {
      width: WIDTH - 160,
      height: { step: 14 },
      data: { values },
      mark: { type: "bar" },
      encoding: {
        y: { field: "action", type: "nominal", title: null, sort: order, axis: { labelLimit: 200 } },
        yOffset: { field: "policy", type: "nominal" },
        x: { field: "share", type: "quantitative", title: "share", axis: { format: ".0%" } },
        color: { field: "policy", type: "nominal", title: null },
      },
    } as TopLevelSpec,
  );
}
