import { prunedError } from "./errors.js";
import type { TrialChannel, TrialTask } from "./executor.js";
import type { Params } from "./search-space.js";
import type { Trial } from "./trial.js";

/** A {@link Trial} over a task and a channel. */
export function makeTrialHandle<P extends Params>(
  task: TrialTask,
  channel: TrialChannel,
  signal: AbortSignal,
): Trial<P> {
  return Object.freeze({
    number: task.number,
    seed: task.seed,
    params: task.params as P,
    signal,
    report: (step: number, value: number) => channel.report(step, value),
    shouldPrune: () => channel.shouldPrune(),
    prune: (): never => {
      throw prunedError(task.number);
    },
  });
}
