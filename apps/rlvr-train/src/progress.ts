import type { JobEvent } from "@rlvr/orchestrator";
import type { CliIo } from "./io.js";
import { publicMessage } from "./report-error.js";

/** How progress is shown: bars redrawn in place, one plain line per event, or nothing. */
export type ProgressMode = "tty" | "plain" | "none";

/** Receives job events and draws them on stderr; `done()` clears a bar left on screen. */
export interface ProgressDisplay {
  readonly onEvent: (event: JobEvent) => void;
  readonly done: () => void;
}

/** The mode for a command: none with `--json`, bars when stderr is a terminal, plain lines otherwise. */
export function progressMode(io: CliIo, json: boolean): ProgressMode {
  if (json) return "none";
  return (io.stderrIsTty ?? io.isTty) && io.env.TERM !== "dumb" ? "tty" : "plain";
}

/** `1m05s`, `12s`, `0.4s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** A text bar of `width` cells, `fraction` of them full. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `${"█".repeat(full)}${"░".repeat(width - full)}`;
}

/**
 * The message of a `warning` event (`{ type: "warning", stage, code, message }`), in public words, or
 * `undefined` for any other event. Written against the shape rather than the event type, so that it
 * works with orchestrators with and without warning events.
 */
export function warningText(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const { type, message } = event as { type?: unknown; message?: unknown };
  return type === "warning" && typeof message === "string" ? publicMessage(message) : undefined;
}

const fmt = (v: number | null) => (v === null ? "-" : v.toFixed(4));

/**
 * Creates the progress display of a job on `io.stderr`. The clock is only used for the ETA shown to
 * people; nothing it computes reaches a result.
 * @param now - clock in milliseconds (injected for tests) @defaultValue `performance.now`
 */
export function createProgress(
  io: CliIo,
  mode: ProgressMode,
  now: () => number = () => performance.now(),
): ProgressDisplay {
  if (mode === "none") return { onEvent: () => {}, done: () => {} };
  let stageLabel = "";
  let trialsDone = 0;
  let stageStart = 0;
  let shown = false;
  const columns = Math.max(40, io.columns ?? 80);

  /** Remaining time of the current stage at `fraction` done, from the rate so far. */
  const eta = (fraction: number) =>
    fraction <= 0 ? "?" : formatDuration(((now() - stageStart) * (1 - fraction)) / fraction);
  const draw = (text: string) => {
    const line = text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text;
    io.stderr(`\r\u001b[K${line}`);
    shown = true;
  };
  const line = (text: string) => {
    if (mode === "tty") {
      if (shown) io.stderr("\r\u001b[K");
      shown = false;
    }
    io.stderr(`${text}\n`);
  };

  const onEvent = (event: JobEvent): void => {
    switch (event.type) {
      case "stage-start":
        stageLabel = `[${event.index + 1}/${event.total}] ${event.stage}`;
        trialsDone = 0;
        stageStart = now();
        if (mode === "plain") line(`${stageLabel} ...`);
        else draw(`${stageLabel} ...`);
        return;
      case "stage-end":
        line(`${stageLabel} done in ${formatDuration(event.durationMs)}${event.resumed ? " (resumed)" : ""}`);
        return;
      case "trial-start":
        return;
      case "trial-end": {
        trialsDone++;
        const what = `${event.state}${event.value === null ? "" : ` ${fmt(event.value)}`} · best ${fmt(event.bestValue)}`;
        if (mode === "plain") {
          line(`  trial #${event.trial} (${trialsDone}/${event.totalTrials}) ${what}`);
          return;
        }
        const frac = Math.min(1, trialsDone / event.totalTrials);
        draw(
          `${stageLabel} ${bar(frac, 16)} ${trialsDone}/${event.totalTrials} trials · ETA ${eta(frac)} · #${event.trial} ${what}`,
        );
        return;
      }
      case "progress": {
        if (event.trial !== null) return; // epochs inside trials: the trial bar says enough
        if (mode === "plain") {
          line(`  epoch ${event.current}/${event.total}`);
          return;
        }
        const frac = event.current / event.total;
        draw(`${stageLabel} ${bar(frac, 16)} epoch ${event.current}/${event.total} · ETA ${eta(frac)}`);
        return;
      }
      case "error":
        // The command reports the error itself (message, or the record's summary).
        return;
      default: {
        const warning = warningText(event);
        if (warning !== undefined) line(`warning: ${warning}`);
        return;
      }
    }
  };
  return {
    onEvent,
    done: () => {
      if (mode === "tty" && shown) io.stderr("\r\u001b[K");
      shown = false;
    },
  };
}
