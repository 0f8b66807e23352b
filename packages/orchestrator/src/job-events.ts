import type { StageName } from "@rlvr/job-record";

/**
 * A progress event of `runJob`, delivered synchronously to `RunJobOptions.onEvent` (an error thrown
 * by the listener is ignored: progress display must never break a job).
 *
 * - `stage-start` / `stage-end`: every stage, in order; `resumed` when its result came from resume state;
 * - `trial-start` / `trial-end`: every tuning trial (`trial-start` also for retried trials);
 * - `progress`: training epochs (in trials and in the final training) with `current` / `total`;
 * - `warning`: something the caller should know that does not stop the job (`code`, `message`, the
 *   step): the dataset's warnings from `load` (e.g. every reward equal, a single action: no learnable
 *   signal), a report renderer that threw in `outputs`;
 * - `error`: the job failed or was cancelled (`code`, `message`, the stage; `null` when writing the
 *   job's files failed).
 */
export type JobEvent =
  | {
      readonly type: "stage-start";
      readonly jobId: string | null;
      readonly stage: StageName;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly type: "stage-end";
      readonly jobId: string | null;
      readonly stage: StageName;
      readonly durationMs: number;
      readonly resumed: boolean;
    }
  | {
      readonly type: "trial-start";
      readonly jobId: string;
      readonly trial: number;
      readonly totalTrials: number;
      readonly params: Readonly<Record<string, string | number | boolean>>;
    }
  | {
      readonly type: "trial-end";
      readonly jobId: string;
      readonly trial: number;
      readonly totalTrials: number;
      readonly state: "complete" | "pruned" | "failed" | "running";
      readonly value: number | null;
      readonly bestValue: number | null;
    }
  | {
      readonly type: "progress";
      readonly jobId: string;
      readonly stage: StageName;
      /** Trial number when the progress is inside a tuning trial. */
      readonly trial: number | null;
      readonly unit: "epoch";
      readonly current: number;
      readonly total: number;
    }
  | {
      readonly type: "warning";
      /** The job id, or null before it is known (during `load`). */
      readonly jobId: string | null;
      readonly stage: StageName | "outputs";
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly type: "error";
      readonly jobId: string | null;
      readonly stage: StageName | null;
      readonly code: string;
      readonly message: string;
    };

/** The `type` of a {@link JobEvent}. */
export type JobEventType = JobEvent["type"];
