// Test helpers: finished trials and pruner contexts built from (step, value) pairs, and the error
// code a call throws.
import { TunerError } from "../errors.js";
import type { PrunerContext } from "../pruner.js";
import type { Direction, FrozenTrial } from "../trial.js";

/** A finished trial with no parameters, its reports at the given (step, value) pairs. */
export function frozenTrial(
  number: number,
  state: FrozenTrial["state"],
  steps: readonly (readonly [number, number])[] = [],
  value?: number,
): FrozenTrial {
  return {
    number,
    state,
    params: {},
    seed: 0,
    attempts: 1,
    intermediateValues: steps.map(([step, v]) => ({ step, value: v })),
    ...(value === undefined ? {} : { value }),
  };
}

/** The context a pruner sees for trial 99 with these reports and this history. */
export function prunerContext(
  steps: readonly (readonly [number, number])[],
  history: readonly FrozenTrial[],
  direction: Direction = "minimize",
): PrunerContext {
  return { number: 99, direction, intermediateValues: steps.map(([step, value]) => ({ step, value })), history };
}

/** The `TunerError` `fn` throws (anything else is rethrown; returning is an error). */
export function thrown(fn: () => unknown): TunerError {
  try {
    fn();
  } catch (error) {
    if (TunerError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a TunerError");
}

/** The `TunerError` code `fn` throws (a note when it throws something else), or undefined. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return TunerError.is(error) ? error.code : `not a TunerError: ${String(error)}`;
  }
  return undefined;
}

/** The `TunerError` `p` rejects with (anything else is rethrown; fulfilment is an error). */
export async function rejection(p: Promise<unknown>): Promise<TunerError> {
  try {
    await p;
  } catch (error) {
    if (TunerError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}
