import { type ExecFileSyncOptionsWithStringEncoding, execFileSync } from "node:child_process";
import { FingerprintError } from "./errors.js";

/**
 * Where the job's working folder stands in git: recorded in the manifest for audit, never part of
 * the fingerprint (code identity is given by the `@rlvr/*` package versions, and a user's own
 * repository commit must not change the job id).
 */
export interface GitState {
  /** Full object name of `HEAD` (40 hex digits, or 64 in a SHA-256 repository). */
  readonly commit: string;
  /**
   * True when tracked files differ from `HEAD` (modified, staged, deleted or renamed), or when
   * that could not be checked. Untracked files do not count (the job's own outputs would
   * otherwise mark every tree dirty), as in `git describe --dirty`.
   */
  readonly dirty: boolean;
}

/** Longest `git status` output read; a longer one means "dirty" anyway. */
const MAX_STATUS_BYTES = 8 * 1024 * 1024;
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Reads the commit and dirty flag of the git work tree that contains `dir`, by running the `git`
 * executable (`execFileSync` with `cwd: dir`, stdin and stderr ignored, a 10 s timeout, and
 * `GIT_OPTIONAL_LOCKS=0` so that it never takes the index lock of a repository someone is
 * working in). An explicit opt-in helper for apps; nothing else in this package spawns processes.
 *
 * @param dir - a folder (the job's working folder)
 * @returns the {@link GitState}, or `null` when `dir` is not inside a git work tree (or inside a
 *   `.git` folder or a bare repository), the repository has no commit yet, `dir` does not exist,
 *   or `git` is not installed or refuses the repository (for example `safe.directory`)
 * @throws {@link FingerprintError} `FINGERPRINT_INVALID_ARGUMENT` when `dir` is not a non-empty string
 */
export function detectGitState(dir: string): GitState | null {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new FingerprintError(
      "FINGERPRINT_INVALID_ARGUMENT",
      `the git folder must be a non-empty path, got ${typeof dir === "string" ? '""' : typeof dir}`,
    );
  }
  const options: ExecFileSyncOptionsWithStringEncoding = {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 10_000,
    maxBuffer: MAX_STATUS_BYTES,
    windowsHide: true,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
  };
  let commit: string;
  try {
    if (execFileSync("git", ["rev-parse", "--is-inside-work-tree"], options).trim() !== "true") return null;
    commit = execFileSync("git", ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], options).trim();
  } catch {
    return null;
  }
  if (!COMMIT.test(commit)) return null;
  let dirty: boolean;
  try {
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], options);
    dirty = status.length > 0;
  } catch {
    // Output too long (ENOBUFS), a timeout or a failure: the tree cannot be confirmed clean.
    dirty = true;
  }
  return Object.freeze({ commit, dirty });
}
