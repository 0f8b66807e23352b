import { basename, dirname, join } from "node:path";
import type { JobRecord } from "@rlvr/orchestrator";
import {
  parseJobRecord,
  type RenderOptions,
  renderComparison,
  renderHtml,
  renderMarkdown,
} from "@rlvr/report-renderer";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { checkOutputFolder, readUserFile, userPath } from "../files.js";
import type { CliIo } from "../io.js";
import { writeFileAtomic } from "../write-file-atomic.js";

/** `<name>` of `<name>.job.json` (or `<name>.json`): the stem of the report files. */
export function reportStem(file: string): string {
  const base = basename(file);
  for (const suffix of [".job.json", ".json"])
    if (base.endsWith(suffix) && base.length > suffix.length) return base.slice(0, -suffix.length);
  return base;
}

async function readRecordFile(file: string, cwd: string): Promise<JobRecord> {
  const bytes = await readUserFile(file, cwd, "job record");
  return parseJobRecord(bytes.toString("utf8"), file) as JobRecord;
}

function renderOptions(args: { title?: unknown; volatile?: unknown; "max-points"?: unknown }): RenderOptions {
  const title = optionalString(args.title, "--title");
  const maxText = optionalString(args["max-points"], "--max-points");
  const maxPoints = maxText === undefined ? undefined : Number(maxText);
  if (maxText !== undefined && (!/^\d+$/.test(maxText) || (maxPoints ?? 0) < 10)) {
    throw new CliError(
      "USAGE",
      `--max-points: expected an integer of at least 10, got ${JSON.stringify(maxText)}`,
    );
  }
  return {
    ...(title === undefined ? {} : { title }),
    ...(maxPoints === undefined ? {} : { maxPointsPerSeries: maxPoints }),
    includeVolatile: args.volatile !== false,
  };
}

/** Options of `report` (and of `rlvr-report`). */
const REPORT_ARGS = {
  out: {
    type: "string",
    description:
      "Output folder, created if missing (default: the record's folder; for compare the working folder)",
    valueHint: "DIR",
  },
  title: { type: "string", description: "Report title", valueHint: "TEXT" },
  volatile: {
    type: "boolean",
    default: true,
    description:
      "Include times, host and durations (--no-volatile: byte-identical reports for identical jobs)",
  },
  "max-points": {
    type: "string",
    description: "Largest number of points per chart series (default 400)",
    valueHint: "N",
  },
} as const;

/**
 * `rlvr-train report <job.json>` writes `<name>.report.md` and `<name>.report.html`;
 * `rlvr-train report compare <a.job.json> <b.job.json> [...]` writes `comparison.report.md` and `.html`.
 * The same command is the `rlvr-report` binary.
 */
export const reportCommand = defineCommand({
  meta: {
    name: "report",
    description:
      "Render a job record as Markdown and self-contained HTML (report <job.json>), or compare runs (report compare <a.job.json> <b.job.json> ...).",
  },
  args: {
    record: { type: "positional", description: "Job record, or `compare` then two or more", required: false },
    ...REPORT_ARGS,
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const options = renderOptions(args);
    const compare = args._[0] === "compare";
    const files = compare ? args._.slice(1) : args._;
    if (compare ? files.length < 2 : files.length !== 1) {
      throw new CliError(
        "USAGE",
        compare
          ? "report compare needs at least two job record files"
          : `report needs exactly one job record file, got ${files.length}`,
      );
    }
    const records: JobRecord[] = [];
    for (const file of files) records.push(await readRecordFile(file, io.cwd));
    const out = optionalString(args.out, "--out");
    const first = files[0] as string;
    const outDir = userPath(io.cwd, out ?? (compare ? "." : dirname(first)));
    let stem = "comparison";
    let rendered: { markdown: string; html: string };
    if (compare) rendered = await renderComparison(records, options);
    else {
      stem = reportStem(first);
      const single = { ...options, recordFile: basename(first) };
      const record = records[0] as JobRecord;
      rendered = { markdown: renderMarkdown(record, single), html: await renderHtml(record, single) };
    }
    await checkOutputFolder(outDir, "--out");
    const md = join(outDir, `${stem}.report.md`);
    const html = join(outDir, `${stem}.report.html`);
    await writeFileAtomic(md, rendered.markdown);
    await writeFileAtomic(html, rendered.html);
    io.stdout(`${md}\n${html}\n`);
    return ExitCode.ok;
  },
});
