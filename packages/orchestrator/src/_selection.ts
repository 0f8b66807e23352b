// How the final model of a job was selected (the record's `training.selection`).
import type { SelectionRecord, TrialRecord } from "@rlvr/job-record";
import type { TrainingResult } from "@rlvr/rlvr-loop";

/**
 * The selection record of a final training: the reproduced best trial (or the job's configuration),
 * the epoch kept, why training stopped, and whether the per-epoch validation values equal the
 * trial's (`reproducesTrial`; null when not comparable).
 */
export function selectionOf(
  result: TrainingResult,
  bestTrial: TrialRecord | null,
  reproduce: boolean,
  seed: number,
): SelectionRecord {
  const validations = result.epochs.map((e) => e.validation);
  const reproducesTrial =
    reproduce && bestTrial !== null
      ? bestTrial.intermediateValues.length === validations.length &&
        bestTrial.intermediateValues.every((v, i) => v.value === validations[i])
      : null;
  return {
    method: bestTrial !== null ? "best-trial" : "configured",
    trial: bestTrial?.number ?? null,
    seed,
    validationMetric: result.validationMetric,
    bestEpoch: result.bestEpoch,
    bestValidation: result.bestValidation,
    restoredBest: result.restoredBest,
    stopReason: result.stopReason,
    tuningValue: bestTrial?.value ?? null,
    reproducesTrial,
    summary: selectionSummary(result, bestTrial?.number ?? null, reproduce, reproducesTrial),
  };
}

function selectionSummary(
  result: { stopReason: string; bestEpoch: number | null; restoredBest: boolean; epochs: readonly unknown[] },
  trial: number | null,
  reproduce: boolean,
  reproducesTrial: boolean | null,
): string {
  const origin =
    trial === null
      ? "trained with the job's configuration"
      : reproduce
        ? `best trial #${trial} reproduced on train with its parameters and seed${reproducesTrial === true ? " (identical validation curve)" : reproducesTrial === false ? " (validation curve differs from the trial's)" : ""}`
        : `trained on train+validation with the parameters of trial #${trial} (no validation left to select an epoch)`;
  const epochs = result.epochs.length;
  const stop =
    result.stopReason === "collapse"
      ? `; stopped at epoch ${epochs}: the policy collapsed onto one action while the validation value fell`
      : result.stopReason === "early_stopping"
        ? `; stopped early at epoch ${epochs}`
        : "";
  const restored =
    result.restoredBest && result.bestEpoch !== null
      ? `; the weights of epoch ${result.bestEpoch} (best validation) were restored`
      : result.bestEpoch !== null
        ? `; the last epoch (${result.bestEpoch}) was the best validated`
        : "";
  return `${origin}${stop}${restored}.`;
}
