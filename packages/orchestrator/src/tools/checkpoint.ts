import { type ActResult, createRng, type LinearSoftmaxPolicy, loadCheckpoint } from "@rlvr/rlvr-loop";
import { OrchestratorError } from "../errors.js";

/** A trained policy read from a checkpoint file's bytes. */
export type CheckpointPolicy = LinearSoftmaxPolicy;

/**
 * Reads a checkpoint (`<label>.ckpt`): checks its format and content digest and returns the policy.
 * @throws `RlvrLoopError` `CHECKPOINT_INVALID` or `CHECKPOINT_DIGEST_MISMATCH`
 */
export function readCheckpoint(bytes: Uint8Array): CheckpointPolicy {
  return loadCheckpoint(bytes).policy;
}

/** A context to act on: prompt text and/or features, optionally an id and the allowed actions. */
export interface ActInput {
  /** Echoed in the output line (`null` when absent). */
  readonly id: unknown;
  /** The context. */
  readonly context: { prompt?: string; features?: Record<string, string | number | boolean> };
  /** Only these actions may be chosen. @defaultValue every action */
  readonly allowedActions?: string[];
}

/** One decision: the chosen action, its probability and every action's probability. */
export interface ActOutput {
  readonly id: unknown;
  readonly action: string;
  readonly probability: number;
  readonly probabilities: Record<string, number>;
}

/** Options of {@link createActor}. */
export interface ActorOptions {
  /** `greedy` picks the most probable action, `sample` draws one. @defaultValue `"greedy"` */
  readonly mode?: "greedy" | "sample";
  /** Seed of the draws in sample mode (one stream for all contexts, in order). @defaultValue 0 */
  readonly seed?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const bad = (message: string) => new OrchestratorError("INVALID_ARGUMENT", message);

/**
 * Checks one parsed input value: a context `{prompt?, features?}`, either bare (with optional `id`
 * and `allowedActions` beside it) or wrapped as `{id?, context, allowedActions?}`.
 * @throws {@link OrchestratorError} `INVALID_ARGUMENT` naming the JSON pointer of the bad member
 */
export function parseActInput(value: unknown): ActInput {
  if (!isObject(value)) throw bad("expected a JSON object");
  const wrapped = isObject(value.context);
  const context = (wrapped ? value.context : value) as Record<string, unknown>;
  for (const key of Object.keys(context)) {
    const own = !wrapped && (key === "id" || key === "allowedActions");
    if (key !== "prompt" && key !== "features" && !own) {
      throw bad(`/${key}: unknown member (a context has prompt and features)`);
    }
  }
  const { prompt, features } = context;
  if (prompt !== undefined && typeof prompt !== "string") throw bad("/prompt: expected a string");
  if (features !== undefined) {
    if (!isObject(features)) throw bad("/features: expected an object");
    for (const [k, v] of Object.entries(features)) {
      const ok =
        typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
      if (!ok) throw bad(`/features/${k}: expected a string, finite number or boolean`);
    }
  }
  const allowed = value.allowedActions;
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((a) => typeof a === "string"))) {
    throw bad("/allowedActions: expected an array of strings");
  }
  return {
    id: value.id ?? null,
    context: {
      ...(prompt === undefined ? {} : { prompt }),
      ...(features === undefined ? {} : { features: features as Record<string, string | number | boolean> }),
    },
    ...(allowed === undefined ? {} : { allowedActions: allowed as string[] }),
  };
}

/**
 * Decides for contexts with a checkpoint's policy: `act(input)` returns the chosen action (greedy
 * or drawn from the seeded stream), its probability and the probability `exp(logProbs)` of each action.
 * @throws `RlvrLoopError` from `act` for a context the policy cannot score (unknown allowed action, ...)
 */
export function createActor(
  policy: CheckpointPolicy,
  options: ActorOptions = {},
): { readonly actions: readonly string[]; readonly act: (input: ActInput) => ActOutput } {
  const mode = options.mode ?? "greedy";
  const rng = createRng((options.seed ?? 0) >>> 0);
  return {
    actions: policy.actions,
    act(input) {
      const scope = input.allowedActions === undefined ? {} : { allowedActions: input.allowedActions };
      const logProbs = policy.logProbs(input.context, scope);
      const result: ActResult = policy.act(input.context, {
        ...scope,
        mode,
        ...(mode === "sample" ? { rng } : {}),
      });
      const probabilities: Record<string, number> = {};
      policy.actions.forEach((a, i) => {
        probabilities[a] = Math.exp(logProbs[i] as number);
      });
      return { id: input.id, action: result.action, probability: result.probability, probabilities };
    },
  };
}
