// The study's side of a remote trial's channel. A trial's reports and pruning questions arrive through
// Redis, possibly from several attempts (a worker killed mid-trial, the trial re-run elsewhere). The
// ledger keeps what the study was told, in order, and the pruner's answer after each prefix, so that:
// - a report the study already holds is checked (same step and value) rather than told twice;
// - a question already answered gets the same answer (the pruner is not asked again);
// - a request that assumes reports the study does not hold (the executor was restarted) gets `resync`
//   with the number it holds, and the worker sends the rest.
// Hence the study sees each report once and every decision is the one an undisturbed run gets.
import type { TrialChannel } from "@rlvr/tuner";
import type { ChannelReply, ChannelRequest } from "./wire.js";
import { WIRE_VERSION } from "./wire.js";

/** What the study was told about one trial. */
export interface Ledger {
  /** Reports accepted by the study, in order. */
  readonly reports: Array<readonly [number, number]>;
  /** Pruner answers, by the number of reports they followed. */
  readonly decisions: Map<number, boolean>;
}

/** A new, empty ledger. */
export function createLedger(): Ledger {
  return { reports: [], decisions: new Map() };
}

/** `{ name, message, code? }` of a thrown value (the form the tuner records). */
export function errorInfoOf(error: unknown): { name: string; message: string; code?: string } {
  if (typeof error === "object" && error !== null) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown };
    const name = typeof e.name === "string" && e.name.length > 0 ? e.name : "Error";
    const message = typeof e.message === "string" ? e.message : String(error);
    return typeof e.code === "string" ? { name, message, code: e.code } : { name, message };
  }
  return { name: "Error", message: String(error) };
}

function mismatch(index: number, trial: number): ChannelReply {
  return {
    v: WIRE_VERSION,
    error: {
      name: "TunerBullmqError",
      code: "REPLAY_MISMATCH",
      message: `trial ${trial} was re-run after its worker stopped and differs from the first attempt at report ${index}: the objective is not deterministic`,
    },
  };
}

/**
 * Adds `reports` (the attempt's reports from index `from`) to the ledger, telling the study the new
 * ones. Returns `undefined` when all were accepted, else the reply to send.
 */
export function tellReports(
  ledger: Ledger,
  channel: TrialChannel,
  trial: number,
  from: number,
  reports: readonly (readonly [number, number])[],
): ChannelReply | undefined {
  for (let i = 0; i < reports.length; i++) {
    const index = from + i;
    const [step, value] = reports[i] as readonly [number, number];
    const held = ledger.reports[index];
    if (held !== undefined) {
      if (held[0] !== step || !Object.is(held[1], value)) return mismatch(index, trial);
      continue;
    }
    if (index > ledger.reports.length) return { v: WIRE_VERSION, resync: ledger.reports.length };
    try {
      channel.report(step, value);
    } catch (error) {
      return { v: WIRE_VERSION, error: errorInfoOf(error) };
    }
    ledger.reports.push([step, value]);
  }
  return undefined;
}

/** The reply to one channel request of trial `trial`. */
export function answer(
  ledger: Ledger,
  channel: TrialChannel,
  trial: number,
  request: ChannelRequest,
): ChannelReply {
  if (request.kind === "report") {
    return (
      tellReports(ledger, channel, trial, request.from, request.reports) ?? { v: WIRE_VERSION, ok: true }
    );
  }
  const seq = request.seq;
  if (seq > ledger.reports.length) return { v: WIRE_VERSION, resync: ledger.reports.length };
  const known = ledger.decisions.get(seq);
  if (known !== undefined) return { v: WIRE_VERSION, ok: true, prune: known };
  // A question at an earlier point than the study holds, never asked there before: only a
  // non-deterministic objective does that (the study cannot answer for a past state).
  if (seq < ledger.reports.length) return mismatch(seq, trial);
  let prune: boolean;
  try {
    prune = channel.shouldPrune();
  } catch (error) {
    return { v: WIRE_VERSION, error: errorInfoOf(error) };
  }
  ledger.decisions.set(seq, prune);
  return { v: WIRE_VERSION, ok: true, prune };
}
