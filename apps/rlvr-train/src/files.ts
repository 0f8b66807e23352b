import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { CliError } from "./errors.js";

/** Resolves a path typed by the user against the working folder. */
export const userPath = (cwd: string, file: string) => (isAbsolute(file) ? file : resolve(cwd, file));

/** Reads a file the user named; a missing or unreadable file is bad input (exit 2). */
export async function readUserFile(file: string, cwd: string, what: string): Promise<Buffer> {
  try {
    return await readFile(userPath(cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : String(code);
    throw new CliError("BAD_INPUT", `${file}: cannot read ${what}: ${why}`, { cause: error });
  }
}

/** Reads and parses a JSON file the user named (bad input when unreadable or not JSON). */
export async function readUserJson(file: string, cwd: string, what: string): Promise<unknown> {
  const text = (await readUserFile(file, cwd, what)).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError("BAD_INPUT", `${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
