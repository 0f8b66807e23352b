import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createRng, type LinearSoftmaxPolicy, loadCheckpoint, RlvrLoopError } from "@rlvr/rlvr-loop";
import { defineCommand } from "citty";
import { optionalString, parseSeed } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { readUserFile, userPath } from "../files.js";
import type { CliIo } from "../io.js";
import { writeFileAtomic } from "../write-file-atomic.js";

/** Loads a checkpoint file into its policy; a bad or tampered file is bad input (exit 2). */
export async function readCheckpoint(file: string, cwd: string): Promise<LinearSoftmaxPolicy> {
  const bytes = await readUserFile(file, cwd, "checkpoint");
  try {
    return loadCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).policy;
  } catch (error) {
    if (RlvrLoopError.is(error))
      throw new CliError("BAD_INPUT", `${file}: ${error.message}`, { cause: error });
    throw error;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One input line: a context (`{prompt?, features?}`), optionally wrapped with an id and allowed actions. */
interface ActInput {
  readonly id: unknown;
  readonly context: { prompt?: string; features?: Record<string, string | number | boolean> };
  readonly allowedActions?: string[];
}

function parseLine(text: string, where: string): ActInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError("BAD_INPUT", `${where}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new CliError("BAD_INPUT", `${where}: expected a JSON object`);
  const wrapped = isObject(value.context);
  const context = (wrapped ? value.context : value) as Record<string, unknown>;
  for (const key of Object.keys(context)) {
    if (
      key !== "prompt" &&
      key !== "features" &&
      !(wrapped === false && (key === "id" || key === "allowedActions"))
    ) {
      throw new CliError(
        "BAD_INPUT",
        `${where}: /${key}: unknown member (a context has prompt and features)`,
      );
    }
  }
  const { prompt, features } = context;
  if (prompt !== undefined && typeof prompt !== "string") {
    throw new CliError("BAD_INPUT", `${where}: /prompt: expected a string`);
  }
  if (features !== undefined) {
    if (!isObject(features)) throw new CliError("BAD_INPUT", `${where}: /features: expected an object`);
    for (const [k, v] of Object.entries(features)) {
      const ok =
        typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
      if (!ok)
        throw new CliError(
          "BAD_INPUT",
          `${where}: /features/${k}: expected a string, finite number or boolean`,
        );
    }
  }
  const allowed = value.allowedActions;
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((a) => typeof a === "string"))) {
    throw new CliError("BAD_INPUT", `${where}: /allowedActions: expected an array of strings`);
  }
  return {
    id: value.id ?? null,
    context: {
      ...(prompt === undefined ? {} : { prompt }),
      ...(features === undefined ? {} : { features: features as Record<string, string | number | boolean> }),
    },
    ...(allowed === undefined ? {} : { allowedActions: allowed as string[] }),
  };
}

/** `rlvr-train act --checkpoint <file> --input contexts.jsonl` */
export const actCommand = defineCommand({
  meta: {
    name: "act",
    description:
      "Use a trained policy: read one JSON context per line, write one JSON line per context with the action probabilities and the chosen action.",
  },
  args: {
    checkpoint: {
      type: "string",
      description: "Checkpoint file (<label>.ckpt of a job)",
      valueHint: "file",
      required: true,
    },
    input: {
      type: "string",
      description: "Contexts, one JSON object per line ('-' for stdin)",
      valueHint: "file",
      required: true,
    },
    output: {
      type: "string",
      description: "Write the lines to this file (atomically) instead of stdout",
      valueHint: "file",
    },
    mode: {
      type: "enum",
      options: ["greedy", "sample"],
      default: "greedy",
      description: "Most probable action, or a seeded draw",
    },
    seed: { type: "string", description: "Seed of the draws in sample mode (default 0)", valueHint: "S" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const ckpt = optionalString(args.checkpoint, "--checkpoint");
    const input = optionalString(args.input, "--input");
    if (ckpt === undefined || input === undefined)
      throw new CliError("USAGE", "--checkpoint and --input are required");
    const output = optionalString(args.output, "--output");
    const seedText = optionalString(args.seed, "--seed");
    const mode = args.mode === "sample" ? "sample" : "greedy";
    if (seedText !== undefined && mode !== "sample")
      throw new CliError("USAGE", "--seed only applies to --mode sample");
    const rng = createRng(seedText === undefined ? 0 : parseSeed(seedText, "--seed") >>> 0);
    const policy = await readCheckpoint(ckpt, io.cwd);
    if (input !== "-") await readUserFile(input, io.cwd, "input"); // a clear error for a missing file
    const stream = input === "-" ? process.stdin : createReadStream(userPath(io.cwd, input));
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const out: string[] = [];
    let n = 0;
    for await (const raw of lines) {
      n++;
      if (raw.trim() === "") continue;
      const where = `${input}:${n}`;
      const item = parseLine(raw, where);
      const options = item.allowedActions === undefined ? {} : { allowedActions: item.allowedActions };
      let result: ReturnType<LinearSoftmaxPolicy["act"]>;
      let logProbs: Float64Array;
      try {
        logProbs = policy.logProbs(item.context, options);
        result = policy.act(item.context, { ...options, mode, ...(mode === "sample" ? { rng } : {}) });
      } catch (error) {
        throw new CliError("BAD_INPUT", `${where}: ${(error as Error).message}`, { cause: error });
      }
      const probabilities: Record<string, number> = {};
      policy.actions.forEach((a, i) => {
        probabilities[a] = Math.exp(logProbs[i] as number);
      });
      const line = JSON.stringify({
        id: item.id,
        action: result.action,
        probability: result.probability,
        probabilities,
      });
      if (output === undefined) io.stdout(`${line}\n`);
      else out.push(line);
    }
    if (output !== undefined)
      await writeFileAtomic(userPath(io.cwd, output), out.length === 0 ? "" : `${out.join("\n")}\n`);
    return ExitCode.ok;
  },
});
