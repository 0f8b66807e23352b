import { describe, expect, it } from "vitest";
import type { JobEvent } from "../job-events.js";
import type { StageContext } from "./_stage.js";
import { DATASET_WARNING_CODE, forwardWarnings } from "./load.js";

describe("load stage warnings", () => {
  it("reach the caller as warning events, coded or as lines", () => {
    const events: JobEvent[] = [];
    const context = { emit: (e: JobEvent) => events.push(e) } as unknown as StageContext;
    forwardWarnings(
      [
        "logs.jsonl: 3 examples excluded",
        { code: "NO_REWARD_VARIANCE", message: "every reward is equal (1)" },
      ],
      context,
    );
    expect(events).toEqual([
      {
        type: "warning",
        jobId: null,
        stage: "load",
        code: DATASET_WARNING_CODE,
        message: "logs.jsonl: 3 examples excluded",
      },
      {
        type: "warning",
        jobId: null,
        stage: "load",
        code: "NO_REWARD_VARIANCE",
        message: "every reward is equal (1)",
      },
    ]);
  });
});
