// The last step of a job: its files from the finished record (reports first, the record last, each
// atomically), before the registry says the job is done. Not a record stage: the record it writes
// cannot list it.
import { join } from "node:path";
import { type JobRecord, sanitizeLabel } from "@rlvr/job-record";
import { writeChecked } from "../_fs.js";
import type { JobContext } from "./_stage.js";

/** Code of the `warning` event of a renderer that threw. */
export const RENDER_FAILED = "RENDER_FAILED";

/** The record's file name in the output folder: `<label stem>.job.json` (see `sanitizeLabel`). */
export function recordFileName(label: string): string {
  return `${sanitizeLabel(label)}.job.json`;
}

/**
 * Writes the renderers' files and then the record into the output folder.
 * @returns the paths written, the record last
 * @throws {@link OrchestratorError} `IO_ERROR` naming the file that could not be written
 */
export async function writeOutputs(record: JobRecord, job: JobContext): Promise<string[]> {
  const { spec, options } = job;
  const stem = sanitizeLabel(record.label);
  const recordFile = recordFileName(record.label);
  const written: string[] = [];
  for (const renderer of options.outputs) {
    let data: string | Uint8Array;
    try {
      data = await renderer.render(record, { recordFile });
    } catch (error) {
      const message = `could not render ${stem}${renderer.suffix}: ${(error as Error).message ?? String(error)}`;
      job.emit({ type: "warning", jobId: record.jobId, stage: "outputs", code: RENDER_FAILED, message });
      continue;
    }
    const path = join(spec.outDir, `${stem}${renderer.suffix}`);
    await writeChecked(options.files, path, data);
    written.push(path);
  }
  const path = join(spec.outDir, recordFile);
  await writeChecked(options.files, path, `${JSON.stringify(record, null, 2)}\n`);
  written.push(path);
  return written;
}
