// Entry module of the tuning worker threads (`concurrency` > 1). The tuner's worker pool imports the
// built file (`dist/_trial-worker.js`) in each thread and calls `createTrialObjective` once with the
// job's settings and, usually, the prepared data of the trials (feature matrices and nuisance values,
// structured-cloned). When a tuned parameter changes the features, a thread loads the dataset itself
// instead, checks that its digest is the one the job fingerprinted and splits it the same way; a queue's
// worker, which shares no disk with the job, is given the examples of both splits instead.
import type { DatasetFormat } from "@rlvr/dataset";
import type { Params, Trial } from "@rlvr/tuner";
import { createTuningObjective, type TuningData, type TuningSettings } from "./_tuning-objective.js";

/** What a worker thread is given (structured-cloned). */
export interface TrialWorkerData {
  readonly settings: TuningSettings;
  /** The prepared data, the examples of both splits, or where to load the examples from. */
  readonly source:
    | TuningData
    | {
        readonly kind: "files";
        readonly datasets: readonly string[];
        readonly format: "auto" | DatasetFormat;
        readonly propensityPointer: string | null;
        readonly digest: string;
        readonly seed: number;
        readonly split: { readonly validation: number; readonly test: number };
      };
}

/** The factory the worker pool calls once per thread. */
export async function createTrialObjective(
  data: TrialWorkerData,
): Promise<(params: Params, trial: Trial) => Promise<number>> {
  const { source } = data;
  if (source.kind !== "files") return createTuningObjective(data.settings, source);
  // Imported only here: the dataset package (TypeBox and Ajv) takes a third of a second to load,
  // which a worker given prepared data does not need to pay.
  const { loadDataset, splitByGroup } = await import("@rlvr/dataset");
  const loaded = await loadDataset([...source.datasets], {
    format: source.format,
    propensityPointer: source.propensityPointer,
  });
  if (loaded.digest !== source.digest) {
    throw new Error(
      `the dataset changed while the job ran: the job read ${source.digest}, the worker thread read ${loaded.digest}`,
    );
  }
  const { validation, test } = source.split;
  const splits = splitByGroup(loaded.dataset.examples, { seed: source.seed, validation, test });
  return createTuningObjective(data.settings, { kind: "examples", ...splits });
}
