import { isAbsolute, relative, resolve, sep } from "node:path";
import {
  type EstimateRecord,
  type ExecutorFactory,
  type JobOutputRenderer,
  type JobRecord,
  type JobSpec,
  runJob,
  sanitizeLabel,
} from "@rlvr/orchestrator";
import { renderHtml, renderMarkdown } from "@rlvr/report-renderer";
import { CliError, ExitCode } from "./errors.js";
import { checkOutputFolder, userPath } from "./files.js";
import { type CliIo, createPalette, printable } from "./io.js";
import { createProgress, formatDuration, progressMode } from "./progress.js";
import { publicMessage } from "./report-error.js";
import { VERSION } from "./version.js";

/** The files a job leaves in its output folder (absolute paths). */
export interface JobOutputs {
  readonly record: string;
  readonly markdown: string | null;
  readonly html: string | null;
  readonly checkpoint: string | null;
  /** Further files written by the command (e.g. `tune`'s parameters file). */
  readonly extra?: readonly string[];
}

/** Options of {@link executeJob}. */
export interface ExecuteJobOptions {
  /** Continue from the job's resume state. @defaultValue false */
  readonly resume?: boolean;
  /** Print the record as JSON on stdout, no progress and no summary. @defaultValue false */
  readonly json?: boolean;
  /**
   * Writes more files from the record (inside the output folder) and returns their paths; runs
   * after the record and reports are written.
   * @defaultValue none
   */
  readonly extraOutputs?: (record: JobRecord) => Promise<readonly string[]>;
  /**
   * The executor of the tuning trials (`--executor`, `--redis`).
   * @defaultValue the job's choice: inline, or worker-pool with `--concurrency` above 1
   */
  readonly executor?: ExecutorFactory | undefined;
}

/** Output file names of a label: `<sanitised label>.job.json`, `.report.md`, `.report.html`. */
export function outputNames(label: string): { record: string; markdown: string; html: string } {
  const stem = sanitizeLabel(label);
  return { record: `${stem}.job.json`, markdown: `${stem}.report.md`, html: `${stem}.report.html` };
}

/** Joins a file name to the output folder, refusing anything that would land outside it. */
export function insideOut(outDir: string, name: string): string {
  const path = resolve(outDir, name);
  const rel = relative(outDir, path);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new CliError("FAILED", `refusing to write ${JSON.stringify(name)} outside ${outDir}`);
  }
  return path;
}

/**
 * Runs a job with progress on stderr; the job writes its record and the two reports into the output
 * folder before the registry says it is done. Prints a summary (or the record with `--json`) and
 * returns the exit code: 0 succeeded, 1 failed, 130 cancelled. Bad input throws a {@link CliError}
 * before anything is written.
 */
export async function executeJob(io: CliIo, spec: JobSpec, options: ExecuteJobOptions = {}): Promise<number> {
  await checkOutputFolder(userPath(io.cwd, spec.outDir ?? "."), "--out");
  const progress = createProgress(io, progressMode(io, options.json === true));
  const rendered = new Set<string>();
  let record: JobRecord;
  try {
    record = await runJob(spec, {
      baseDir: io.cwd,
      resume: options.resume === true,
      packages: { "rlvr-train": VERSION },
      onEvent: progress.onEvent,
      outputs: reportRenderers(rendered),
      ...(options.executor === undefined ? {} : { executor: options.executor }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } finally {
    progress.done();
  }
  const outputs = outputPaths(record, rendered);
  const extra = options.extraOutputs === undefined ? [] : await options.extraOutputs(record);
  if (options.json) io.stdout(`${JSON.stringify(record, null, 2)}\n`);
  else io.stdout(summarize(io, record, { ...outputs, extra }));
  return record.status === "succeeded"
    ? ExitCode.ok
    : record.status === "cancelled"
      ? ExitCode.interrupted
      : ExitCode.failed;
}

/**
 * The Markdown and HTML reports as the job's output renderers; each suffix that rendered is added to
 * `rendered` (a renderer that throws is a warning event, and its file is left out).
 */
function reportRenderers(rendered: Set<string>): JobOutputRenderer[] {
  return [
    {
      suffix: ".report.md",
      render: (record, { recordFile }) => {
        const text = renderMarkdown(record, { recordFile });
        rendered.add(".report.md");
        return text;
      },
    },
    {
      suffix: ".report.html",
      render: async (record, { recordFile }) => {
        const page = await renderHtml(record, { recordFile });
        rendered.add(".report.html");
        return page;
      },
    },
  ];
}

/** The files the job left in its output folder: the record, the reports that rendered, the checkpoint. */
function outputPaths(record: JobRecord, rendered: ReadonlySet<string>): JobOutputs {
  const outDir = record.volatile.outDir;
  const names = outputNames(record.label);
  return {
    record: insideOut(outDir, names.record),
    markdown: rendered.has(".report.md") ? insideOut(outDir, names.markdown) : null,
    html: rendered.has(".report.html") ? insideOut(outDir, names.html) : null,
    checkpoint: record.checkpoint === null ? null : insideOut(outDir, record.checkpoint.path),
  };
}

const num = (x: number) => x.toFixed(4);
const interval = (e: EstimateRecord) => `${num(e.value)} [${num(e.lower)}, ${num(e.upper)}]`;

/**
 * The summary lines on the shipping decision (records with `shipping`): which policy the checkpoint
 * holds and why, its value on test when it is not the learned policy, and warnings.
 */
export function shippingLines(record: JobRecord, c: ReturnType<typeof createPalette>): string[] {
  const s = record.shipping;
  if (s === undefined || s === null) return [];
  const name =
    s.shipped === "learned"
      ? "learned policy"
      : s.shipped === "behavior"
        ? "behavior model (imitates the logging policy)"
        : `single action, always "${printable(s.action ?? "?")}"`;
  const tag = s.shipped === "learned" ? (s.forced ? c.yellow(name) : c.green(name)) : c.yellow(name);
  const lines = [
    `  shipped: ${tag}${s.forced ? " (forced: the shipping rule is learned)" : ""} — ${printable(s.reason)}`,
  ];
  if (s.shipped !== "learned") {
    lines.push("  the checkpoint does not hold the learned policy (use --ship learned to force it)");
    if (s.shippedTest !== null)
      lines.push(`  shipped policy      ${c.bold(interval(s.shippedTest))} on test`);
  }
  if (s.validationSeenInTraining) {
    lines.push(
      c.yellow(
        "  warning: the final training used the validation split (train+validation), so the shipping decision's bounds are optimistic",
      ),
    );
  }
  return lines;
}

/** The human summary of a finished job: value with interval vs. baselines, fingerprint, paths. */
export function summarize(io: CliIo, record: JobRecord, outputs: JobOutputs): string {
  const c = createPalette(io);
  const shown = (p: string) => {
    const rel = relative(io.cwd, p);
    return rel.startsWith("..") || isAbsolute(rel) ? p : rel;
  };
  const lines: string[] = [];
  const took = formatDuration(record.volatile.durationMs);
  const head =
    record.status === "succeeded"
      ? c.green("✓ succeeded")
      : record.status === "cancelled"
        ? c.yellow("■ cancelled")
        : c.red("✗ failed");
  lines.push(`${head} ${c.bold(printable(record.label))} (${record.jobId}) in ${took}`);
  if (record.error !== null) {
    const { stage, code, message } = record.error;
    const where = stage === null ? "" : ` in the ${stage} stage`;
    const text = publicMessage(message.split("\n")[0] ?? "").replace(new RegExp(`^${stage}: `), "");
    lines.push(`  ${record.status}${where} (${printable(code)}): ${printable(text)}`);
    if (record.status === "cancelled") lines.push(`  resume with the same command and --resume`);
  }
  const ev = record.evaluation;
  if (ev !== null) {
    const pct = `${Math.round(ev.confidence * 100)} %`;
    const best = ev.baselines.bestSingleAction;
    lines.push(
      `  test split: ${ev.examples} examples in ${ev.groups} groups, DR estimates with ${pct} intervals`,
    );
    lines.push(`  learned policy      ${c.bold(interval(ev.learned.dr))}`);
    lines.push(
      `  behavior policy     ${interval(ev.baselines.behavior)}${ev.beats.behavior ? c.green("  ✓ beaten") : c.yellow("  ✗ not beaten")}`,
    );
    lines.push(
      `  best single action  ${interval(best.estimates.dr)} (${printable(best.action)})${ev.beats.bestSingleAction ? c.green("  ✓ beaten") : c.yellow("  ✗ not beaten")}`,
    );
  }
  lines.push(...shippingLines(record, c));
  const tuning = record.tuning;
  if (tuning !== null && tuning.bestValue !== null) {
    lines.push(
      `  tuning: ${tuning.trials.length} trials (${tuning.counts.complete} complete, ${tuning.counts.pruned} pruned, ${tuning.counts.failed} failed), best ${tuning.objective} ${num(tuning.bestValue)} (trial #${tuning.bestTrial})`,
    );
  }
  lines.push(`  fingerprint ${record.fingerprint}`);
  lines.push(`  record      ${shown(outputs.record)}`);
  if (outputs.markdown !== null) lines.push(`  report      ${shown(outputs.markdown)}`);
  if (outputs.html !== null) lines.push(`  report      ${shown(outputs.html)}`);
  if (outputs.checkpoint !== null) lines.push(`  checkpoint  ${shown(outputs.checkpoint)}`);
  for (const f of outputs.extra ?? []) lines.push(`  written     ${shown(f)}`);
  return `${lines.join("\n")}\n`;
}
