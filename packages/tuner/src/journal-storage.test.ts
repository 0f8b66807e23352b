import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { branin, braninSpace } from "./__fixtures__/functions.js";
import { codeOf } from "./__fixtures__/trials.js";
import { TunerError } from "./errors.js";
import { createJournalStorage } from "./journal-storage.js";
import type { StudyEvent } from "./storage.js";
import { createStudy, loadStudy } from "./study.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tuner-journal-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
}

describe("createJournalStorage", () => {
  it("writes one JSON line per event and reads them back", async () => {
    const path = join(dir, "study.jsonl");
    const storage = createJournalStorage(path);
    expect(storage.read()).toEqual([]);
    const study = createStudy({ space: braninSpace, seed: 2, storage });
    await study.optimize(
      (p, trial) => {
        trial.report(0, 1);
        return branin(p);
      },
      { trials: 3 },
    );
    study.close();
    const types = lines(path).map((l) => (JSON.parse(l) as StudyEvent).type);
    expect(types).toEqual([
      "study",
      "ask",
      "report",
      "tell",
      "ask",
      "report",
      "tell",
      "ask",
      "report",
      "tell",
    ]);
    expect(readdirSync(dir)).toEqual(["study.jsonl"]); // no temporary file left
    const events = createJournalStorage(path).read();
    expect(events).toHaveLength(10);
    expect(events[0]).toMatchObject({ type: "study", format: "@rlvr/tuner-journal", version: 1, seed: 2 });
    const loaded = loadStudy({ storage: createJournalStorage(path) });
    expect(loaded.trials).toEqual(study.trials);
  });

  it("ignores a torn last line with a warning and cuts it off before appending", () => {
    const path = join(dir, "torn.jsonl");
    const study = createStudy({ space: braninSpace, storage: createJournalStorage(path) });
    study.tell(study.ask(), 1);
    study.close();
    appendFileSync(path, '{"type":"ask","number":1,"se');
    const seen: string[] = [];
    const storage = createJournalStorage(path, { onWarning: (m) => seen.push(m) });
    const loaded = loadStudy({ storage });
    expect(loaded.trials).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/line 4 is not a complete event/);
    expect(storage.warnings).toEqual(seen);
    loaded.tell(loaded.ask(), 2);
    loaded.close();
    const after = lines(path);
    expect(after.every((l) => JSON.parse(l))).toBe(true);
    expect(after).toHaveLength(5);
    const again = createJournalStorage(path);
    expect(loadStudy({ storage: again }).trials.map((t) => t.value)).toEqual([1, 2]);
    expect(again.warnings).toEqual([]);
  });

  it("keeps a complete last line without its newline", () => {
    const path = join(dir, "nonl.jsonl");
    const study = createStudy({ space: braninSpace, storage: createJournalStorage(path) });
    study.tell(study.ask(), 1);
    study.close();
    writeFileSync(path, readFileSync(path, "utf8").trimEnd());
    const loaded = loadStudy({ storage: createJournalStorage(path) });
    expect(loaded.trials[0]?.value).toBe(1);
    loaded.tell(loaded.ask(), 3);
    loaded.close();
    expect(lines(path)).toHaveLength(5);
    expect(loadStudy({ storage: createJournalStorage(path) }).trials.map((t) => t.value)).toEqual([1, 3]);
  });

  it("rejects a corrupt line that is not the last one, naming the file and line", () => {
    const path = join(dir, "bad.jsonl");
    const study = createStudy({ space: braninSpace, storage: createJournalStorage(path) });
    study.tell(study.ask(), 1);
    study.close();
    const content = lines(path);
    content.splice(1, 0, '{"type":"nonsense"}');
    writeFileSync(path, `${content.join("\n")}\n`);
    let caught: unknown;
    try {
      createJournalStorage(path).read();
    } catch (error) {
      caught = error;
    }
    expect(TunerError.is(caught) && caught.code).toBe("JOURNAL_CORRUPT");
    expect((caught as Error).message).toContain(`${path}: line 2`);
  });

  it("rejects journals whose events contradict each other", () => {
    const path = join(dir, "contradict.jsonl");
    const study = createStudy({ space: braninSpace, storage: createJournalStorage(path) });
    study.tell(study.ask(), 1);
    study.close();
    appendFileSync(path, `${JSON.stringify({ type: "tell", number: 0, state: "complete", value: 2 })}\n`);
    expect(codeOf(() => loadStudy({ storage: createJournalStorage(path) }))).toBe("JOURNAL_CORRUPT");
    const path2 = join(dir, "header.jsonl");
    writeFileSync(path2, `${JSON.stringify({ type: "ask", number: 0, seed: 1, params: {} })}\n`);
    expect(codeOf(() => createJournalStorage(path2).read())).toBe("JOURNAL_CORRUPT");
  });

  it("resumes from a journal cut after any event as an uninterrupted study ends", async () => {
    const run = async (path: string) => {
      const study = createStudy({
        space: braninSpace,
        seed: 8,
        storage: createJournalStorage(path),
        loadIfExists: true,
        pendingWindow: 2,
      });
      const result = await study.optimize(
        (p, trial) => {
          trial.report(0, branin(p) + 1);
          return branin(p);
        },
        { trials: 8, concurrency: 3 },
      );
      study.close();
      return result.trials.map(({ durationMs: _d, attempts: _a, ...t }) => t);
    };
    const full = join(dir, "full.jsonl");
    const reference = await run(full);
    const all = lines(full);
    for (const cut of [2, 5, 9, all.length - 3]) {
      const path = join(dir, `cut-${cut}.jsonl`);
      // Keep `cut` lines and half of the next one (a torn write).
      writeFileSync(path, `${all.slice(0, cut).join("\n")}\n${all[cut]!.slice(0, 10)}`);
      expect(await run(path)).toEqual(reference);
    }
  });

  it("validates its arguments and refuses appends after close", () => {
    expect(codeOf(() => createJournalStorage(""))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => createJournalStorage(join(dir, "x"), { fsync: 1 as never }))).toBe(
      "INVALID_ARGUMENT",
    );
    const storage = createJournalStorage(join(dir, "closed.jsonl"));
    storage.close();
    expect(codeOf(() => createStudy({ space: braninSpace, storage }))).toBe("JOURNAL_IO");
    expect(
      codeOf(() =>
        createStudy({ space: braninSpace, storage: createJournalStorage(join(dir, "no/such/dir.jsonl")) }),
      ),
    ).toBe("JOURNAL_IO");
  });
});
