import { fileURLToPath } from "node:url";
import { defineCommand } from "citty";
import { CliError } from "../errors.js";
import type { CliIo } from "../io.js";
import { buildJobSpec, EXECUTOR_ARGS, JOB_ARGS, parseExecutor, SHIP_ARGS } from "../job-args.js";
import { executeJob } from "../job-runner.js";

/** The bundled sample dataset (4000 logged tool-routing decisions), shipped in the package's `examples/`. */
export const SAMPLE_DATASET = fileURLToPath(new URL("../../examples/sample.jsonl", import.meta.url));

/** Output folder of `demo` when `--out` is not given (relative to the working folder). */
export const DEMO_OUT_DIR = "rlvr-demo";

const {
  dataset: _dataset,
  config: _config,
  format: _format,
  "propensity-pointer": _propensityPointer,
  ...DEMO_ARGS
} = JOB_ARGS;

/** `rlvr-train demo`: the whole job on the bundled sample dataset, no arguments needed. */
export const demoCommand = defineCommand({
  meta: {
    name: "demo",
    description: `Run the whole job on the bundled sample dataset (label "demo", output in ./${DEMO_OUT_DIR}).`,
  },
  args: {
    ...DEMO_ARGS,
    ...EXECUTOR_ARGS,
    ...SHIP_ARGS,
    out: {
      ...JOB_ARGS.out,
      description: `Output folder; nothing is written outside it (default: ${DEMO_OUT_DIR})`,
    },
    label: { ...JOB_ARGS.label, description: 'Job label; output file names come from it (default "demo")' },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    if (args._.length > 0) throw new CliError("USAGE", `demo takes no arguments, got '${args._[0]}'`);
    const executor = parseExecutor(args, io.env);
    const spec = await buildJobSpec({ ...args, out: args.out ?? DEMO_OUT_DIR }, io.cwd, {
      datasets: [SAMPLE_DATASET],
      label: "demo",
    });
    return executeJob(io, spec, { resume: args.resume === true, json: args.json === true, executor });
  },
});
