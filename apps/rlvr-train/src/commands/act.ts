import { createReadStream } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import {
  type CheckpointPolicy,
  createActor,
  parseActInput,
  parseJsonText,
  readCheckpoint,
} from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString, parseSeed } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { checkOutputFolder, readUserFile, userPath } from "../files.js";
import type { CliIo } from "../io.js";
import { publicMessage } from "../report-error.js";
import { writeFileAtomic } from "../write-file-atomic.js";

/** Reads a checkpoint file into its policy; a bad or tampered file is bad input (exit 2). */
export async function readCheckpointFile(file: string, cwd: string): Promise<CheckpointPolicy> {
  const bytes = await readUserFile(file, cwd, "checkpoint");
  try {
    return readCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw atInput(file, error);
  }
}

/** An error about one input (a file, a line) as bad input naming it: `<where>: <message>`. */
function atInput(where: string, error: unknown): CliError {
  const message = error instanceof Error ? publicMessage(error.message) : String(error);
  return new CliError("BAD_INPUT", `${where}: ${message}`, { cause: error });
}

function parseLine(text: string, where: string) {
  let value: unknown;
  try {
    value = parseJsonText(text, { file: where });
  } catch (error) {
    // The parser counts lines within this one line of input: `<where>:1: /pointer: ...`.
    const message = (error as Error).message.replace(`${where}:1: `, "");
    throw new CliError("BAD_INPUT", `${where}: not valid JSON: ${message}`, { cause: error });
  }
  try {
    return parseActInput(value);
  } catch (error) {
    throw atInput(where, error);
  }
}

/** `--checkpoint <file>`, of `act` and `eval`. */
export const CHECKPOINT_ARG = {
  type: "string",
  description: "Checkpoint file (<label>.ckpt of a job)",
  valueHint: "file",
  required: true,
} as const;

/** `rlvr-train act --checkpoint <file> --input contexts.jsonl` */
export const actCommand = defineCommand({
  meta: {
    name: "act",
    description:
      "Use a trained policy: read one JSON context per line, write one JSON line per context with the action probabilities and the chosen action.",
  },
  args: {
    checkpoint: CHECKPOINT_ARG,
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
    const seed = seedText === undefined ? 0 : parseSeed(seedText, "--seed");
    const policy = await readCheckpointFile(ckpt, io.cwd);
    const actor = createActor(policy, { mode, seed });
    if (input !== "-") await readUserFile(input, io.cwd, "input"); // a clear error for a missing file
    if (output !== undefined) await checkOutputFolder(dirname(userPath(io.cwd, output)), "--output");
    const stream = input === "-" ? process.stdin : createReadStream(userPath(io.cwd, input));
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const out: string[] = [];
    let n = 0;
    for await (const raw of lines) {
      n++;
      if (raw.trim() === "") continue;
      const where = `${input}:${n}`;
      const item = parseLine(raw, where);
      let decision: ReturnType<typeof actor.act>;
      try {
        decision = actor.act(item);
      } catch (error) {
        throw atInput(where, error);
      }
      const line = JSON.stringify(decision);
      if (output === undefined) io.stdout(`${line}\n`);
      else out.push(line);
    }
    if (output !== undefined)
      await writeFileAtomic(userPath(io.cwd, output), out.length === 0 ? "" : `${out.join("\n")}\n`);
    return ExitCode.ok;
  },
});
