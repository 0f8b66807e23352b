import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { assertKnownOptions } from "./args.js";
import { actCommand } from "./commands/act.js";
import { demoCommand } from "./commands/demo.js";
import { evalCommand } from "./commands/eval.js";
import { exportCommand } from "./commands/export.js";
import { fingerprintCommand } from "./commands/fingerprint.js";
import { replayCommand } from "./commands/replay.js";
import { reportCommand } from "./commands/report.js";
import { runCommand as runJobCommand } from "./commands/run.js";
import { runsCommand, runsSubCommands } from "./commands/runs.js";
import { serveCommand } from "./commands/serve.js";
import { trainCommand } from "./commands/train.js";
import { tuneCommand } from "./commands/tune.js";
import { validateCommand } from "./commands/validate.js";
import { workerCommand } from "./commands/worker.js";
import { CliError, ExitCode } from "./errors.js";
import { type CliIo, stripAnsi, terminalIo } from "./io.js";
import { reportError } from "./report-error.js";
import { VERSION } from "./version.js";

// biome-ignore lint/suspicious/noExplicitAny: citty's command table is heterogeneous in its argument types
type AnyCommand = CommandDef<any>;

const commands: Record<string, AnyCommand> = {
  run: runJobCommand,
  demo: demoCommand,
  tune: tuneCommand,
  train: trainCommand,
  eval: evalCommand,
  act: actCommand,
  replay: replayCommand,
  report: reportCommand,
  runs: runsCommand,
  validate: validateCommand,
  fingerprint: fingerprintCommand,
  serve: serveCommand,
  export: exportCommand,
  worker: workerCommand,
};

const root: CommandDef<ArgsDef> = {
  meta: {
    name: "rlvr-train",
    version: VERSION,
    description:
      "Reproducible RLVR training jobs: validate datasets, fingerprint environments, train policies.",
  },
  args: {
    version: { type: "boolean", description: "Print the version and exit" },
  },
  subCommands: commands,
};

async function usage(io: CliIo, cmd: AnyCommand, parent?: AnyCommand): Promise<string> {
  const text = await renderUsage(cmd, parent);
  const plain = io.isTty && !io.env.NO_COLOR ? text : stripAnsi(text);
  return `${plain}\n`;
}

/**
 * Runs `rlvr-train` with the given arguments (without `node` and the script path) and returns the
 * exit code: 0 ok, 1 the job failed, 2 bad input or usage, 130 interrupted. Never throws and never calls
 * `process.exit`; user errors are printed as messages without stack traces.
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  const io = terminalIo(rawIo);
  const first = argv[0];
  try {
    if (first === undefined) {
      io.stderr(await usage(io, root));
      throw new CliError("USAGE", "no command given");
    }
    if (first === "--version" || first === "-v") {
      io.stdout(`${VERSION}\n`);
      return ExitCode.ok;
    }
    if (first === "--help" || first === "-h" || first === "help") {
      io.stdout(await usage(io, root));
      return ExitCode.ok;
    }
    const cmd = commands[first];
    if (cmd === undefined) {
      throw new CliError(
        "USAGE",
        `unknown command '${first}'; commands: ${Object.keys(commands).join(", ")} (see 'rlvr-train --help')`,
      );
    }
    const rest = argv.slice(1);
    if (first === "runs") {
      const subName = rest[0];
      const sub =
        subName === undefined ? undefined : runsSubCommands[subName as keyof typeof runsSubCommands];
      if (sub === undefined) {
        if (rest.includes("--help") || rest.includes("-h")) {
          io.stdout(await usage(io, cmd, root));
          return ExitCode.ok;
        }
        io.stderr(await usage(io, cmd, root));
        throw new CliError(
          "USAGE",
          subName === undefined
            ? "runs needs a subcommand: list, show or compare"
            : `unknown subcommand 'runs ${subName}'; subcommands: ${Object.keys(runsSubCommands).join(", ")}`,
        );
      }
      const subRest = rest.slice(1);
      if (subRest.includes("--help") || subRest.includes("-h")) {
        io.stdout(await usage(io, sub as AnyCommand, cmd));
        return ExitCode.ok;
      }
      assertKnownOptions(`runs ${subName}`, subRest, sub.args as ArgsDef);
      const { result } = await runCommand(sub as AnyCommand, { rawArgs: [...subRest], data: io });
      return typeof result === "number" ? result : ExitCode.ok;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(await usage(io, cmd, root));
      return ExitCode.ok;
    }
    const args = (typeof cmd.args === "object" && cmd.args !== null ? cmd.args : {}) as ArgsDef;
    assertKnownOptions(first, rest, args);
    const { result } = await runCommand(cmd, { rawArgs: [...rest], data: io });
    return typeof result === "number" ? result : ExitCode.ok;
  } catch (error) {
    return reportError(error, io);
  }
}
