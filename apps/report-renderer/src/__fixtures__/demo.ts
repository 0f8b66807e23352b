// The bundled demo job: the record of a real `runJob` on apps/rlvr-train/examples/sample.jsonl
// (seed 7, label "demo", 12 trials). Regenerate with `pnpm --filter @rlvr/report-renderer run
// demo-record` after a change of the JobRecord schema.
import { readFileSync } from "node:fs";
import type { JobRecord } from "@rlvr/job-record";

/** The demo record as parsed JSON (not yet validated). */
export function demoRecord(): JobRecord {
  return JSON.parse(readFileSync(new URL("./demo.job.json", import.meta.url), "utf8")) as JobRecord;
}

/** Path of the demo record file. */
export const DEMO_RECORD_PATH = new URL("./demo.job.json", import.meta.url);
