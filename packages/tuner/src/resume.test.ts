// Crash and resume: a child process runs a study into a journal and is killed with SIGKILL in the
// middle; the study is then resumed from the journal and must end exactly as an uninterrupted run.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { objective, PENDING_WINDOW, SEED, SPACE, TRIALS } from "./__fixtures__/resume-objective.mjs";
import { createJournalStorage } from "./journal-storage.js";
import { createStudy, loadStudy } from "./study.js";
import { createTpeSampler } from "./tpe-sampler.js";
import type { FrozenTrial } from "./trial.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const child = fileURLToPath(new URL("./__fixtures__/crash-child.mjs", import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tuner-resume-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tells(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.startsWith('{"type":"tell"')).length;
}

/** Run the child until the journal holds `atLeast` tells, then SIGKILL it. */
async function runAndKill(
  journal: string,
  atLeast: number,
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@rlvr/source", child, journal],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on("exit", (_code, signal) => resolve(signal)),
  );
  const timer = setInterval(() => {
    if (tells(journal) >= atLeast) proc.kill("SIGKILL");
  }, 5);
  try {
    return { signal: await exited, stderr };
  } finally {
    clearInterval(timer);
  }
}

const options = () => ({
  space: SPACE,
  seed: SEED,
  sampler: createTpeSampler({ nStartupTrials: 4 }),
  pendingWindow: PENDING_WINDOW,
});
const comparable = (trials: readonly FrozenTrial[]) =>
  trials.map(({ durationMs: _d, attempts: _a, ...t }) => t);

describe("crash and resume", () => {
  it("resumes a study killed with SIGKILL and ends as an uninterrupted run", async () => {
    const journal = join(dir, "study.jsonl");
    const { signal, stderr } = await runAndKill(journal, 5);
    expect(signal, stderr).toBe("SIGKILL");
    const before = loadStudy({ storage: createJournalStorage(journal), onInterrupted: "retry" });
    const finished = before.trials.filter((t) => t.state !== "running").length;
    expect(finished).toBeGreaterThanOrEqual(5);
    expect(finished).toBeLessThan(TRIALS);
    const interrupted = before.trials.filter((t) => t.state === "running").map((t) => t.number);
    expect(interrupted.length).toBeGreaterThan(0);
    before.close();

    const resumed = createStudy({ ...options(), storage: createJournalStorage(journal), loadIfExists: true });
    const result = await resumed.optimize(objective, { trials: TRIALS, concurrency: 2 });
    resumed.close();

    const reference = await createStudy(options()).optimize(objective, { trials: TRIALS, concurrency: 2 });
    expect(comparable(result.trials)).toEqual(comparable(reference.trials));
    expect(result.bestTrial?.number).toBe(reference.bestTrial?.number);
    expect(interrupted.map((n) => result.trials[n]?.attempts)).toEqual(interrupted.map(() => 2));
    expect(result.counts.running).toBe(0);
  });
});
