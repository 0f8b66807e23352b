import {
  diffFingerprintInputs,
  type FingerprintDiff,
  type JsonValue,
  type Manifest,
} from "@rlvr/env-fingerprint";
import type { JobRecord } from "@rlvr/job-record";
import { ReportError } from "./errors.js";
import { type Chart, policyIntervalChart } from "./internal/charts.js";
import { escapeMarkdown as esc, escapeHtml, markdownCode as mdCode } from "./internal/escape.js";
import { fixed, int, paramValue, signed } from "./internal/format.js";
import { code, n, table } from "./internal/html-writer.js";
import { mdTable } from "./internal/markdown-writer.js";
import { buildModel, type ReportModel } from "./internal/model.js";
import { figure, page, section } from "./internal/page.js";
import { type RenderOptions, recordFileOf, resolveRenderOptions } from "./options.js";
import { toJobRecord } from "./record.js";

/** A comparison in both formats. */
export interface RenderedComparison {
  /** Markdown, for pull requests and terminals. */
  readonly markdown: string;
  /** One self-contained HTML page with charts. */
  readonly html: string;
}

/** How run `index` compares with the first run (the reference). */
export interface RunComparison {
  /** Position of the run in the input (1-based in texts). */
  readonly index: number;
  /** Learned-policy DR value of this run minus that of the reference (NaN when either has no evaluation). */
  readonly difference: number;
  /**
   * `"beyond-intervals"` when the two learned-policy intervals do not overlap, `"within-intervals"`
   * when they do, `"unavailable"` when either run has no evaluation.
   */
  readonly significance: "beyond-intervals" | "within-intervals" | "unavailable";
  /** Fingerprint inputs that differ from the reference's (empty when the fingerprints are equal). */
  readonly inputDiff: readonly FingerprintDiff[] | null;
}

function inputDiffOf(a: JobRecord, b: JobRecord): FingerprintDiff[] | null {
  if (a.manifest === null || b.manifest === null) return null;
  try {
    return diffFingerprintInputs(a.manifest as unknown as Manifest, b.manifest as unknown as Manifest);
  } catch {
    return null;
  }
}

/** @internal Compares every run with the first. */
export function compareRuns(records: readonly JobRecord[]): RunComparison[] {
  const ref = records[0]!;
  return records.map((r, index) => {
    const a = ref.evaluation?.learned.dr;
    const b = r.evaluation?.learned.dr;
    const inputDiff = index === 0 ? [] : inputDiffOf(ref, r);
    if (a === undefined || b === undefined) {
      return { index, difference: Number.NaN, significance: "unavailable", inputDiff };
    }
    const overlap = b.lower <= a.upper && a.lower <= b.upper;
    return {
      index,
      difference: b.value - a.value,
      significance: overlap ? "within-intervals" : "beyond-intervals",
      inputDiff,
    };
  });
}

const jsonText = (v: JsonValue | undefined) => (v === undefined ? "—" : JSON.stringify(v));
const runName = (r: JobRecord, i: number) => `#${i + 1} ${r.label}`;

function sentence(c: RunComparison, ref: string): string {
  if (c.significance === "unavailable") return "no learned-policy value to compare";
  const d = signed(c.difference);
  return c.significance === "beyond-intervals"
    ? `${d} vs ${ref}: differs beyond the intervals`
    : `${d} vs ${ref}: within the intervals (not distinguishable)`;
}

/**
 * Renders a side-by-side comparison of two or more job records, in Markdown and in one
 * self-contained HTML page: each run's learned-policy value with its interval next to its baselines,
 * whether each run's value differs from the first run's beyond their intervals (the intervals do not
 * overlap), what differs in the fingerprint inputs (through `diffFingerprintInputs` of
 * `@rlvr/env-fingerprint`, from the records' manifests), the best parameters side by side, and each
 * run's verdict. The first record is the reference. Every string from the records is escaped.
 * @param records - two or more job records (parsed JSON is fine: each is validated first)
 * @param options - see {@link RenderOptions} (`recordFile` does not apply)
 * @returns the Markdown and the HTML
 * @throws {@link ReportError} `INVALID_ARGUMENT` for fewer than two records or bad options,
 *   `INVALID_RECORD` (naming the record's position) for an invalid record, `RENDER_FAILED` if a
 *   chart cannot be drawn
 */
export async function renderComparison(
  records: readonly JobRecord[],
  options?: RenderOptions,
): Promise<RenderedComparison> {
  const opts = resolveRenderOptions("renderComparison", options);
  if (!Array.isArray(records) || records.length < 2) {
    throw new ReportError(
      "INVALID_ARGUMENT",
      `renderComparison: expected an array of at least two job records, got ${Array.isArray(records) ? `${records.length}` : typeof records}`,
    );
  }
  const valid = records.map((r, i) => toJobRecord(r, `record #${i + 1}`));
  const models = valid.map((r) => buildModel(r, recordFileOf(r, opts)));
  const comparisons = compareRuns(valid);
  const title = opts.title ?? "Run comparison";
  return {
    markdown: comparisonMarkdown(title, models, comparisons),
    html: await comparisonHtml(title, models, comparisons),
  };
}

function bestParamNames(models: readonly ReportModel[]): string[] {
  const names = new Set<string>();
  for (const m of models) for (const k of Object.keys(m.record.tuning?.bestParams ?? {})) names.add(k);
  return [...names];
}

function bestParam(m: ReportModel, k: string): string {
  const bp = m.record.tuning?.bestParams;
  return bp && Object.hasOwn(bp, k) ? paramValue(bp[k]) : "—";
}

function comparisonMarkdown(
  title: string,
  models: readonly ReportModel[],
  cmp: readonly RunComparison[],
): string {
  const out: string[] = [`# ${esc(title)}`, ""];
  const ref = "#1";
  out.push(
    mdTable(
      ["run", "job", "status", "learned (DR)", "interval", "behavior", "vs first run", "verdict"],
      models.map((m, i) => {
        const r = m.record;
        const ev = r.evaluation;
        return [
          esc(runName(r, i)),
          mdCode(r.jobId),
          r.status,
          ev ? fixed(ev.learned.dr.value) : "n/a",
          ev ? `${fixed(ev.learned.dr.lower)} – ${fixed(ev.learned.dr.upper)}` : "n/a",
          ev ? fixed(ev.baselines.behavior.value) : "n/a",
          i === 0 ? "reference" : esc(sentence(cmp[i]!, ref)),
          esc(m.verdict.sentence),
        ];
      }),
      "lllrrrll",
    ),
  );
  out.push("");
  out.push(
    `Intervals: ${models[0]!.confidenceLabel} percentile bootstrap. "Beyond the intervals" means the two learned-policy intervals do not overlap.`,
  );
  out.push("", "## What differs in the fingerprint inputs", "");
  for (let i = 1; i < models.length; i++) {
    const c = cmp[i]!;
    const a = models[0]!.record;
    const b = models[i]!.record;
    out.push(`### ${esc(runName(b, i))} against ${esc(runName(a, 0))}`, "");
    if (c.inputDiff === null) out.push("Not available: a record has no manifest.");
    else if (c.inputDiff.length === 0)
      out.push(a.fingerprint === b.fingerprint ? "Same fingerprint: identical inputs." : "No input differs.");
    else
      out.push(
        mdTable(
          ["input (JSON pointer)", "change", esc(runName(a, 0)), esc(runName(b, i))],
          c.inputDiff.map((d) => [mdCode(d.pointer), d.kind, mdCode(jsonText(d.a)), mdCode(jsonText(d.b))]),
        ),
      );
    out.push("");
  }
  const names = bestParamNames(models);
  if (names.length > 0) {
    out.push("## Best parameters", "");
    out.push(
      mdTable(
        ["parameter", ...models.map((m, i) => esc(runName(m.record, i)))],
        names.map((k) => [mdCode(k), ...models.map((m) => esc(bestParam(m, k)))]),
      ),
    );
    out.push("");
  }
  out.push("## Fingerprints", "");
  out.push(
    mdTable(
      ["run", "fingerprint", "dataset digest", "seed"],
      models.map((m, i) => [
        esc(runName(m.record, i)),
        mdCode(m.record.fingerprint),
        m.record.dataset ? mdCode(m.record.dataset.digest) : "n/a",
        String(m.record.spec.seed),
      ]),
    ),
  );
  out.push("");
  return out.join("\n");
}

async function comparisonHtml(
  title: string,
  models: readonly ReportModel[],
  cmp: readonly RunComparison[],
): Promise<string> {
  const nav: [string, string][] = [];
  const parts: string[] = [];
  const add = (id: string, t: string, content: string) => {
    nav.push([id, t]);
    parts.push(section(id, t, content));
  };
  const values: Record<string, string | number>[] = [];
  models.forEach((m, i) => {
    for (const p of m.policies) {
      if (p.key === "uniform") continue;
      values.push({
        policy: `${runName(m.record, i)}: ${p.key === "learned" ? "learned" : p.name}`,
        run: runName(m.record, i),
        value: p.estimate.value,
        lower: p.estimate.lower,
        upper: p.estimate.upper,
      });
    }
  });
  let chart: Chart | null = null;
  if (values.length > 0) {
    chart = await policyIntervalChart(
      "compare-estimates",
      "Value on test, by run",
      `Learned policy (DR), logged behavior and best single action of each run with ${models[0]!.confidenceLabel} intervals.`,
      values,
      "run",
    );
  }
  add(
    "runs",
    "Runs",
    table(
      "Learned-policy value on test, each run against the first",
      ["run", "job", "status", n("learned (DR)"), n("interval"), n("behavior"), "vs first run", "verdict"],
      models.map((m, i) => {
        const r = m.record;
        const ev = r.evaluation;
        return [
          runName(r, i),
          { content: code(r.jobId) },
          r.status,
          n(ev ? fixed(ev.learned.dr.value) : "n/a"),
          n(ev ? `${fixed(ev.learned.dr.lower)} – ${fixed(ev.learned.dr.upper)}` : "n/a"),
          n(ev ? fixed(ev.baselines.behavior.value) : "n/a"),
          i === 0 ? "reference" : sentence(cmp[i]!, "#1"),
          m.verdict.sentence,
        ];
      }),
    ) +
      figure(chart) +
      `<p class="muted">"Beyond the intervals" means the two learned-policy ${escapeHtml(models[0]!.confidenceLabel)} intervals do not overlap.</p>`,
  );
  let diffs = "";
  for (let i = 1; i < models.length; i++) {
    const c = cmp[i]!;
    const a = models[0]!.record;
    const b = models[i]!.record;
    const cap = `${runName(b, i)} against ${runName(a, 0)}`;
    if (c.inputDiff === null) diffs += `<p>${escapeHtml(cap)}: not available (a record has no manifest).</p>`;
    else if (c.inputDiff.length === 0)
      diffs += `<p>${escapeHtml(cap)}: ${a.fingerprint === b.fingerprint ? "same fingerprint, identical inputs." : "no input differs."}</p>`;
    else
      diffs += table(
        `${cap}: ${int(c.inputDiff.length)} input${c.inputDiff.length === 1 ? "" : "s"} differ`,
        ["input (JSON pointer)", "change", runName(a, 0), runName(b, i)],
        c.inputDiff.map((d) => [
          { content: code(d.pointer) },
          d.kind,
          { content: code(jsonText(d.a)) },
          { content: code(jsonText(d.b)) },
        ]),
      );
  }
  add("inputs", "What differs in the fingerprint inputs", diffs);
  const names = bestParamNames(models);
  if (names.length > 0) {
    add(
      "best-parameters",
      "Best parameters",
      table(
        "Best parameters of each run",
        ["parameter", ...models.map((m, i) => n(runName(m.record, i)))],
        names.map((k) => [{ content: code(k) }, ...models.map((m) => n(bestParam(m, k)))]),
      ),
    );
  }
  add(
    "fingerprints",
    "Fingerprints",
    table(
      "Fingerprint, dataset digest and seed of each run",
      ["run", "fingerprint", "dataset digest", n("seed")],
      models.map((m, i) => [
        runName(m.record, i),
        { content: code(m.record.fingerprint) },
        m.record.dataset ? { content: code(m.record.dataset.digest) } : "n/a",
        n(String(m.record.spec.seed)),
      ]),
    ),
  );
  const subtitle = `${int(models.length)} runs · reference: ${escapeHtml(runName(models[0]!.record, 0))}`;
  return page(title, subtitle, nav, parts.join(""));
}
