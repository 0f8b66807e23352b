import type { TrialChannel } from "@rlvr/tuner";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answer, createLedger, tellReports } from "./_ledger.js";
import type { ChannelRequest } from "./wire.js";

/** A channel that records calls and prunes when the last value exceeds `limit`. */
function recordingChannel(limit = 10) {
  const told: Array<[number, number]> = [];
  let asked = 0;
  const channel: TrialChannel = {
    report(step, value) {
      const last = told.at(-1);
      if (last !== undefined && step <= last[0]) {
        throw Object.assign(new Error(`step ${step} after ${last[0]}`), {
          name: "TunerError",
          code: "INVALID_REPORT",
        });
      }
      told.push([step, value]);
    },
    shouldPrune() {
      asked++;
      return (told.at(-1)?.[1] ?? 0) > limit;
    },
  };
  return { channel, told, asked: () => asked };
}

const report = (from: number, reports: Array<[number, number]>): ChannelRequest => ({
  v: 1,
  reply: "r",
  jobId: "run-0",
  kind: "report",
  from,
  reports,
});
const prune = (seq: number): ChannelRequest => ({ v: 1, reply: "r", jobId: "run-0", kind: "prune", seq });

describe("ledger", () => {
  it("tells a re-run's reports once and repeats the decisions", () => {
    const { channel, told, asked } = recordingChannel();
    const ledger = createLedger();
    expect(answer(ledger, channel, 0, report(0, [[0, 5]]))).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 0, prune(1))).toEqual({ v: 1, ok: true, prune: false });
    expect(answer(ledger, channel, 0, report(1, [[1, 11]]))).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 0, prune(2))).toEqual({ v: 1, ok: true, prune: true });
    // The second attempt, from the start.
    expect(answer(ledger, channel, 0, report(0, [[0, 5]]))).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 0, prune(1))).toEqual({ v: 1, ok: true, prune: false });
    expect(answer(ledger, channel, 0, report(1, [[1, 11]]))).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 0, prune(2))).toEqual({ v: 1, ok: true, prune: true });
    expect(told).toEqual([
      [0, 5],
      [1, 11],
    ]);
    expect(asked()).toBe(2);
  });

  it("asks for the reports it lacks, and refuses a re-run that differs", () => {
    const { channel } = recordingChannel();
    const ledger = createLedger();
    expect(answer(ledger, channel, 3, report(2, [[2, 1]]))).toEqual({ v: 1, resync: 0 });
    expect(answer(ledger, channel, 3, prune(1))).toEqual({ v: 1, resync: 0 });
    expect(
      answer(
        ledger,
        channel,
        3,
        report(0, [
          [0, 1],
          [1, 2],
          [2, 3],
        ]),
      ),
    ).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 3, report(1, [[1, 2.5]]))).toMatchObject({
      error: { code: "REPLAY_MISMATCH", message: expect.stringContaining("trial 3") },
    });
    expect(answer(ledger, channel, 3, prune(1))).toMatchObject({ error: { code: "REPLAY_MISMATCH" } });
  });

  it("passes the study's refusal back to the objective, as the study's error", () => {
    const { channel } = recordingChannel();
    const ledger = createLedger();
    expect(answer(ledger, channel, 0, report(0, [[4, 1]]))).toEqual({ v: 1, ok: true });
    expect(answer(ledger, channel, 0, report(1, [[2, 1]]))).toEqual({
      v: 1,
      error: { name: "TunerError", code: "INVALID_REPORT", message: "step 2 after 4" },
    });
    expect(ledger.reports).toHaveLength(1);
  });

  it("any interleaving of attempts of a deterministic trial tells the study what one attempt tells it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(2), { minLength: 1, maxLength: 60 }),
        (values, schedule) => {
          // Reference: one attempt, report then prune question after each value.
          const ref = recordingChannel();
          const decisions: boolean[] = [];
          for (const [step, value] of values.entries()) {
            ref.channel.report(step, value);
            decisions.push(ref.channel.shouldPrune());
          }
          // Three attempts, advanced in the scheduled order, each stopping at its first prune.
          const { channel, told } = recordingChannel();
          const ledger = createLedger();
          const progress = [0, 0, 0];
          for (const who of schedule) {
            const at = progress[who] as number;
            if (at >= values.length * 2) continue;
            const i = at >> 1;
            if (at % 2 === 0) {
              expect(answer(ledger, channel, 0, report(i, [[i, values[i] as number]]))).toEqual({
                v: 1,
                ok: true,
              });
            } else {
              const reply = answer(ledger, channel, 0, prune(i + 1));
              expect(reply).toEqual({ v: 1, ok: true, prune: decisions[i] });
              if (decisions[i]) {
                progress[who] = values.length * 2;
                continue;
              }
            }
            progress[who] = at + 1;
          }
          expect(told).toEqual(ref.told.slice(0, told.length));
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });

  it("catches a finished result's reports up, refusing a different history", () => {
    const { channel, told } = recordingChannel();
    const ledger = createLedger();
    expect(tellReports(ledger, channel, 0, 0, [[0, 1]])).toBeUndefined();
    expect(
      tellReports(ledger, channel, 0, 0, [
        [0, 1],
        [1, 2],
      ]),
    ).toBeUndefined();
    expect(told).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(tellReports(ledger, channel, 0, 0, [[0, 7]])).toMatchObject({
      error: { code: "REPLAY_MISMATCH" },
    });
  });
});
