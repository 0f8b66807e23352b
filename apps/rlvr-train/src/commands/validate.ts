import {
  type DatasetFormatOption,
  describeIssues,
  type ValidationReport,
  type ValidationSummary,
} from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { FORMAT_OPTIONS, PROPENSITY_POINTER_HELP, parsePropensityPointer } from "../formats.js";
import { type CliIo, printable } from "../io.js";
import { readDatasetSummary } from "../read-dataset.js";
import { formatStats } from "../summary.js";

export { FORMAT_OPTIONS };

/** `rlvr-train validate <file...>` */
export const validateCommand = defineCommand({
  meta: {
    name: "validate",
    description:
      "Validate dataset files (JSON, JSONL, learning-trace, legacy RLVR, completions); exit 2 with every error when invalid.",
  },
  args: {
    files: { type: "positional", description: "Dataset file(s)", valueHint: "file...", required: true },
    format: {
      type: "enum",
      options: [...FORMAT_OPTIONS],
      default: "auto",
      description: "Dataset format (auto detects and reports it)",
    },
    "propensity-pointer": { type: "string", description: PROPENSITY_POINTER_HELP, valueHint: "pointer" },
    "max-errors": { type: "string", description: "Stop collecting errors of a file after N", default: "100" },
    json: { type: "boolean", description: "Print a JSON report on stdout" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const files = args._.length > 0 ? args._ : [];
    const maxErrors = Number(optionalString(args["max-errors"], "--max-errors"));
    if (!Number.isSafeInteger(maxErrors) || maxErrors < 1) {
      throw new CliError("USAGE", `--max-errors: expected a positive integer, got ${args["max-errors"]}`);
    }
    const format = args.format as DatasetFormatOption;
    const propensityPointer = parsePropensityPointer(
      optionalString(args["propensity-pointer"], "--propensity-pointer"),
      format,
    );
    const summary = await readDatasetSummary(files, io.cwd, {
      format,
      maxErrors,
      ...(propensityPointer === undefined ? {} : { propensityPointer }),
    });
    const { reports, valid } = summary;
    if (args.json) {
      io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      for (const report of reports) printReport(io, report, format);
      for (const warning of summaryWarnings(summary)) io.stderr(`warning: ${warning}\n`);
      if (reports.length > 1 && valid) {
        io.stdout(`✓ ${reports.length} files together: ids unique across files\n`);
        io.stdout(formatStats(summary.stats, summary.digest));
      }
    }
    if (!valid) {
      if (!args.json) {
        const bad = reports.filter((r) => !r.valid).length;
        io.stderr(`${bad} of ${reports.length} file(s) invalid\n`);
      }
      return ExitCode.badInput;
    }
    return ExitCode.ok;
  },
});

function printReport(io: CliIo, report: ValidationReport, format: DatasetFormatOption): void {
  const file = printable(report.file);
  const how = report.formatDetected ? "detected" : format === "auto" ? "not detected" : "given";
  if (report.valid) {
    io.stdout(`✓ ${file}: valid (${report.format}, ${how})\n`);
    io.stdout(formatStats(report.stats, report.digest));
  } else {
    for (const line of describeIssues(report.issues, report.issues.length)) io.stderr(`${printable(line)}\n`);
    const more = report.issuesTruncated ? ` (showing the first ${report.issues.length})` : "";
    io.stderr(`✗ ${file}: invalid (${report.format}, ${how}): ${report.issues.length} error(s)${more}\n`);
  }
  for (const warning of report.warnings)
    io.stderr(`warning: ${file}: ${printable(warning.message)}
`);
  for (const [reason, count] of Object.entries(report.excluded)) {
    if (count > 0) io.stderr(`note: ${file}: excluded ${count} example(s): ${reason}\n`);
  }
}

/**
 * Warnings about the files together that no single file's report carries (for example data with no
 * learnable signal), when the dataset package gives them: `summary.warnings` minus those of the
 * reports. Written against the field, which older versions do not have.
 */
export function summaryWarnings(summary: ValidationSummary): string[] {
  const all: unknown = (summary as { warnings?: unknown }).warnings;
  if (!Array.isArray(all)) return [];
  const perFile = new Set(summary.reports.flatMap((r) => r.warnings.map((w) => `${r.file}: ${w}`)));
  return all.filter((w): w is string => typeof w === "string" && !perFile.has(w));
}

export type { ValidationReport };
