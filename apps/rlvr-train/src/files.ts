import { mkdtemp, readFile, rmdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ERROR_TABLE, type ErrorEntry, parseJsonText } from "@rlvr/orchestrator";
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

/** Reads and parses a JSON file the user named, strictly (bad input when unreadable, not JSON or with a duplicate key). */
export async function readUserJson(file: string, cwd: string, what: string): Promise<unknown> {
  const text = (await readUserFile(file, cwd, what)).toString("utf8");
  try {
    return parseJsonText(text, { file });
  } catch (error) {
    throw new CliError("BAD_INPUT", `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Checks, before a job starts, that an output folder can be used, without creating it: the folder
 * (or its nearest existing parent) must be a folder in which a folder can be made. A probe folder is
 * made and removed at once. This also avoids Node's recursive `mkdir`, which never returns for some
 * paths under `/proc`.
 * @param flag - the option that named the folder, for the message (e.g. `--out`)
 * @throws {@link CliError} `ENVIRONMENT` naming the folder and the cause (`not a directory`, `read-only file system`)
 */
export async function checkOutputFolder(path: string, flag: string): Promise<void> {
  let dir = path;
  for (;;) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
      throw unusable(flag, path, error);
    });
    if (info !== null) {
      if (!info.isDirectory()) {
        throw unusable(
          flag,
          path,
          Object.assign(new Error("not a directory"), { code: "ENOTDIR", path: dir }),
        );
      }
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await rmdir(await mkdtemp(join(dir, ".rlvr-probe-")));
  } catch (error) {
    throw unusable(flag, path, error as NodeJS.ErrnoException);
  }
}

function unusable(flag: string, path: string, error: NodeJS.ErrnoException): CliError {
  const words: Readonly<Record<string, ErrorEntry>> = ERROR_TABLE.SystemError;
  const code = String(error.code ?? "");
  const why = Object.hasOwn(words, code) ? words[code]?.meaning : error.message;
  const where = typeof error.path === "string" && error.path !== path ? ` (${error.path})` : "";
  return new CliError("ENVIRONMENT", `${flag} ${path}: cannot write there${where}: ${why}`, { cause: error });
}
