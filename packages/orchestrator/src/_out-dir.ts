// The output folder: checked before any work, and locked while a job writes it.
import { constants } from "node:fs";
import { access, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { systemCode, systemMessage } from "./_fs.js";
import { OrchestratorError } from "./errors.js";
import type { HostFacts } from "./run-options.js";

/** The lock file of an output folder. */
export const OUT_LOCK_FILE = ".rlvr-out.lock";

/** What a lock file holds. */
interface LockHolder {
  readonly jobId: string | null;
  readonly label: string;
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function unusable(outDir: string, cause: unknown, what: string): OrchestratorError {
  return new OrchestratorError(
    "OUTPUT_UNUSABLE",
    `the output folder ${outDir} cannot be used: ${what} (${systemCode(cause)})`,
    { cause },
  );
}

/**
 * Checks, without writing, that `outDir` is or can become a writable folder: the folder (or its
 * nearest existing parent) is a folder and writable.
 * @throws {@link OrchestratorError} `OUTPUT_UNUSABLE` naming the folder and the system code
 */
export async function checkOutDir(outDir: string): Promise<void> {
  let dir = outDir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = systemCode(error);
      if (code === "ENOENT" && dirname(dir) !== dir) {
        dir = dirname(dir);
        continue;
      }
      throw unusable(outDir, error, systemMessage(error));
    }
    if (!isDir) {
      const cause = Object.assign(new Error(`ENOTDIR: ${dir} is a file, not a folder`), { code: "ENOTDIR" });
      throw unusable(outDir, cause, cause.message);
    }
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw unusable(outDir, error, `${dir} is not writable: ${systemMessage(error)}`);
    }
    return;
  }
}

/** A held output folder lock. */
export interface OutDirLock {
  /** The lock file. */
  readonly path: string;
  /** Records the job id in the lock file (once it is known). */
  claim(jobId: string): Promise<void>;
  /** Removes the lock file (and the folder when the job made it and left it empty). */
  release(): Promise<void>;
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LockHolder;
  } catch {
    return null;
  }
}

function describeHolder(h: LockHolder | null): string {
  if (h === null) return "an unknown holder (the lock file is unreadable)";
  const job = h.jobId === null ? `job "${h.label}"` : `job ${h.jobId} ("${h.label}")`;
  return `${job}, process ${h.pid} on host ${h.host}, since ${h.since}`;
}

/**
 * Takes the lock of an output folder: `<outDir>/.rlvr-out.lock`, created exclusively (`wx`) with the
 * holder's pid, host, label and (later) job id. A lock left by a dead process of this host is stale
 * and taken over; any other is refused.
 * @throws {@link OrchestratorError} `OUTPUT_LOCKED` naming the folder and the holder,
 *   `OUTPUT_UNUSABLE` when the folder cannot be made or written
 */
export async function lockOutDir(
  outDir: string,
  who: { readonly label: string; readonly host: HostFacts; readonly now: Date },
): Promise<OutDirLock> {
  let made: string | undefined;
  try {
    made = await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw unusable(outDir, error, systemMessage(error));
  }
  const path = join(outDir, OUT_LOCK_FILE);
  const holder = (jobId: string | null): LockHolder => ({
    jobId,
    label: who.label,
    pid: who.host.pid,
    host: who.host.hostname,
    since: who.now.toISOString(),
  });
  const text = (h: LockHolder) => `${JSON.stringify(h)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, text(holder(null)), { flag: "wx" });
      break;
    } catch (error) {
      if (systemCode(error) !== "EEXIST") throw unusable(outDir, error, systemMessage(error));
      const current = await readHolder(path);
      const stale =
        current !== null && current.host === who.host.hostname && !who.host.isProcessAlive(current.pid);
      if (!stale || attempt > 0) {
        throw new OrchestratorError(
          "OUTPUT_LOCKED",
          `the output folder ${outDir} is in use by ${describeHolder(current)}; wait for it to finish or use another output folder (the lock is ${path})`,
          { cause: error },
        );
      }
      await rm(path, { force: true });
    }
  }
  return {
    path,
    async claim(jobId) {
      const tmp = `${path}.${who.host.pid}.tmp`;
      await writeFile(tmp, text(holder(jobId)));
      await rename(tmp, path);
    },
    async release() {
      await rm(path, { force: true }).catch(() => undefined);
      if (made !== undefined) await rmdir(outDir).catch(() => undefined);
    },
  };
}
