import type { StageName } from "@rlvr/job-record";

/**
 * A progress event of `runJob`, delivered synchronously to `RunJobOptions.onEvent` (an error thrown
 * by the listener is ignored: progress display must never break a job).
 *
 * - `stage-start` / `stage-end`: every stage, in order; `resumed` when its result came from resume state;
 * - `trial-start` / `trial-end`: every tuning trial (`trial-start` also for retried trials);
 * - `progress`: training epochs (in trials and in the final training) with `current` / `total`;
 * - `error`: the job failed or was cancelled (`code`, `message`, the stage).
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
      readonly type: "error";
      readonly jobId: string | null;
      readonly stage: StageName | null;
      readonly code: string;
      readonly message: string;
    };

/** The `type` of a {@link JobEvent}. */
export type JobEventType = JobEvent["type"];
