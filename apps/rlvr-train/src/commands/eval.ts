import { type DatasetFormatOption, type Estimate, evaluateCheckpoint } from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString, parseSeed } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { userPath } from "../files.js";
import { FORMAT_OPTIONS, PROPENSITY_POINTER_HELP, parsePropensityPointer } from "../formats.js";
import { type CliIo, printable } from "../io.js";
import { datasetFiles, parseCount } from "../job-args.js";
import { CHECKPOINT_ARG, readCheckpointFile } from "./act.js";

const fmt = (e: Estimate) => `${e.value.toFixed(4)} [${e.lower.toFixed(4)}, ${e.upper.toFixed(4)}]`;

/** `rlvr-train eval --checkpoint <file> --dataset <file...>` */
export const evalCommand = defineCommand({
  meta: {
    name: "eval",
    description:
      "Evaluate a trained policy (checkpoint) on logged data: IPS, SNIPS, DM and DR estimates with bootstrap intervals, against the behavior, uniform and best-single-action baselines.",
  },
  args: {
    checkpoint: CHECKPOINT_ARG,
    json: { type: "boolean", description: "Print the evaluation as JSON" },
    dataset: { type: "string", description: "Held-out dataset file(s)", valueHint: "file..." },
    format: { type: "enum", options: [...FORMAT_OPTIONS], default: "auto", description: "Dataset format" },
    "propensity-pointer": { type: "string", description: PROPENSITY_POINTER_HELP, valueHint: "pointer" },
    seed: { type: "string", description: "Seed of the bootstrap (default 0)", valueHint: "S" },
    resamples: { type: "string", description: "Bootstrap resamples (default 500)", valueHint: "N" },
    confidence: {
      type: "string",
      description: "Confidence level of the intervals (default 0.95)",
      valueHint: "C",
    },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const ckpt = optionalString(args.checkpoint, "--checkpoint");
    if (ckpt === undefined) throw new CliError("USAGE", "--checkpoint <file> is required");
    const files = datasetFiles(args).map((f) => userPath(io.cwd, f));
    if (files.length === 0) throw new CliError("USAGE", "--dataset <file...> is required");
    const seedText = optionalString(args.seed, "--seed");
    const seed = seedText === undefined ? 0 : parseSeed(seedText, "--seed");
    const resamplesText = optionalString(args.resamples, "--resamples");
    const resamples = resamplesText === undefined ? 500 : parseCount(resamplesText, "--resamples", 100000);
    const confidenceText = optionalString(args.confidence, "--confidence");
    const confidence = confidenceText === undefined ? 0.95 : Number(confidenceText);
    if (!(confidence > 0 && confidence < 1)) {
      throw new CliError(
        "USAGE",
        `--confidence: expected a number between 0 and 1, got ${JSON.stringify(confidenceText)}`,
      );
    }
    const propensityPointer = parsePropensityPointer(
      optionalString(args["propensity-pointer"], "--propensity-pointer"),
      args.format,
    );
    const policy = await readCheckpointFile(ckpt, io.cwd);
    const { datasetDigest, evaluation: result } = await evaluateCheckpoint({
      policy,
      files,
      format: args.format as DatasetFormatOption,
      ...(propensityPointer === undefined ? {} : { propensityPointer }),
      seed,
      resamples,
      confidence,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    if (args.json) {
      io.stdout(`${JSON.stringify({ datasetDigest, evaluation: result }, null, 2)}\n`);
      return ExitCode.ok;
    }
    const best = result.baselines.bestSingleAction;
    const lines = [
      `${result.numExamples} examples in ${result.numGroups} groups (${datasetDigest}), ${Math.round(confidence * 100)} % intervals`,
      `  behavior probabilities ${result.behaviorSource}, reward model ${result.rewardModelSource}`,
      `  policy              DR ${fmt(result.policy.dr)} · SNIPS ${fmt(result.policy.snips)} · ESS ${result.policy.effectiveSampleSize.toFixed(1)}`,
      `  behavior            ${fmt(result.baselines.logged)}`,
      `  uniform             DR ${fmt(result.baselines.uniform.dr)}`,
      `  best single action  DR ${fmt(best.estimates.dr)} (${printable(best.action)})`,
    ];
    io.stdout(`${lines.join("\n")}\n`);
    return ExitCode.ok;
  },
});
