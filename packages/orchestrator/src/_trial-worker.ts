// Entry module of the tuning worker threads (`concurrency` > 1). The tuner's worker pool imports the
// built file (`dist/_trial-worker.js`) in each thread and calls `createTrialObjective` once with the
// job's settings: the thread loads the dataset itself, checks that its digest is the one the job
// fingerprinted, splits it the same way and returns the same objective the inline path uses.
import { type DatasetFormat, loadDataset, splitByGroup } from "@rlvr/dataset";
import type { Params, Trial } from "@rlvr/tuner";
import { createTuningObjective, type TuningSettings } from "./_tuning-objective.js";

/** What a worker thread is given (structured-cloned). */
export interface TrialWorkerData {
  readonly datasets: readonly string[];
  readonly format: "auto" | DatasetFormat;
  readonly digest: string;
  readonly seed: number;
  readonly split: { readonly validation: number; readonly test: number };
  readonly settings: TuningSettings;
}

/** The factory the worker pool calls once per thread. */
export async function createTrialObjective(
  data: TrialWorkerData,
): Promise<(params: Params, trial: Trial) => Promise<number>> {
  const loaded = await loadDataset([...data.datasets], { format: data.format });
  if (loaded.digest !== data.digest) {
    throw new Error(
      `the dataset changed while the job ran: the job read ${data.digest}, the worker thread read ${loaded.digest}`,
    );
  }
  const { validation, test } = data.split;
  const splits = splitByGroup(loaded.dataset.examples, { seed: data.seed, validation, test });
  return createTuningObjective(data.settings, splits);
}
