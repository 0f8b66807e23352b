import { readFile } from "node:fs/promises";
import { createPolicyServer, type ExplorationOptions } from "@rlvr/serve";
import { defineCommand } from "citty";
import { optionalString, parseSeed } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { userPath } from "../files.js";
import type { CliIo } from "../io.js";

/** A number option in [min, max] (usage error otherwise). */
export function parseNumber(
  text: string | undefined,
  flag: string,
  range: readonly [number, number],
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < range[0] || value > range[1]) {
    throw new CliError(
      "USAGE",
      `${flag}: expected a number in [${range[0]}, ${range[1]}], got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function exploration(
  kind: unknown,
  epsilonText: string | undefined,
  temperatureText: string | undefined,
): ExplorationOptions {
  const epsilon = parseNumber(epsilonText, "--epsilon", [0, 1]) ?? 0.1;
  if (epsilon === 0)
    throw new CliError("USAGE", "--epsilon: must be above 0 (every action needs a known probability > 0)");
  if (kind === "softmax")
    return { kind, epsilon, temperature: parseNumber(temperatureText, "--temperature", [1e-6, 1e6]) ?? 1 };
  if (temperatureText !== undefined)
    throw new CliError("USAGE", "--temperature only applies to --explore softmax");
  return { kind: "epsilon-greedy", epsilon };
}

async function adminToken(io: CliIo, file: string | undefined): Promise<string | null> {
  if (file === undefined) return io.env.RLVR_SERVE_ADMIN_TOKEN || null;
  try {
    return (await readFile(userPath(io.cwd, file), "utf8")).trim();
  } catch (error) {
    throw new CliError("BAD_INPUT", `${file}: cannot read the admin token: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Resolves when `signal` aborts or the process gets SIGTERM; SIGHUP calls `onHangup`. */
function waitForStop(signal: AbortSignal | undefined, onHangup: () => void): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGHUP", onHangup);
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onTerm = () => stop("SIGTERM");
    const onAbort = () => stop("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGHUP", onHangup);
    if (signal?.aborted) stop("SIGINT");
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `rlvr-train serve --checkpoint C --log DIR [--host H] [--port P] [--explore ...]` */
export const serveCommand = defineCommand({
  meta: {
    name: "serve",
    description:
      "Serve a checkpoint over HTTP: decisions with logged exploration probabilities, rewards, a durable decision log (docs/serving.md).",
  },
  args: {
    checkpoint: {
      type: "string",
      description: "Checkpoint file to serve",
      valueHint: "file",
      required: true,
    },
    log: {
      type: "string",
      description: "Folder of the decision log (created when missing)",
      valueHint: "dir",
      required: true,
    },
    host: {
      type: "string",
      description: "Address to bind (default 127.0.0.1, loopback only)",
      valueHint: "addr",
    },
    port: { type: "string", description: "Port (default 8080; 0 picks a free one)", valueHint: "N" },
    seed: { type: "string", description: "Seed of the decision draws (default 0)", valueHint: "S" },
    explore: {
      type: "enum",
      options: ["epsilon-greedy", "softmax"],
      default: "epsilon-greedy",
      description:
        "Exploration: epsilon-greedy around the greedy action, or the policy's softmax mixed with uniform",
    },
    epsilon: {
      type: "string",
      description: "Share of uniform exploration, in (0, 1] (default 0.1)",
      valueHint: "E",
    },
    temperature: {
      type: "string",
      description: "Softmax temperature (softmax only, default 1)",
      valueHint: "T",
    },
    "reward-wait": {
      type: "string",
      description: "Seconds a reward is accepted after its decision (default 600)",
      valueHint: "S",
    },
    "default-reward": {
      type: "string",
      description: "Reward exported for a decision with none after the wait (default: left out)",
      valueHint: "R",
    },
    "admin-token-file": {
      type: "string",
      description:
        "File holding the bearer token of POST /v1/admin/reload (default: $RLVR_SERVE_ADMIN_TOKEN; none: admin off)",
      valueHint: "file",
    },
    "body-limit": {
      type: "string",
      description: "Largest request body in bytes (default 65536)",
      valueHint: "N",
    },
    durability: {
      type: "enum",
      options: ["disk", "process"],
      default: "disk",
      description:
        "When a decision is acknowledged: disk (fsynced: survives a machine crash) or process (written to the operating system: survives a crash of this process only)",
    },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    const checkpoint = optionalString(args.checkpoint, "--checkpoint");
    const log = optionalString(args.log, "--log");
    if (checkpoint === undefined || log === undefined)
      throw new CliError("USAGE", "--checkpoint and --log are required");
    const port = parseNumber(optionalString(args.port, "--port"), "--port", [0, 65535]) ?? 8080;
    if (!Number.isInteger(port)) throw new CliError("USAGE", "--port: expected an integer");
    const seedText = optionalString(args.seed, "--seed");
    const seed = seedText === undefined ? 0 : parseSeed(seedText, "--seed");
    const wait =
      parseNumber(optionalString(args["reward-wait"], "--reward-wait"), "--reward-wait", [0, 3.15e7]) ?? 600;
    const limit = parseNumber(
      optionalString(args["body-limit"], "--body-limit"),
      "--body-limit",
      [1024, 67108864],
    );
    const server = await createPolicyServer({
      checkpoint: userPath(io.cwd, checkpoint),
      log: userPath(io.cwd, log),
      seed,
      exploration: exploration(
        args.explore,
        optionalString(args.epsilon, "--epsilon"),
        optionalString(args.temperature, "--temperature"),
      ),
      rewardWaitMs: Math.round(wait * 1000),
      defaultReward:
        parseNumber(optionalString(args["default-reward"], "--default-reward"), "--default-reward", [0, 1]) ??
        null,
      adminToken: await adminToken(io, optionalString(args["admin-token-file"], "--admin-token-file")),
      ...(limit === undefined ? {} : { bodyLimit: Math.round(limit) }),
      durability: args.durability === "process" ? "process" : "disk",
    });
    const url = await server
      .listen({ host: optionalString(args.host, "--host") ?? "127.0.0.1", port })
      .catch(async (error) => {
        await server.close();
        throw error;
      });
    io.stdout(`listening on ${url}\n`);
    io.stderr(
      `serving ${server.checkpoint} (actions: ${server.actions.join(", ")}); decision log in ${log}\n`,
    );
    const why = await waitForStop(io.signal, () => {
      server.reload().then(
        (r) =>
          io.stderr(`reloaded (SIGHUP): now serving ${r.checkpoint}${r.changed ? "" : " (unchanged)"}\n`),
        (error: unknown) => io.stderr(`error: ${(error as Error).message}\n`),
      );
    });
    await server.close();
    io.stderr(`stopped (${why}); every acknowledged decision and reward is in the log\n`);
    return ExitCode.ok;
  },
});
