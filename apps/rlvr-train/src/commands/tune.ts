import { sanitizeLabel } from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import type { CliIo } from "../io.js";
import { buildJobSpec, EXECUTOR_ARGS, JOB_ARGS, parseExecutor } from "../job-args.js";
import { executeJob, insideOut } from "../job-runner.js";
import { writeFileAtomic } from "../write-file-atomic.js";

/** Name of the parameters file `tune` writes: `<sanitised label>.params.json`. */
export const paramsFileName = (label: string) => `${sanitizeLabel(label)}.params.json`;

/** `rlvr-train tune --dataset <file...>` */
export const tuneCommand = defineCommand({
  meta: {
    name: "tune",
    description:
      "Tune the hyperparameters only (objective on the validation split; no final training): writes the best ones to <label>.params.json for `train --params`, and the job record and reports.",
  },
  args: { ...JOB_ARGS, ...EXECUTOR_ARGS },
  async run({ args, data }) {
    const io = data as CliIo;
    const spec = { ...(await buildJobSpec(args, io.cwd)), mode: "tune" as const };
    return executeJob(io, spec, {
      resume: args.resume === true,
      json: args.json === true,
      executor: parseExecutor(args, io.env),
      extraOutputs: async (record) => {
        const tuning = record.tuning;
        if (record.status !== "succeeded" || tuning === null || tuning.bestParams === null) return [];
        const path = insideOut(record.volatile.outDir, paramsFileName(record.label));
        const file = {
          jobId: record.jobId,
          fingerprint: record.fingerprint,
          objective: tuning.objective,
          bestTrial: tuning.bestTrial,
          bestValue: tuning.bestValue,
          // the best trial's seed too: `train --params` then reproduces that trial exactly
          params: {
            ...tuning.bestParams,
            seed: tuning.trials.find((t) => t.number === tuning.bestTrial)?.seed ?? record.spec.seed,
          },
        };
        await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
        return [path];
      },
    });
  },
});
