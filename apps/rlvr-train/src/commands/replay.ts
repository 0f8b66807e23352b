import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  compareRecords,
  type JobRecord,
  OrchestratorError,
  replaySpec,
  runJob,
  validateJobRecord,
} from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { checkOutputFolder, readUserJson, userPath } from "../files.js";
import type { CliIo } from "../io.js";
import { datasetFiles } from "../job-args.js";
import { createProgress, progressMode } from "../progress.js";
import { publicMessage } from "../report-error.js";
import { VERSION } from "../version.js";

/** Reads and validates a job record file (exit 2 when it is not one). */
export async function readRecord(file: string, cwd: string): Promise<JobRecord> {
  const value = await readUserJson(file, cwd, "job record");
  const check = validateJobRecord(value);
  if (!check.valid) {
    throw new CliError("BAD_INPUT", `${file}: not a valid job record`, {
      details: check.issues.slice(0, 20).map((i) => `  ${i.pointer || "(root)"}: ${i.message}`),
    });
  }
  return check.record;
}

/** `rlvr-train replay <job.json>` */
export const replayCommand = defineCommand({
  meta: {
    name: "replay",
    description:
      "Re-run a job from its record and check the result is identical outside volatile: exit 0 when it is, 1 listing the fields that differ.",
  },
  args: {
    record: { type: "positional", description: "Job record (<label>.job.json)", required: true },
    dataset: {
      type: "string",
      description: "Dataset file(s) to use instead of the recorded paths",
      valueHint: "file...",
    },
    out: {
      type: "string",
      description: "Keep the replay's outputs in this folder (default: a temporary folder, removed)",
      valueHint: "DIR",
    },
    json: { type: "boolean", description: "Print { identical, differences } as JSON" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const [file, ...extra] = args._;
    if (file === undefined) throw new CliError("USAGE", "replay needs a job record file");
    const original = await readRecord(file, io.cwd);
    if (original.status !== "succeeded") {
      throw new CliError(
        "BAD_INPUT",
        `${file}: the job ${original.status}; only a succeeded job can be replayed`,
      );
    }
    const given = datasetFiles({ _: extra, dataset: args.dataset }).map((f) => userPath(io.cwd, f));
    const datasets = given.length > 0 ? given : original.volatile.datasetPaths;
    const keep = optionalString(args.out, "--out");
    const outDir =
      keep === undefined ? await mkdtemp(join(tmpdir(), "rlvr-replay-")) : userPath(io.cwd, keep);
    if (keep !== undefined) await checkOutputFolder(outDir, "--out");
    const progress = createProgress(io, progressMode(io, args.json === true));
    let replayed: JobRecord;
    try {
      replayed = await runJob(replaySpec(original, { datasets, outDir }), {
        baseDir: io.cwd,
        packages: { "rlvr-train": VERSION },
        onEvent: progress.onEvent,
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
    } catch (error) {
      if (OrchestratorError.is(error) && error.code === "IO_ERROR" && given.length === 0) {
        const message = `${publicMessage(error.message)} (the recorded dataset is gone: pass --dataset)`;
        throw new CliError("BAD_INPUT", message, { cause: error });
      }
      throw error;
    } finally {
      progress.done();
      if (keep === undefined) await rm(outDir, { recursive: true, force: true });
    }
    if (replayed.status === "cancelled") return ExitCode.interrupted;
    const differences = compareRecords(original, replayed);
    const identical = differences.length === 0;
    if (args.json) {
      io.stdout(`${JSON.stringify({ identical, jobId: original.jobId, differences }, null, 2)}\n`);
    } else if (identical) {
      io.stdout(
        `✓ identical: ${original.jobId} reproduced byte for byte outside volatile (${original.fingerprint})\n`,
      );
    } else {
      io.stdout(`✗ ${differences.length} field(s) differ from ${file}:\n`);
      const show = (v: unknown) => {
        const t = v === undefined ? "(absent)" : JSON.stringify(v);
        return t.length > 80 ? `${t.slice(0, 77)}...` : t;
      };
      for (const d of differences.slice(0, 50)) io.stdout(`  ${d.pointer}: ${show(d.a)} → ${show(d.b)}\n`);
      if (differences.length > 50) io.stdout(`  ... and ${differences.length - 50} more (see --json)\n`);
    }
    return identical ? ExitCode.ok : ExitCode.failed;
  },
});
