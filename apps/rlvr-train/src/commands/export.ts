import { writeDecisionExport } from "@rlvr/serve";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { userPath } from "../files.js";
import type { CliIo } from "../io.js";
import { parseNumber } from "./serve.js";

/** `rlvr-train export --log DIR --out data.jsonl` */
export const exportCommand = defineCommand({
  meta: {
    name: "export",
    description:
      "Write a decision log (of 'rlvr-train serve') joined with its rewards as dataset JSONL with behaviorProb, ready for 'rlvr-train run'.",
  },
  args: {
    log: { type: "string", description: "Folder of the decision log", valueHint: "dir", required: true },
    out: {
      type: "string",
      description: "Output file (JSONL, written atomically)",
      valueHint: "file",
      required: true,
    },
    "default-reward": {
      type: "string",
      description:
        "Reward of decisions with none after their wait: a number in [0, 1], or 'none' to leave them out (default: as served)",
      valueHint: "R|none",
    },
    "as-of": {
      type: "string",
      description:
        "Export time (RFC 3339; default now): decisions still in their wait without a reward are left out",
      valueHint: "time",
    },
    json: { type: "boolean", description: "Print the summary as JSON" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const log = optionalString(args.log, "--log");
    const out = optionalString(args.out, "--out");
    if (log === undefined || out === undefined) throw new CliError("USAGE", "--log and --out are required");
    const fallback = optionalString(args["default-reward"], "--default-reward");
    const defaultReward =
      fallback === undefined
        ? undefined
        : fallback === "none"
          ? null
          : parseNumber(fallback, "--default-reward", [0, 1]);
    const asOf = optionalString(args["as-of"], "--as-of");
    const now = asOf === undefined ? Date.now() : Date.parse(asOf);
    if (!Number.isFinite(now))
      throw new CliError("USAGE", `--as-of: expected an RFC 3339 time, got ${JSON.stringify(asOf)}`);
    const summary = writeDecisionExport({
      log: userPath(io.cwd, log),
      out: userPath(io.cwd, out),
      now,
      ...(defaultReward === undefined ? {} : { defaultReward }),
    });
    if (args.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else
      io.stdout(
        `exported ${summary.examples} examples to ${out} (${summary.rewarded} rewarded, ${summary.defaulted} with the default reward; left out: ${summary.omitted} without a reward, ${summary.pending} still in their wait)\n`,
      );
    return ExitCode.ok;
  },
});
