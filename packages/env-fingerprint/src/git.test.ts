import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FingerprintError } from "./errors.js";
import { detectGitState } from "./git.js";

// An empty global config of our own (not /dev/null, which a damaged machine may have as a file).
const emptyConfig = join(mkdtempSync(join(tmpdir(), "rlvr-gitcfg-")), "gitconfig");
writeFileSync(emptyConfig, "");
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: emptyConfig,
  GIT_CEILING_DIRECTORIES: tmpdir(),
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    "git",
    ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    },
  ).trim();

function gitAvailable(): boolean {
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary folder that is not inside any git work tree. */
function outsideAnyRepository(dir: string): boolean {
  try {
    execFileSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: dir, stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(!gitAvailable())("detectGitState", () => {
  let root = "";
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "rlvr-git-"));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("returns the commit and a clean flag, then dirty after a change to a tracked file", () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, "sub"), { recursive: true });
    git(repo, "init", "-q");
    writeFileSync(join(repo, "tracked.txt"), "one\n");
    git(repo, "add", "tracked.txt");
    git(repo, "commit", "-q", "-m", "first");
    const head = git(repo, "rev-parse", "HEAD");
    expect(head).toMatch(/^[0-9a-f]{40}$/);

    expect(detectGitState(repo)).toStrictEqual({ commit: head, dirty: false });
    expect(detectGitState(join(repo, "sub"))).toStrictEqual({ commit: head, dirty: false });

    writeFileSync(join(repo, "untracked.txt"), "not counted\n");
    expect(detectGitState(repo)).toStrictEqual({ commit: head, dirty: false });

    writeFileSync(join(repo, "tracked.txt"), "two\n");
    expect(detectGitState(repo)).toStrictEqual({ commit: head, dirty: true });

    git(repo, "add", "tracked.txt");
    expect(detectGitState(repo)?.dirty).toBe(true);
    expect(Object.isFrozen(detectGitState(repo))).toBe(true);
  });

  it("returns null for a repository without commits, a .git folder and a folder outside any repository", () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    git(empty, "init", "-q");
    expect(detectGitState(empty)).toBeNull();
    expect(detectGitState(join(empty, ".git"))).toBeNull();

    const plain = join(root, "plain");
    mkdirSync(plain);
    if (outsideAnyRepository(plain)) expect(detectGitState(plain)).toBeNull();
  });

  it("returns null for a folder that does not exist", () => {
    expect(detectGitState(join(root, "missing", "folder"))).toBeNull();
  });

  it("rejects a missing folder argument", () => {
    expect(() => detectGitState("")).toThrow(FingerprintError);
    expect(() => detectGitState(undefined as never)).toThrow(/^the git folder must be a non-empty path/);
  });
});
