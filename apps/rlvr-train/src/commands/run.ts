import { defineCommand } from "citty";
import type { CliIo } from "../io.js";
import { buildJobSpec, EXECUTOR_ARGS, JOB_ARGS, parseExecutor, SHIP_ARGS } from "../job-args.js";
import { executeJob } from "../job-runner.js";

/** `rlvr-train run --dataset <file...> [--config job.json] [--seed S] [--label L] [--out DIR] ...` */
export const runCommand = defineCommand({
  meta: {
    name: "run",
    description:
      "Run the whole training job: validate, split, fingerprint, tune, train, evaluate on test, write the checkpoint, the job record and reports.",
  },
  args: { ...JOB_ARGS, ...EXECUTOR_ARGS, ...SHIP_ARGS },
  async run({ args, data }) {
    const io = data as CliIo;
    const spec = await buildJobSpec(args, io.cwd);
    return executeJob(io, spec, {
      resume: args.resume === true,
      json: args.json === true,
      executor: parseExecutor(args, io.env),
    });
  },
});
