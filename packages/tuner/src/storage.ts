import Type from "typebox";
import type { ComponentDescription } from "./sampler.js";
import { SearchSpaceSchema, type SearchSpaceSpec } from "./search-space.js";
import type { Direction, TrialErrorInfo } from "./trial.js";

/** `format` member of the first event of every study journal. */
export const JOURNAL_FORMAT = "@rlvr/tuner-journal";

/** Version of the event format; readers reject other versions. */
export const JOURNAL_VERSION = 1;

/** First event of a study: its configuration. */
export interface StudyHeaderEvent {
  readonly type: "study";
  readonly format: typeof JOURNAL_FORMAT;
  readonly version: typeof JOURNAL_VERSION;
  readonly name: string;
  readonly seed: number;
  readonly direction: Direction;
  readonly pendingWindow: number;
  readonly space: SearchSpaceSpec;
  readonly sampler: ComponentDescription;
  readonly pruner: ComponentDescription;
  /** ISO 8601 creation time (volatile). */
  readonly createdAt: string;
}

/** A trial was asked (its parameters decided). */
export interface AskEvent {
  readonly type: "ask";
  readonly number: number;
  readonly seed: number;
  readonly params: { readonly [name: string]: string | number | boolean };
}

/** A trial reported an intermediate value. */
export interface ReportEvent {
  readonly type: "report";
  readonly number: number;
  readonly step: number;
  readonly value: number;
}

/** A trial finished. */
export interface TellEvent {
  readonly type: "tell";
  readonly number: number;
  readonly state: "complete" | "pruned" | "failed";
  readonly value?: number;
  readonly error?: TrialErrorInfo;
  /** Volatile. */
  readonly durationMs?: number;
}

/** An interrupted trial was restarted (same number, parameters and seed); its reports are reset. */
export interface RetryEvent {
  readonly type: "retry";
  readonly number: number;
  /** Attempt number now starting (2 for the first retry). */
  readonly attempt: number;
}

/** One event of a study's append-only log. */
export type StudyEvent = StudyHeaderEvent | AskEvent | ReportEvent | TellEvent | RetryEvent;

const componentSchema = Type.Object(
  { kind: Type.String({ minLength: 1 }), options: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
const trialNumber = Type.Integer({ minimum: 0 });

/** TypeBox schema of {@link StudyEvent} (one journal line). */
export const StudyEventSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal("study"),
      format: Type.Literal(JOURNAL_FORMAT),
      version: Type.Literal(JOURNAL_VERSION),
      name: Type.String(),
      seed: Type.Integer({ minimum: 0 }),
      direction: Type.Union([Type.Literal("minimize"), Type.Literal("maximize")]),
      pendingWindow: Type.Integer({ minimum: 0 }),
      space: SearchSpaceSchema,
      sampler: componentSchema,
      pruner: componentSchema,
      createdAt: Type.String(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("ask"),
      number: trialNumber,
      seed: Type.Integer({ minimum: 0 }),
      params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("report"),
      number: trialNumber,
      step: Type.Integer({ minimum: 0 }),
      value: Type.Number(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("tell"),
      number: trialNumber,
      state: Type.Union([Type.Literal("complete"), Type.Literal("pruned"), Type.Literal("failed")]),
      value: Type.Optional(Type.Number()),
      error: Type.Optional(
        Type.Object(
          { name: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      ),
      durationMs: Type.Optional(Type.Number({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal("retry"), number: trialNumber, attempt: Type.Integer({ minimum: 2 }) },
    { additionalProperties: false },
  ),
]);

/**
 * Where a study keeps its event log. The study holds its state in memory and appends one event per
 * change; reading the events back rebuilds the study (`loadStudy`, or `createStudy` with
 * `loadIfExists`). One study writes to a storage at a time.
 */
export interface StudyStorage {
  /** Events already stored, oldest first (empty for a new study). */
  read(): readonly StudyEvent[];
  /**
   * Append one event.
   * @param event - the event
   * @param durable - return only once the event (and every earlier one) is on stable storage; the
   *   study asks for it on the header and on every `tell`
   */
  append(event: StudyEvent, durable: boolean): void;
  /** Release resources. Further appends throw. */
  close(): void;
  /**
   * Where event `index` of `read()` is kept (or, without an index, the storage itself), for messages:
   * a journal says its file and line. Optional; messages fall back to "the study storage, event n".
   */
  locate?(index?: number): string;
}

/** A {@link StudyStorage} in memory; `events` exposes what was appended. `close()` keeps the events. */
export interface MemoryStorage extends StudyStorage {
  /** The events appended so far (copies). */
  readonly events: readonly StudyEvent[];
}

/**
 * A storage that keeps events in memory: the default of `createStudy`. Reading it from a second study
 * (`loadStudy({ storage })`) rebuilds the first one, as a journal file would.
 * @returns the storage
 */
export function createMemoryStorage(): MemoryStorage {
  const events: StudyEvent[] = [];
  return {
    get events() {
      return events.slice();
    },
    read: () => events.slice(),
    append(event) {
      events.push(structuredClone(event));
    },
    close() {
      // Nothing to release: the events stay readable so that a second study can load them.
    },
  };
}
