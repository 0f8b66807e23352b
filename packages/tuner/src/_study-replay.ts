import { domainsOf, isInDomain } from "./_domain.js";
import { locate } from "./_study-config.js";
import type { StudyCore } from "./_study-core.js";
import { newRecord } from "./_trial-record.js";
import { TunerError } from "./errors.js";
import type { TrialOutcome } from "./executor.js";
import type { Choice } from "./search-space.js";
import type { StudyEvent } from "./storage.js";

/**
 * Rebuilds a study's trials from its stored events (the header, `events[0]`, is already checked):
 * asks, reports, tells and retries are applied in order, each checked against the state so far. Trials
 * still running at the end belonged to a process that is gone: they are retried or failed per
 * `onInterrupted` (see {@link StudyCore.park}).
 * @throws {@link TunerError} `JOURNAL_CORRUPT` naming where the bad event is kept and what is wrong
 */
export function replay(study: StudyCore, events: readonly StudyEvent[]): void {
  const corrupt = (i: number, message: string): never => {
    throw new TunerError("JOURNAL_CORRUPT", `${locate(study.storage, i)}: ${message}`);
  };
  const { book } = study;
  const domains = domainsOf(study.config.space);
  const running = (i: number, number: number, what: string) => {
    const rec = book.records[number];
    if (rec === undefined || rec.state !== "running") {
      return corrupt(i, `${what} for trial ${number}, which is not running`);
    }
    return rec;
  };
  for (let i = 1; i < events.length; i++) {
    const ev = events[i]!;
    switch (ev.type) {
      case "study":
        corrupt(i, "a second study header");
        break;
      case "ask": {
        if (ev.number !== book.size) corrupt(i, `ask for trial ${ev.number}, expected trial ${book.size}`);
        const params: Record<string, Choice> = {};
        for (const d of domains) {
          const v = ev.params[d.name];
          if (!isInDomain(d, v)) {
            corrupt(
              i,
              `trial ${ev.number}: parameter "${d.name}" = ${JSON.stringify(v)} is outside the search space`,
            );
          }
          params[d.name] = v as Choice;
        }
        book.add(newRecord(ev.number, ev.seed, Object.freeze(params)));
        break;
      }
      case "report": {
        const rec = running(i, ev.number, "report");
        const last = rec.intermediate[rec.intermediate.length - 1];
        if (last !== undefined && ev.step <= last.step) {
          corrupt(i, `trial ${ev.number}: step ${ev.step} reported after step ${last.step}`);
        }
        rec.intermediate.push(Object.freeze({ step: ev.step, value: ev.value }));
        break;
      }
      case "tell": {
        const rec = running(i, ev.number, "tell");
        if (ev.state === "complete" && ev.value === undefined) {
          corrupt(i, `trial ${ev.number}: complete without a value`);
        }
        const outcome: TrialOutcome =
          ev.state === "complete"
            ? { state: "complete", value: ev.value! }
            : ev.state === "pruned"
              ? { state: "pruned" }
              : { state: "failed", error: ev.error ?? { name: "Error", message: "unknown error" } };
        study.finish(rec, outcome, ev.durationMs, false);
        break;
      }
      case "retry": {
        const rec = running(i, ev.number, "retry");
        rec.attempts = ev.attempt;
        rec.intermediate = [];
        break;
      }
    }
  }
  for (const rec of book.records) if (rec.state === "running") study.park(rec);
}
