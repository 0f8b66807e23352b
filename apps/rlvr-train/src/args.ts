import type { ArgsDef } from "citty";
import { CliError } from "./errors.js";

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * citty ignores options it does not know; a typo such as `--sed 3` would silently run with the default
 * seed. This rejects any option that the command does not declare, naming it and the command.
 */
export function assertKnownOptions(command: string, rawArgs: readonly string[], args: ArgsDef): void {
  const known = new Set<string>(["help", "h"]);
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    known.add(name).add(camel(name)).add(kebab(name));
    const aliases = "alias" in def && def.alias !== undefined ? def.alias : [];
    for (const a of Array.isArray(aliases) ? aliases : [aliases]) known.add(a);
    if (def.type === "boolean") known.add(`no-${kebab(name)}`);
  }
  const takesValue = new Set<string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "string" || def.type === "enum") takesValue.add(name).add(camel(name)).add(kebab(name));
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const raw = rawArgs[i] ?? "";
    if (raw === "--") break;
    if (!raw.startsWith("-") || raw === "-") continue;
    const [name = "", value] = raw.replace(/^--?/, "").split("=");
    if (!known.has(name)) {
      throw new CliError(
        "USAGE",
        `unknown option '${raw}' for '${command}' (see 'rlvr-train ${command} --help')`,
      );
    }
    if (value === undefined && takesValue.has(name)) i++; // its value may itself start with "-"
  }
}

/** Parses a seed: a non-negative safe integer, given as decimal text. */
export function parseSeed(text: string, where: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new CliError(
      "USAGE",
      `${where}: expected a non-negative integer seed, got ${JSON.stringify(text)}`,
    );
  }
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) {
    throw new CliError("USAGE", `${where}: seed ${text} is larger than ${Number.MAX_SAFE_INTEGER}`);
  }
  return seed;
}

/** A string option that must not be empty when given (citty turns `--x` without a value into ""). */
export function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new CliError("USAGE", `option ${flag} needs a value`);
  }
  return value;
}
