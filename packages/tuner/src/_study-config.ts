import { stableStringify } from "./_json.js";
import { withDefaults } from "./_options.js";
import { TunerError } from "./errors.js";
import type { Pruner } from "./pruner.js";
import type { ComponentDescription, Sampler } from "./sampler.js";
import type { SearchSpace } from "./search-space.js";
import {
  JOURNAL_FORMAT,
  JOURNAL_VERSION,
  type StudyEvent,
  type StudyHeaderEvent,
  type StudyStorage,
} from "./storage.js";
import type { InterruptedPolicy, ResumeOptions } from "./study-types.js";
import type { Direction } from "./trial.js";

/** A study's configuration, every default filled in. */
export interface Config {
  readonly name: string;
  readonly seed: number;
  readonly direction: Direction;
  readonly pendingWindow: number;
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly onInterrupted: InterruptedPolicy;
  readonly maxRetries: number;
}

/** Throws `INVALID_ARGUMENT` for a misuse of the API (`fn` names the function called). */
export function bad(fn: string, message: string): never {
  throw new TunerError("INVALID_ARGUMENT", `${fn}: ${message}`);
}

/** Whether `value` has a `description` and the method named `method` (a sampler's or pruner's). */
export function isComponent<T>(value: unknown, method: "sample" | "prune"): value is T {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { readonly description?: { readonly kind?: unknown } } & Record<string, unknown>;
  return typeof v[method] === "function" && typeof v.description?.kind === "string";
}

/** `onInterrupted` and `maxRetries`, checked, defaults from `defaults`. */
export function resumeOptions(
  fn: string,
  options: ResumeOptions,
  defaults: Required<ResumeOptions>,
): Required<ResumeOptions> {
  const { onInterrupted, maxRetries } = withDefaults(defaults, options);
  if (onInterrupted !== "retry" && onInterrupted !== "fail") {
    bad(fn, `onInterrupted must be "retry" or "fail", got ${String(onInterrupted)}`);
  }
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    bad(fn, `maxRetries must be an integer >= 0, got ${String(maxRetries)}`);
  }
  return { onInterrupted, maxRetries };
}

/** Where a storage keeps event `index` (or the study as a whole), for messages. */
export function locate(storage: StudyStorage, index?: number): string {
  const where = storage.locate?.(index);
  if (where !== undefined) return where;
  return index === undefined ? "the study storage" : `the study storage, event ${index + 1}`;
}

/** The header event that starts the journal of a study with `config`. */
export function headerOf(config: Config): StudyHeaderEvent {
  return {
    type: "study",
    format: JOURNAL_FORMAT,
    version: JOURNAL_VERSION,
    name: config.name,
    seed: config.seed,
    direction: config.direction,
    pendingWindow: config.pendingWindow,
    space: config.space.spec,
    sampler: config.sampler.description,
    pruner: config.pruner.description,
    createdAt: new Date().toISOString(),
  };
}

/** The first event, checked to be a study header of this journal format and version. */
export function readHeader(storage: StudyStorage, events: readonly StudyEvent[]): StudyHeaderEvent {
  const header = events[0];
  if (header?.type !== "study" || header.format !== JOURNAL_FORMAT || header.version !== JOURNAL_VERSION) {
    const found =
      header?.type === "study" ? `format ${JSON.stringify(header.format)} version ${header.version}` : "none";
    throw new TunerError(
      "JOURNAL_CORRUPT",
      `${locate(storage, 0)}: expected a study header of format "${JOURNAL_FORMAT}" version ${JOURNAL_VERSION}, found ${found}`,
    );
  }
  return header;
}

/** Throws `STUDY_MISMATCH` unless the stored header describes the study `config` would create. */
export function checkHeader(storage: StudyStorage, header: StudyHeaderEvent, config: Config): void {
  const given = headerOf(config);
  const stored = {
    ...header,
    sampler: withStoredDefaults(header.sampler),
    pruner: withStoredDefaults(header.pruner),
  };
  for (const field of ["name", "seed", "direction", "pendingWindow", "space", "sampler", "pruner"] as const) {
    const a = stableStringify(stored[field]);
    const b = stableStringify(given[field]);
    if (a !== b) {
      throw new TunerError(
        "STUDY_MISMATCH",
        `the study in ${locate(storage)} has /${field} ${a}, but this run gives ${b}`,
      );
    }
  }
}

/**
 * Options that journals written before an option existed imply: the value the component used then
 * (TPE's `bandwidthFactor` was Optuna's 0.2 before it became an option, its good-mixture bandwidth
 * did not shrink with the study before `shrinkGoodBandwidth`, and pending trials weighed 1 in g and
 * did not count towards `nStartupTrials` before `pendingWeight` and `startupCountsPending`).
 */
const STORED_OPTION_DEFAULTS: { readonly [kind: string]: object } = Object.freeze({
  tpe: Object.freeze({
    bandwidthFactor: 0.2,
    shrinkGoodBandwidth: false,
    pendingWeight: 1,
    startupCountsPending: false,
  }),
});

/** A stored description with the options its journal implies (`STORED_OPTION_DEFAULTS`) filled in. */
function withStoredDefaults(d: ComponentDescription): ComponentDescription {
  if (!Object.hasOwn(STORED_OPTION_DEFAULTS, d.kind)) return d;
  return { kind: d.kind, options: { ...STORED_OPTION_DEFAULTS[d.kind], ...d.options } };
}

/**
 * Rebuilds a built-in sampler or pruner from its stored description through its table (`SAMPLERS`,
 * `PRUNERS`: the `kind` is the table name), or `undefined` for a kind the table does not hold.
 */
export function fromDescription<T>(
  table: { readonly [kind: string]: (options: never) => T },
  d: ComponentDescription,
): T | undefined {
  if (!Object.hasOwn(table, d.kind)) return undefined;
  const factory = table[d.kind] as (options: object) => T;
  return factory({ ...STORED_OPTION_DEFAULTS[d.kind], ...d.options });
}
