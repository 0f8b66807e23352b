// Stage `load`: read and validate the dataset files as one dataset; forward its warnings.
import { type DatasetStats, loadDataset, type RlvrExample } from "@rlvr/dataset";
import type { Stage, StageContext } from "./_stage.js";

/** The dataset as the later stages need it. */
export interface LoadedData {
  readonly examples: readonly RlvrExample[];
  /** Content digest of the examples. */
  readonly digest: string;
  readonly stats: DatasetStats;
  /** The files' formats, distinct, comma separated. */
  readonly format: string;
  /** Every action seen (taken or allowed), sorted by code unit. */
  readonly actions: string[];
}

/** A warning of the dataset reader: a line (today) or a coded warning. */
type DatasetWarning = string | { readonly code: string; readonly message: string };

/** Code of a dataset warning given as a bare line. */
export const DATASET_WARNING_CODE = "DATASET_WARNING";

function sortedActions(examples: readonly RlvrExample[]): string[] {
  const set = new Set<string>();
  for (const e of examples) {
    set.add(e.action);
    if (e.allowedActions) for (const a of e.allowedActions) set.add(a);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Forwards the dataset's warnings (no learnable signal, one action ...) as `warning` events. */
export function forwardWarnings(warnings: readonly DatasetWarning[], context: StageContext): void {
  for (const w of warnings) {
    const { code, message } = typeof w === "string" ? { code: DATASET_WARNING_CODE, message: w } : w;
    context.emit({ type: "warning", jobId: null, stage: "load", code, message });
  }
}

/** Reads the spec's dataset files (one dataset, in order). */
export const loadStage: Stage<void, LoadedData> = {
  name: "load",
  async run(_input, context) {
    const { spec, options } = context;
    const loaded = await loadDataset([...spec.datasets], {
      format: spec.format,
      propensityPointer: spec.propensityPointer,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    forwardWarnings(loaded.warnings, context);
    const examples = loaded.dataset.examples;
    return {
      examples,
      digest: loaded.digest,
      stats: loaded.stats,
      format: [...new Set(loaded.formats)].join(","),
      actions: sortedActions(examples),
    };
  },
};
