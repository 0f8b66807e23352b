import type { RlvrContext } from "@rlvr/dataset";
import type { Policy } from "@rlvr/rlvr-loop";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { ServeError } from "./errors.js";
import { _sha256Prefix128 } from "./internal/_sha256.js";

/**
 * How the server explores (docs/serving.md, "Exploration"). With n allowed actions and the policy's
 * probabilities π(a|x) over them:
 * - `epsilon-greedy`: p(a) = ε/n + (1 − ε)·1[a = g], g the policy's greedy action (the most probable,
 *   ties to the first in sorted order);
 * - `softmax`: p(a) = ε/n + (1 − ε)·q(a), q(a) ∝ π(a|x)^(1/T) (temperature T; T = 1 samples the
 *   policy itself).
 * Both put at least ε/n on every allowed action, so every logged probability is known and > 0.
 */
export type ExplorationOptions =
  | {
      /** Discriminant. */
      readonly kind: "epsilon-greedy";
      /** Share of uniform exploration ε, in (0, 1]. */
      readonly epsilon: number;
    }
  | {
      /** Discriminant. */
      readonly kind: "softmax";
      /** Share of uniform exploration ε (the floor is ε/n), in (0, 1]. */
      readonly epsilon: number;
      /** Temperature T > 0 of the policy's distribution. */
      readonly temperature: number;
    };

/** Exploration used when none is given: epsilon-greedy with ε = 0.1. */
export const DEFAULT_EXPLORATION: ExplorationOptions = Object.freeze({
  kind: "epsilon-greedy",
  epsilon: 0.1,
});

/** One decision: the action drawn, its probability, and the greedy action it may differ from. */
export interface Decision {
  /** Index of the action in the policy's sorted action list. */
  readonly index: number;
  /** The action. */
  readonly action: string;
  /** Probability with which the action was drawn (> 0). */
  readonly probability: number;
  /** Index of the policy's greedy action. */
  readonly greedyIndex: number;
}

/**
 * Check exploration options and fill nothing in (every member is required); throws
 * `INVALID_OPTIONS` naming the member.
 * @param value - the options to check
 */
export function checkExploration(value: unknown): ExplorationOptions {
  const bad = (message: string): never => {
    throw new ServeError("INVALID_OPTIONS", `exploration: ${message}`);
  };
  if (typeof value !== "object" || value === null) return bad("expected an object");
  const o = value as Record<string, unknown>;
  const epsilon = o.epsilon;
  if (typeof epsilon !== "number" || !(epsilon > 0 && epsilon <= 1))
    bad(`epsilon must be a number in (0, 1], got ${String(epsilon)}`);
  if (o.kind === "epsilon-greedy")
    return Object.freeze({ kind: "epsilon-greedy", epsilon: epsilon as number });
  if (o.kind === "softmax") {
    const t = o.temperature;
    if (typeof t !== "number" || !(t > 0) || !Number.isFinite(t))
      bad(`temperature must be a finite number > 0, got ${String(t)}`);
    return Object.freeze({ kind: "softmax", epsilon: epsilon as number, temperature: t as number });
  }
  return bad(`kind must be "epsilon-greedy" or "softmax", got ${JSON.stringify(o.kind)}`);
}

/**
 * The serving distribution p(·|x) of {@link ExplorationOptions} over the policy's actions (0 for
 * actions not allowed), and the greedy index, written into `out`.
 * @param policy - the served policy
 * @param context - the request's context
 * @param options - `allowedActions` (names known to the policy) and the exploration
 */
export function servingProbabilities(
  policy: Policy,
  context: RlvrContext,
  options: {
    readonly allowedActions: readonly string[] | undefined;
    readonly exploration: ExplorationOptions;
    readonly out: Float64Array;
  },
): number {
  const { exploration, out } = options;
  const lp = policy.logProbs(
    context,
    options.allowedActions === undefined ? undefined : { allowedActions: options.allowedActions },
  );
  const A = lp.length;
  let n = 0;
  let greedy = -1;
  for (let a = 0; a < A; a++) {
    if (lp[a]! === Number.NEGATIVE_INFINITY) continue;
    n++;
    if (greedy < 0 || lp[a]! > lp[greedy]!) greedy = a;
  }
  const eps = exploration.epsilon;
  if (exploration.kind === "epsilon-greedy") {
    for (let a = 0; a < A; a++) {
      out[a] = lp[a]! === Number.NEGATIVE_INFINITY ? 0 : Math.min(1, eps / n + (a === greedy ? 1 - eps : 0));
    }
    return greedy;
  }
  // softmax at temperature T, by log-sum-exp from the largest log-probability
  const inv = 1 / exploration.temperature;
  const top = lp[greedy]!;
  let sum = 0;
  for (let a = 0; a < A; a++) {
    const v = lp[a]! === Number.NEGATIVE_INFINITY ? 0 : Math.exp((lp[a]! - top) * inv);
    out[a] = v;
    sum += v;
  }
  for (let a = 0; a < A; a++) out[a] = out[a]! === 0 ? 0 : Math.min(1, eps / n + ((1 - eps) * out[a]!) / sum);
  return greedy;
}

/** The digest prefix of the decision being drawn (decisions are drawn one at a time). */
const prefix = new Int32Array(4);

/**
 * The uniform number u ∈ [0, 1) of one decision: a xoroshiro128+ stream (pure-rand) whose 128-bit
 * state is the first 16 bytes of SHA-256("rlvr-serve/decision" ‖ 0 ‖ seed ‖ 0 ‖ eventId), so the
 * same seed and event id always give the same draw, on every platform.
 * @param seed - the server seed, integer in [0, 2^32 − 1]
 * @param eventId - the decision's event id
 */
export function decisionUniform(seed: number, eventId: string): number {
  _sha256Prefix128(`rlvr-serve/decision\0${seed}\0${eventId}`, prefix);
  const state: number[] = [prefix[0]!, prefix[1]!, prefix[2]!, prefix[3]!];
  // the all-zero state is xoroshiro's only fixed point
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return uniformFloat64(xoroshiro128plusFromState(state));
}

/**
 * Draw one decision from the serving distribution `probs` with the uniform u of
 * {@link decisionUniform}: the first action whose cumulative probability exceeds u (inversion), the
 * last allowed action on rounding.
 * @param actions - the policy's sorted actions
 * @param probs - the serving probabilities (from {@link servingProbabilities})
 * @param u - the decision's uniform number
 */
export function drawAction(actions: readonly string[], probs: Float64Array, u: number): number {
  let acc = 0;
  let last = -1;
  for (let a = 0; a < actions.length; a++) {
    const p = probs[a]!;
    if (p > 0) {
      acc += p;
      last = a;
      if (u < acc) return a;
    }
  }
  return last;
}

/**
 * The whole decision for one request: serving probabilities, the keyed draw, the action.
 * @param policy - the served policy
 * @param context - the request's context
 * @param options - allowed actions, exploration, seed and event id; `scratch`, an array of at least
 *   `policy.actions.length` numbers the probabilities may be written into (a server reuses one)
 */
export function decide(
  policy: Policy,
  context: RlvrContext,
  options: {
    readonly allowedActions: readonly string[] | undefined;
    readonly exploration: ExplorationOptions;
    readonly seed: number;
    readonly eventId: string;
    readonly scratch?: Float64Array;
  },
): Decision {
  const A = policy.actions.length;
  const out =
    options.scratch !== undefined && options.scratch.length >= A ? options.scratch : new Float64Array(A);
  const greedyIndex = servingProbabilities(policy, context, {
    allowedActions: options.allowedActions,
    exploration: options.exploration,
    out,
  });
  const index = drawAction(policy.actions, out, decisionUniform(options.seed, options.eventId));
  return { index, action: policy.actions[index]!, probability: out[index]!, greedyIndex };
}
