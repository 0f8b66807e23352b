// The report's content, computed once from a record and shared by the Markdown and HTML writers so
// that both say exactly the same thing.
import type {
  EstimateRecord,
  JobRecord,
  PolicyEstimatesRecord,
  ShippingRecord,
  TrialRecord,
} from "@rlvr/job-record";
import { sanitizeLabel } from "@rlvr/job-record";
import { lttbIndices } from "./downsample.js";
import { fixed, signed } from "./format.js";
import { normalQuantile } from "./stats.js";

/** One policy's value on test, as the summary shows it. */
export interface PolicyValue {
  readonly key: "learned" | "behavior" | "uniform" | "best-single";
  /** Plain-text name (may contain data: an action name). */
  readonly name: string;
  /** Which estimator gave the value. */
  readonly estimator: string;
  readonly estimate: EstimateRecord;
  /** Effective sample size of the importance weights (null for the logged behavior). */
  readonly ess: number | null;
}

/** The verdict of the learned policy against the logged behavior. */
export interface Verdict {
  readonly kind: "better" | "worse" | "indistinguishable" | "unavailable";
  /** Learned minus behavior (NaN when unavailable). */
  readonly difference: number;
  readonly lower: number;
  readonly upper: number;
  /**
   * How the interval was made: `paired` is the record's paired bootstrap interval of the difference
   * (the same resampled groups for both terms); `independent` combines the two standard errors as if
   * independent (records without `evaluation.differences`), which is conservative.
   */
  readonly method: "paired" | "independent" | "none";
  /** One plain-text sentence. */
  readonly sentence: string;
}

/** The note under the estimates that says how the verdict's interval was made. */
export function intervalNote(verdict: Verdict, resamples: number): string {
  const how =
    verdict.method === "paired"
      ? "The verdict's interval is the paired bootstrap interval of the difference: each resample draws the same groups for the learned policy and the behavior, so their shared noise cancels."
      : "The verdict's interval combines the two standard errors as if independent, which is conservative for estimates on the same split.";
  return `Intervals: percentile bootstrap over groups (${resamples} resamples). ${how} ESS: effective sample size of the importance weights.`;
}

/** One paired difference on validation, as the shipping table shows it. */
export interface ShippingDifference {
  /** Plain text: "learned − behavior". */
  readonly name: string;
  readonly estimate: EstimateRecord;
}

/** The shipping decision (records with `shipping`): which policy the checkpoint holds and why. */
export interface ShippingView {
  readonly shipped: ShippingRecord["shipped"];
  /** Plain-text name of the shipped policy ("learned policy", "behavior model", `always "x"`). */
  readonly name: string;
  readonly rule: ShippingRecord["rule"];
  readonly forced: boolean;
  /** The record's reason, a plain-text sentence with the numbers, first letter capitalised. */
  readonly reason: string;
  /** "95 %". */
  readonly confidenceLabel: string;
  /** A warning when the validation split was also trained on (the bounds are optimistic), else null. */
  readonly warning: string | null;
  /** A note when the learned policy was shipped by force, else null. */
  readonly forcedNote: string | null;
  /** The three paired DR differences on validation. */
  readonly differences: readonly ShippingDifference[];
  /** Validation values: learned (DR), behavior (logged mean), best single action (DR). */
  readonly validation: readonly { readonly name: string; readonly estimate: EstimateRecord }[];
  /** The shipped policy's estimate on test, and how it was estimated (plain text). */
  readonly test: { readonly estimate: EstimateRecord; readonly estimator: string } | null;
}

/** A numeric series for a chart or table. */
export interface Series {
  readonly name: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Step metrics shown as training curves, in order: record key and display name. */
export const STEP_METRICS: readonly (readonly [string, string])[] = [
  ["reward", "reward"],
  ["kl", "KL"],
  ["entropy", "entropy"],
  ["clip_ratio/region_mean", "clip ratio"],
  ["grad_norm", "grad norm"],
];

/** Everything both formats show. */
export interface ReportModel {
  readonly record: JobRecord;
  readonly confidence: number;
  /** "95 %". */
  readonly confidenceLabel: string;
  readonly policies: readonly PolicyValue[];
  readonly allEstimates: readonly { readonly name: string; readonly estimates: PolicyEstimatesRecord }[];
  readonly verdict: Verdict;
  /** The shipping decision; null for records without one (older records, unfinished jobs). */
  readonly shipping: ShippingView | null;
  /**
   * One plain-text line on the final model: how it was selected (`training.selection.summary`) and
   * the offline objective (`training.target`); null when the record has neither.
   */
  readonly finalModel: string | null;
  /** Trials sorted by value (complete first by decreasing value, then pruned, failed, running). */
  readonly trials: readonly TrialRecord[];
  /** Per step metric, the full series. */
  readonly stepSeries: readonly Series[];
  /** Per epoch: validation value (may be all NaN). */
  readonly epochValidation: Series;
  /** Per epoch: mean training reward. */
  readonly epochReward: Series;
  /** Logged action shares (whole dataset, from its statistics): action -> share. */
  readonly behaviorActions: readonly {
    readonly action: string;
    readonly share: number;
    readonly count: number;
  }[];
  /**
   * On test, when the record carries them: the learned policy's mean probability of each action
   * (`share`) and the logged behavior's share of it (`logged`).
   */
  readonly learnedActions:
    | readonly { readonly action: string; readonly share: number; readonly logged: number }[]
    | null;
  /** Command that re-runs the job from its record. */
  readonly replayCommand: string;
}

const STATE_ORDER: Readonly<Record<TrialRecord["state"], number>> = {
  complete: 0,
  pruned: 1,
  failed: 2,
  running: 3,
};

/** Trials by decreasing value (complete), then pruned by last intermediate value, failed, running; ties by number. */
export function sortTrials(trials: readonly TrialRecord[]): TrialRecord[] {
  const key = (t: TrialRecord) =>
    t.value ??
    (t.intermediateValues.length > 0 ? t.intermediateValues.at(-1)!.value : Number.NEGATIVE_INFINITY);
  return [...trials].sort(
    (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || key(b) - key(a) || a.number - b.number,
  );
}

/** The shell-quoted form of `word` (POSIX sh). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The file-name stem `rlvr-train` gives a label: the orchestrator's own `sanitizeLabel` (from `@rlvr/job-record`), not a copy. */
export const safeFileStem: (label: string) => string = sanitizeLabel;

/**
 * The verdict: learned (DR) minus the logged behavior value, with an interval from the two bootstrap
 * standard errors treated as independent. Both are computed on the same test split and are
 * positively correlated, so this interval is wider than a paired one: "excludes zero" is a
 * conservative claim.
 */
export function verdictOf(
  learned: EstimateRecord,
  behavior: EstimateRecord,
  confidence: number,
  confidenceLabel: string,
  paired?: EstimateRecord,
): Verdict {
  let difference: number;
  let lower: number;
  let upper: number;
  if (paired !== undefined) {
    ({ value: difference, lower, upper } = paired);
  } else {
    difference = learned.value - behavior.value;
    const z = normalQuantile(0.5 + confidence / 2);
    const half = z * Math.hypot(learned.standardError, behavior.standardError);
    lower = difference - half;
    upper = difference + half;
  }
  const method = paired !== undefined ? ("paired" as const) : ("independent" as const);
  const interval = `${confidenceLabel} interval ${signed(lower)} to ${signed(upper)}`;
  if (lower > 0) {
    return {
      kind: "better",
      difference,
      lower,
      upper,
      method,
      sentence: `Better than the logged behavior by ${signed(difference)} (${interval}), interval excludes zero.`,
    };
  }
  if (upper < 0) {
    return {
      kind: "worse",
      difference,
      lower,
      upper,
      method,
      sentence: `Worse than the logged behavior by ${fixed(-difference)} (${interval}), interval excludes zero.`,
    };
  }
  return {
    kind: "indistinguishable",
    difference,
    lower,
    upper,
    method,
    sentence: `Not distinguishable from the logged behavior: difference ${signed(difference)} (${interval}) includes zero.`,
  };
}

const capitalise = (s: string) => (s === "" ? s : s[0]!.toUpperCase() + s.slice(1));
const endSentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/** Plain-text name of a shipped policy. */
export function shippedName(shipping: Pick<ShippingRecord, "shipped" | "action">): string {
  if (shipping.shipped === "learned") return "learned policy";
  if (shipping.shipped === "single-action") return `single action: always "${shipping.action ?? "?"}"`;
  return "behavior model (imitates the logging policy)";
}

/** The shipping view of a record's `shipping`, or null. */
export function shippingViewOf(record: JobRecord): ShippingView | null {
  const s = record.shipping;
  if (s === undefined || s === null) return null;
  const confidenceLabel = `${fixed(100 * s.confidence, Number.isInteger(100 * s.confidence) ? 0 : 1)} %`;
  const single = `always "${s.bestSingleAction.action}"`;
  const d = s.differences;
  return {
    shipped: s.shipped,
    name: shippedName(s),
    rule: s.rule,
    forced: s.forced,
    reason: endSentence(capitalise(s.reason)),
    confidenceLabel,
    warning: s.validationSeenInTraining
      ? "The final training used the validation split (finalTraining train+validation), so these validation numbers are optimistic: the shipping rule saw data the policy was trained on."
      : null,
    forcedNote: s.forced
      ? 'The learned policy was shipped because the shipping rule is "learned" (forced), although it does not beat both baselines on validation.'
      : null,
    differences: [
      { name: "learned − behavior", estimate: d.learnedMinusBehavior },
      { name: `learned − ${single}`, estimate: d.learnedMinusBestSingleAction },
      { name: `${single} − behavior`, estimate: d.bestSingleActionMinusBehavior },
    ],
    validation: [
      { name: "learned policy (DR)", estimate: s.learned.dr },
      { name: "behavior (logged mean)", estimate: s.behavior },
      { name: `${single} (DR)`, estimate: s.bestSingleAction.estimates.dr },
    ],
    test:
      s.shippedTest === null
        ? null
        : {
            estimate: s.shippedTest,
            estimator: s.shipped === "behavior" ? "the behavior's mean logged reward" : "DR estimate",
          },
  };
}

/** The "final model" line of a record, or null when it has no selection and no target. */
export function finalModelOf(record: JobRecord): string | null {
  const t = record.training;
  if (t === null) return null;
  const parts: string[] = [];
  if (t.selection !== undefined) parts.push(endSentence(capitalise(t.selection.summary)));
  if (t.target !== undefined) {
    const m = t.targetModels ?? null;
    const folds = m !== null ? `, ${m.folds} folds` : "";
    const objective =
      t.target === "dm"
        ? `dm (direct-method policy gradient on a reward model cross-fitted on the training data${folds})`
        : t.target === "dr"
          ? `dr (doubly robust policy gradient; reward model${m !== null && m.behavior === "cross-fitted" ? " and behavior model" : ""} cross-fitted on the training data${folds})`
          : t.target === "grpo"
            ? "grpo (group-relative policy optimisation on the logged rewards)"
            : t.target;
    parts.push(`Objective: ${objective}.`);
  }
  return parts.length > 0 ? parts.join(" ") : null;
}

/** The learned policy's action distribution, if a (newer) record carries one. */
function learnedActionsOf(record: JobRecord): { action: string; share: number; logged: number }[] | null {
  const rows = record.evaluation?.actionDistribution;
  if (rows === undefined) return null;
  return rows.map((row) => ({ action: row.action, share: row.learned, logged: row.behavior }));
}

function seriesOf(
  name: string,
  rows: readonly Record<string, number | null>[],
  xKey: string,
  yKey: string,
): Series {
  const x = new Float64Array(rows.length);
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    x[i] = typeof row[xKey] === "number" ? row[xKey] : i + 1;
    const v = row[yKey];
    y[i] = typeof v === "number" ? v : Number.NaN;
  }
  return { name, x, y };
}

/** At most `max` points of `s`, chosen by LTTB. */
export function downsample(s: Series, max: number): Series {
  const idx = lttbIndices(s.x, s.y, max);
  if (idx.length === s.x.length) return s;
  const x = new Float64Array(idx.length);
  const y = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x[i] = s.x[idx[i]!]!;
    y[i] = s.y[idx[i]!]!;
  }
  return { name: s.name, x, y };
}

/** Builds the report model of a (validated) record. */
export function buildModel(record: JobRecord, recordFile: string): ReportModel {
  const ev = record.evaluation;
  const confidence = ev?.confidence ?? record.spec.evaluation.confidence;
  const confidenceLabel = `${fixed(100 * confidence, Number.isInteger(100 * confidence) ? 0 : 1)} %`;
  const policies: PolicyValue[] = [];
  const allEstimates: { name: string; estimates: PolicyEstimatesRecord }[] = [];
  let verdict: Verdict;
  if (ev !== null) {
    const best = ev.baselines.bestSingleAction;
    policies.push(
      {
        key: "learned",
        name: "learned policy",
        estimator: "DR",
        estimate: ev.learned.dr,
        ess: ev.learned.effectiveSampleSize,
      },
      {
        key: "behavior",
        name: "logged behavior",
        estimator: "logged mean",
        estimate: ev.baselines.behavior,
        ess: null,
      },
      {
        key: "uniform",
        name: "uniform random",
        estimator: "DR",
        estimate: ev.baselines.uniform.dr,
        ess: ev.baselines.uniform.effectiveSampleSize,
      },
      {
        key: "best-single",
        name: `best single action: ${best.action}`,
        estimator: "DR",
        estimate: best.estimates.dr,
        ess: best.estimates.effectiveSampleSize,
      },
    );
    allEstimates.push(
      { name: "learned policy", estimates: ev.learned },
      { name: "uniform random", estimates: ev.baselines.uniform },
      { name: `best single action: ${best.action}`, estimates: best.estimates },
    );
    verdict = verdictOf(
      ev.learned.dr,
      ev.baselines.behavior,
      confidence,
      confidenceLabel,
      ev.differences?.behavior,
    );
    const shipped = record.shipping;
    if (shipped !== undefined && shipped !== null && shipped.shipped !== "learned") {
      verdict = {
        ...verdict,
        sentence: `${verdict.sentence} The learned policy was not shipped: the checkpoint holds the ${shipped.shipped === "behavior" ? "behavior model" : `single-action policy (always "${shipped.action ?? "?"}")`} (see Shipped policy).`,
      };
    }
  } else {
    verdict = {
      kind: "unavailable",
      difference: Number.NaN,
      lower: Number.NaN,
      upper: Number.NaN,
      method: "none",
      sentence:
        record.status === "succeeded"
          ? record.spec.mode === "tune"
            ? "No verdict: a tuning-only job (rlvr-train tune) trains no final policy and does not touch the test split; train with its best parameters (rlvr-train train --params) for a verdict."
            : "No evaluation on test in this record."
          : `No verdict: the job ${record.status}${record.error?.stage ? ` during ${record.error.stage}` : ""} before the evaluation on test.`,
    };
  }

  const steps = (record.training?.steps ?? []) as readonly Record<string, number | null>[];
  const epochs = (record.training?.epochs ?? []) as readonly Record<string, number | null>[];
  const stepSeries = STEP_METRICS.filter(([key]) => steps.some((s) => typeof s[key] === "number")).map(
    ([key, name]) => seriesOf(name, steps, "step", key),
  );

  const counts = record.dataset?.stats["actions"];
  const behaviorActions: { action: string; share: number; count: number }[] = [];
  if (typeof counts === "object" && counts !== null) {
    let total = 0;
    for (const v of Object.values(counts)) if (typeof v === "number") total += v;
    for (const [action, v] of Object.entries(counts)) {
      if (typeof v === "number") behaviorActions.push({ action, count: v, share: total > 0 ? v / total : 0 });
    }
  }

  return {
    record,
    confidence,
    confidenceLabel,
    policies,
    allEstimates,
    verdict,
    shipping: shippingViewOf(record),
    finalModel: finalModelOf(record),
    trials: sortTrials(record.tuning?.trials ?? []),
    stepSeries,
    epochValidation: seriesOf("validation", epochs, "epoch", "validation"),
    epochReward: seriesOf("training reward", epochs, "epoch", "reward"),
    behaviorActions,
    learnedActions: learnedActionsOf(record),
    replayCommand: `rlvr-train replay ${shellQuote(recordFile)}`,
  };
}
