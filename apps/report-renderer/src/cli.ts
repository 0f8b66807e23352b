// The rlvr-report command, in process: `runReportCli(argv, io)` returns the exit code, so tests can
// call it directly; bin.ts wires it to the real process.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { JobRecord } from "@rlvr/job-record";
import { renderComparison } from "./compare.js";
import { ReportError } from "./errors.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { RenderOptions } from "./options.js";
import { parseJobRecord } from "./record.js";
import { VERSION } from "./version.js";

/** Where the command reads and writes. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Exit codes: 0 done, 1 unexpected failure, 2 bad usage or an invalid or foreign input file. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `rlvr-report ${VERSION}: render rlvr job records as Markdown and self-contained HTML

Usage:
  rlvr-report <job.json> [--out DIR] [--title TEXT] [--no-volatile] [--max-points N]
      writes <name>.report.md and <name>.report.html (DIR defaults to the record's folder)
  rlvr-report compare <a.job.json> <b.job.json> [...] [--out DIR] [--title TEXT]
      writes comparison.report.md and comparison.report.html (DIR defaults to the current folder)

Options:
  --out DIR        output folder (created if missing)
  --title TEXT     report title
  --no-volatile    leave out times, host and durations (byte-identical reports for identical jobs)
  --max-points N   largest number of points per chart series (default 400)
  -h, --help       this help
  -v, --version    the version

Exit codes: 0 done, 1 failure, 2 bad usage or an invalid or foreign record file.
`;

class UsageError extends Error {}

interface Parsed {
  readonly positionals: string[];
  readonly out: string | undefined;
  readonly title: string | undefined;
  readonly noVolatile: boolean;
  readonly maxPoints: number | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

function parseArgs(argv: readonly string[]): Parsed {
  const positionals: string[] = [];
  let out: string | undefined;
  let title: string | undefined;
  let noVolatile = false;
  let maxPoints: number | undefined;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    switch (name) {
      case "--out":
        out = value();
        break;
      case "--title":
        title = value();
        break;
      case "--max-points": {
        const v = value();
        maxPoints = Number(v);
        if (!/^\d+$/.test(v) || maxPoints < 10)
          throw new UsageError(`--max-points must be an integer >= 10, got ${v}`);
        break;
      }
      case "--no-volatile":
        noVolatile = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      case "-v":
      case "--version":
        version = true;
        break;
      default:
        if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${name}`);
        positionals.push(arg);
    }
  }
  return { positionals, out, title, noVolatile, maxPoints, help, version };
}

/** Writes `text` to `path` atomically: a temporary file in the same folder, then a rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, text, { encoding: "utf8", flag: "wx" });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

async function readRecord(io: CliIo, file: string): Promise<JobRecord> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ReportError(
      "INVALID_RECORD",
      `${file}: cannot read the file${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: error, file },
    );
  }
  return parseJobRecord(text, file);
}

function stemOf(file: string): string {
  const base = basename(file);
  for (const suffix of [".job.json", ".json"])
    if (base.endsWith(suffix) && base.length > suffix.length) return base.slice(0, -suffix.length);
  return base;
}

/**
 * Runs `rlvr-report` with `argv` (the arguments after the command name).
 * @returns the exit code (see {@link EXIT})
 */
export async function runReportCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`rlvr-report: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (args.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (args.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const options: RenderOptions = {
    ...(args.title === undefined ? {} : { title: args.title }),
    ...(args.maxPoints === undefined ? {} : { maxPointsPerSeries: args.maxPoints }),
    includeVolatile: !args.noVolatile,
  };
  const compare = args.positionals[0] === "compare";
  const files = compare ? args.positionals.slice(1) : args.positionals;
  if (compare ? files.length < 2 : files.length !== 1) {
    io.stderr(
      `rlvr-report: ${compare ? "compare needs at least two job record files" : "expected exactly one job record file"}\n\n${USAGE}`,
    );
    return EXIT.usage;
  }
  try {
    const records: JobRecord[] = [];
    for (const file of files) records.push(await readRecord(io, file));
    let outDir: string;
    let stem: string;
    let markdown: string;
    let html: string;
    if (compare) {
      outDir = resolve(io.cwd, args.out ?? ".");
      stem = "comparison";
      ({ markdown, html } = await renderComparison(records, options));
    } else {
      const file = files[0]!;
      outDir = resolve(io.cwd, args.out ?? dirname(file));
      stem = stemOf(file);
      const single = { ...options, recordFile: basename(file) };
      markdown = renderMarkdown(records[0]!, single);
      html = await renderHtml(records[0]!, single);
    }
    await mkdir(outDir, { recursive: true });
    const md = join(outDir, `${stem}.report.md`);
    const htmlPath = join(outDir, `${stem}.report.html`);
    await writeAtomic(md, markdown);
    await writeAtomic(htmlPath, html);
    io.stdout(`${md}\n${htmlPath}\n`);
    return EXIT.ok;
  } catch (error) {
    if (ReportError.is(error) && (error.code === "INVALID_RECORD" || error.code === "INVALID_ARGUMENT")) {
      const details = error.details.length > 1 ? `\n  ${error.details.slice(0, 20).join("\n  ")}` : "";
      const more = error.details.length > 20 ? `\n  … ${error.details.length - 20} more` : "";
      io.stderr(`rlvr-report: ${error.message}${details}${more}\n`);
      return EXIT.usage;
    }
    io.stderr(`rlvr-report: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}
