// Stage `split`: train / validation / test by group, from the job seed.
import { type RlvrExample, splitByGroup } from "@rlvr/dataset";
import { OrchestratorError } from "../errors.js";
import type { Stage } from "./_stage.js";
import type { LoadedData } from "./load.js";

/** The three splits. */
export interface Splits {
  readonly train: RlvrExample[];
  readonly validation: RlvrExample[];
  readonly test: RlvrExample[];
}

/** Number of distinct groups of some examples. */
export function groupCount(examples: readonly RlvrExample[]): number {
  const seen = new Set<string>();
  for (const e of examples) seen.add(e.groupId);
  return seen.size;
}

/** Splits the examples by group; an empty split is an `INVALID_SPEC` error. */
export const splitStage: Stage<LoadedData, Splits> = {
  name: "split",
  async run(loaded, { spec }) {
    const { validation, test } = spec.split;
    const s = splitByGroup(loaded.examples, { seed: spec.seed, validation, test });
    for (const name of ["train", "validation", "test"] as const) {
      if (s[name].length === 0) {
        throw new OrchestratorError(
          "INVALID_SPEC",
          `the ${name} split is empty (${groupCount(loaded.examples)} groups; split fractions validation ${validation}, test ${test}): use more groups or other fractions`,
          { stage: "split" },
        );
      }
    }
    return s;
  },
};
