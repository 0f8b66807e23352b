// The one resumable wrapper every stage runs through, and the context stages share.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { JOB_MODE_STAGES, type StageName } from "@rlvr/job-record";
import { writeChecked } from "../_fs.js";
import type { ResolvedRunOptions } from "../_run-options.js";
import { OrchestratorError } from "../errors.js";
import type { JobEvent } from "../job-events.js";
import type { ResolvedJobSpec } from "../job-spec.js";

/** A JSON round trip: the value exactly as a record or resume file holds it. */
export const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What happened to the stages so far (the record's `stages` and `volatile.stages`). */
export interface StageLog {
  /** Stages finished, in order. */
  readonly finished: StageName[];
  /** Wall time of each finished stage and whether it came from resume state. */
  readonly times: { readonly name: StageName; readonly durationMs: number; readonly resumed: boolean }[];
  /** The stage running or last started (the stage of an error). */
  current: StageName | null;
  /** Largest resident set size seen at a stage end. */
  peakRssBytes: number;
}

/** Where a job keeps its resume state, once its id is known. */
export interface ResumeState {
  /** The job id. */
  readonly jobId: string;
  /** `<outDir>/.rlvr-job/<jobId>`. */
  readonly dir: string;
}

/** What every stage is given besides its input. */
export interface StageContext {
  readonly spec: ResolvedJobSpec;
  readonly options: ResolvedRunOptions;
  readonly log: StageLog;
  /** Delivers an event to the caller (a throwing listener is ignored). */
  emit(event: JobEvent): void;
  /** Throws `ABORTED` when the job's signal is aborted. */
  checkAbort(): void;
}

/** The context of the stages after `fingerprint`: the job id and its resume state are known. */
export interface JobContext extends StageContext {
  readonly state: ResumeState;
  /** Tells the registry the job is alive. */
  heartbeat(): void;
}

/**
 * How a stage's output is kept in its resume file `stages/<name>.json`: `encode` gives the JSON,
 * `decode` rebuilds the output from it (and from other files of the resume state), or returns null
 * when the state is incomplete and the stage must run again.
 */
export interface StageCodec<I, O> {
  encode(output: O): unknown;
  decode(stored: unknown, input: I, job: JobContext): O | null | Promise<O | null>;
}

/** A stage: a typed function of its input, with a codec when its output is worth keeping. */
export interface Stage<I, O, C extends StageContext = StageContext> {
  readonly name: StageName;
  run(input: I, context: C): Promise<O>;
  readonly codec?: StageCodec<I, O>;
}

/** The resume file of a stage. */
export function stageFile(state: ResumeState, name: string): string {
  return join(state.dir, "stages", `${name}.json`);
}

async function readStored(state: ResumeState, name: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(stageFile(state, name), "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function hasState(context: StageContext): context is JobContext {
  return "state" in context;
}

/** Creates the log of a job's stages. */
export function createStageLog(rssBytes: number): StageLog {
  return { finished: [], times: [], current: null, peakRssBytes: rssBytes };
}

/** The error every stage throws on cancellation. */
export function abortedError(signal: AbortSignal): OrchestratorError {
  return new OrchestratorError("ABORTED", "the job was cancelled", { cause: signal.reason });
}

/**
 * Runs a stage: cancellation check, `stage-start`, the resume file when resuming (else the stage
 * itself and then its resume file), timing and memory, `stage-end`, registry heartbeat.
 */
export async function runStage<I, O, C extends StageContext>(
  stage: Stage<I, O, C>,
  input: I,
  context: C,
): Promise<O> {
  const { log, spec, options } = context;
  context.checkAbort();
  log.current = stage.name;
  const jobId = hasState(context) ? context.state.jobId : null;
  const order = JOB_MODE_STAGES[spec.mode];
  context.emit({
    type: "stage-start",
    jobId,
    stage: stage.name,
    index: order.indexOf(stage.name),
    total: order.length,
  });
  const start = options.clock.monotonicMs();
  let output: O | null = null;
  const cache = stage.codec !== undefined && hasState(context) ? context : null;
  if (cache !== null && stage.codec !== undefined && options.resume) {
    const stored = await readStored(cache.state, stage.name);
    if (stored !== undefined) output = await stage.codec.decode(stored, input, cache);
  }
  const resumed = output !== null;
  if (output === null) {
    output = await stage.run(input, context);
    if (cache !== null && stage.codec !== undefined) {
      const file = stageFile(cache.state, stage.name);
      await writeChecked(options.files, file, `${JSON.stringify(stage.codec.encode(output))}\n`);
    }
  }
  const durationMs = options.clock.monotonicMs() - start;
  log.peakRssBytes = Math.max(log.peakRssBytes, options.host.rssBytes());
  log.times.push({ name: stage.name, durationMs, resumed });
  log.finished.push(stage.name);
  if (hasState(context)) context.heartbeat();
  context.emit({ type: "stage-end", jobId, stage: stage.name, durationMs, resumed });
  return output;
}
