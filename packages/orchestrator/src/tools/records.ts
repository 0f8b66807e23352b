import { type JobRecord, stripVolatile } from "@rlvr/job-record";
import type { JobSpec } from "../job-spec.js";

/** One difference between two JSON values: where (RFC 6901 pointer) and the two values. */
export interface JsonDifference {
  readonly pointer: string;
  readonly a: unknown;
  readonly b: unknown;
}

const escapeKey = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every leaf where two JSON values differ, in document order (keys sorted), at most `limit` of them.
 * Numbers are compared exactly: a replay must reproduce bits, not approximately.
 */
export function diffJson(a: unknown, b: unknown, limit = 1000): JsonDifference[] {
  const out: JsonDifference[] = [];
  const walk = (x: unknown, y: unknown, pointer: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${pointer}/${i}`);
      return;
    }
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) walk(x[k], y[k], `${pointer}/${escapeKey(k)}`);
      return;
    }
    if (!Object.is(x, y) && JSON.stringify(x) !== JSON.stringify(y)) out.push({ pointer, a: x, b: y });
  };
  walk(a, b, "");
  return out;
}

/** The fields in which two job records differ outside `volatile` (see {@link diffJson}). */
export function compareRecords(a: JobRecord, b: JobRecord, limit = 1000): JsonDifference[] {
  return diffJson(stripVolatile(a), stripVolatile(b), limit);
}

/** Options of {@link replaySpec}. */
export interface ReplaySpecOptions {
  /** Dataset files to read (the recorded paths, or copies of them). */
  readonly datasets: readonly string[];
  /** Output folder of the replay. */
  readonly outDir: string;
}

/**
 * The job spec that reproduces a record: its resolved spec, label and seed, with the given dataset
 * files and output folder, and no registry.
 */
export function replaySpec(record: JobRecord, options: ReplaySpecOptions): JobSpec {
  const { spec } = record;
  return {
    ...(spec.mode === undefined ? {} : { mode: spec.mode }),
    datasets: [...options.datasets],
    format: spec.format as JobSpec["format"],
    ...(spec.propensityPointer === undefined ? {} : { propensityPointer: spec.propensityPointer }),
    seed: spec.seed,
    label: record.label,
    outDir: options.outDir,
    registryPath: null,
    split: spec.split,
    rlvr: spec.baseConfig as JobSpec["rlvr"],
    // a train-mode job has no search space (it records {}, which a spec may not hold)
    ...(spec.mode === "train" ? {} : { searchSpace: spec.searchSpace as JobSpec["searchSpace"] }),
    tuner: spec.tuner as JobSpec["tuner"],
    finalTraining: spec.finalTraining as JobSpec["finalTraining"],
    evaluation: spec.evaluation,
  };
}
