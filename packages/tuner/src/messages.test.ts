// What a command-line user can trigger (a bad search space or grid in a job file, a corrupt journal,
// a study that does not match its journal, an unknown sampler or pruner name) is worded publicly:
// no internal function names, and the file and line or JSON pointer and the bad value.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { thrown } from "./__fixtures__/trials.js";
import { createGridSampler } from "./grid-sampler.js";
import { createJournalStorage } from "./journal-storage.js";
import { defineSearchSpace } from "./search-space.js";
import { createStudy, loadStudy } from "./study.js";
import { createPruner, createSampler } from "./tables.js";

const dir = mkdtempSync(join(tmpdir(), "tuner-messages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An internal name as a message prefix or anywhere: `createStudy:`, `study.tell:`, `loadStudy`. */
const INTERNAL = /\b(create|load|define|validate)[A-Z]\w*|\b(study|trial)\.[a-z]\w*/;

/** A journal of a finished 3-trial study, its lines. */
async function journal(name: string): Promise<{ path: string; lines: string[] }> {
  const path = join(dir, `${name}.jsonl`);
  const study = createStudy({
    space: { x: { type: "float", low: 0, high: 1 } },
    seed: 4,
    storage: createJournalStorage(path, { fsync: false }),
  });
  await study.optimize((p) => p.x, { trials: 3 });
  study.close();
  return { path, lines: readFileSync(path, "utf8").trimEnd().split("\n") };
}

/** The error of loading a journal whose header line was edited by `edit`. */
async function loadEdited(name: string, edit: (header: string) => string) {
  const { path, lines } = await journal(name);
  writeFileSync(path, `${[edit(lines[0]!), ...lines.slice(1)].join("\n")}\n`);
  return { path, e: thrown(() => loadStudy({ storage: createJournalStorage(path) })) };
}

describe("user-facing messages", () => {
  it("a bad search space: the pointer and the problem", () => {
    const e = thrown(() => defineSearchSpace({ lr: { type: "float", low: 1, high: 0 } } as never));
    expect(e.code).toBe("INVALID_SEARCH_SPACE");
    expect(e.message).toMatch(/^invalid search space at \/lr/);
    expect(e.details.length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(INTERNAL);
  });

  it("a grid over a continuous float: the pointer", () => {
    const e = thrown(() =>
      createStudy({ space: { "a/b": { type: "float", low: 0, high: 1 } }, sampler: createGridSampler() }),
    );
    expect(e.message).toContain("search space /a~1b is a continuous float");
    expect(e.message).not.toMatch(INTERNAL);
  });

  it("a corrupt journal: the file, the line and what is wrong", async () => {
    const { path, lines } = await journal("corrupt");
    // Drop the first ask: the next event is a report or tell for a trial that was never asked.
    const ask = lines.findIndex((l) => l.includes('"type":"ask"'));
    writeFileSync(path, `${lines.filter((_, i) => i !== ask).join("\n")}\n`);
    const e = thrown(() => loadStudy({ storage: createJournalStorage(path) }));
    expect(e.code).toBe("JOURNAL_CORRUPT");
    expect(e.message).toMatch(
      new RegExp(`^journal ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line ${ask + 1}: `),
    );
    expect(e.message).not.toMatch(INTERNAL);
  });

  it("a journal header of another version: the file, line 1 and what was found", async () => {
    const { path, e } = await loadEdited("version", (header) =>
      header.replace('"version":1', '"version":99'),
    );
    expect(e.code).toBe("JOURNAL_CORRUPT");
    // The storage's own schema check or the version check: either names the file and line 1.
    expect(e.message).toContain(`journal ${path}: line 1`);
    expect(e.message).not.toMatch(INTERNAL);
  });

  it("a study that differs from its journal: the pointer and both values", async () => {
    const { path } = await journal("mismatch");
    const e = thrown(() =>
      createStudy({
        space: { x: { type: "float", low: 0, high: 1 } },
        seed: 5,
        storage: createJournalStorage(path),
        loadIfExists: true,
      }),
    );
    expect(e.code).toBe("STUDY_MISMATCH");
    expect(e.message).toBe(`the study in journal ${path} has /seed 4, but this run gives 5`);
  });

  it("a journal of a sampler that is not built in: its kind", async () => {
    const { path, e } = await loadEdited("custom", (header) =>
      header.replace('"kind":"tpe"', '"kind":"custom:mine"'),
    );
    expect(e.code).toBe("STUDY_MISMATCH");
    expect(e.message).toContain(`journal ${path}`);
    expect(e.message).toContain('sampler kind "custom:mine"');
  });

  it("an unknown sampler or pruner name: the name and the known ones", () => {
    expect(thrown(() => createSampler("bayes")).message).toBe(
      'unknown sampler "bayes"; expected one of "grid", "random", "tpe"',
    );
    const e = thrown(() => createPruner("asha"));
    expect(e.message).toContain('unknown pruner "asha"');
    expect(e.message).toContain('"successive-halving", "successive_halving"');
  });

  it("a bad component option: the component, the option and the value", () => {
    const e = thrown(() => createPruner("successive_halving", { reductionFactor: 1 }));
    expect(e.message).toBe("successive-halving pruner: reductionFactor must be an integer >= 2, got 1");
  });
});
