import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import type { Policy } from "./policy.js";
import type { Rng } from "./rng.js";

/** A task drawn from an {@link Environment}: what the policy sees, plus whatever the verifier needs. */
export interface EnvironmentTask {
  /** Task id (unique within one sampling stream). */
  readonly id: string;
  /** The decision context the policy sees. */
  readonly context: RlvrContext;
  /** Actions available for this task; absent = all. */
  readonly allowedActions?: readonly string[];
  /** JSON data about the task recorded in logged examples (e.g. the question), never seen by the policy. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * What the tool receives (recorded as `toolInput` in learning traces).
   * @defaultValue `{ taskId, prompt }`
   */
  readonly toolInput?: Readonly<Record<string, unknown>>;
}

/** Result of running an action on a task and verifying its output. */
export interface EnvironmentOutcome {
  /** Verifier reward in [0, 1]. */
  readonly reward: number;
  /** Whether the verifier accepted the output. */
  readonly verified: boolean;
  /** Why the verifier scored as it did. */
  readonly reason: string;
  /** What the action (tool) produced. */
  readonly output: string;
  /** Reward components, when the verifier is a composite. */
  readonly rewards?: Readonly<Record<string, number>>;
  /** Simulated duration of the tool call in milliseconds (deterministic given the rng). */
  readonly durationMs?: number;
}

/** A context of an environment's finite context distribution, with its probability. */
export interface WeightedContext {
  /** The context as the policy sees it. */
  readonly context: RlvrContext;
  /** Its probability; all probabilities sum to 1. */
  readonly probability: number;
  /** Actions available in it; absent = all. */
  readonly allowedActions?: readonly string[];
}

/**
 * A verifiable environment: tasks whose outputs a verifier checks. `sample` and `verify` are enough
 * for online training and log generation; `contexts` + `expectedRewards` make the exact value of any
 * policy computable (E_x Σ_a π(a|x) r̄(x, a)), and `optimalValue` its maximum.
 */
export interface Environment<TTask extends EnvironmentTask = EnvironmentTask> {
  /** Environment name (used as the `source` of generated examples). */
  readonly name: string;
  /** The actions, sorted by UTF-16 code units. */
  readonly actions: readonly string[];
  /** Draw a task. */
  sample(rng: Rng): TTask;
  /** Run `action` on `task` (randomness from `rng`) and verify its output. */
  verify(task: TTask, action: string, rng: Rng): EnvironmentOutcome;
  /** The finite distribution of contexts, when there is one. */
  contexts?(): readonly WeightedContext[];
  /** Exact expected reward E[r | x, a] of every action (in `actions` order) for a context of `contexts()`. */
  expectedRewards?(context: RlvrContext): Float64Array;
  /** Exact value of the best policy, E_x max_a E[r | x, a]. */
  optimalValue?(): number;
}

function requireExact(env: Environment): {
  contexts: readonly WeightedContext[];
  expected: (context: RlvrContext) => Float64Array;
} {
  if (typeof env.contexts !== "function" || typeof env.expectedRewards !== "function") {
    throw new RlvrLoopError(
      "UNSUPPORTED",
      `environment ${JSON.stringify(env.name)} has no finite context set (contexts and expectedRewards), so its exact values cannot be computed`,
    );
  }
  return { contexts: env.contexts(), expected: (c) => env.expectedRewards!(c) };
}

function checkActions(env: Environment, policy: Policy): void {
  const a = env.actions;
  const b = policy.actions;
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    throw new RlvrLoopError(
      "INCOMPATIBLE_POLICY",
      `the policy's actions ${JSON.stringify(b)} differ from the environment's ${JSON.stringify(a)}`,
    );
  }
}

/**
 * Exact value of `policy` in `env`: Σ_x P(x) Σ_a π(a|x) E[r | x, a] over the environment's finite
 * context set. Throws `UNSUPPORTED` when the environment has none.
 */
export function exactPolicyValue(env: Environment, policy: Policy): number {
  const { contexts, expected } = requireExact(env);
  checkActions(env, policy);
  let value = 0;
  for (const c of contexts) {
    const lp = policy.logProbs(
      c.context,
      c.allowedActions ? { allowedActions: c.allowedActions } : undefined,
    );
    const q = expected(c.context);
    let v = 0;
    for (let a = 0; a < q.length; a++) if (lp[a]! > Number.NEGATIVE_INFINITY) v += Math.exp(lp[a]!) * q[a]!;
    value += c.probability * v;
  }
  return value;
}

/** Exact optimum E_x max_a E[r | x, a] (from `optimalValue()` when the environment provides it). */
export function exactOptimalValue(env: Environment): number {
  if (typeof env.optimalValue === "function") return env.optimalValue();
  const { contexts, expected } = requireExact(env);
  let value = 0;
  for (const c of contexts) {
    const q = expected(c.context);
    const allowed = c.allowedActions ? new Set(c.allowedActions) : null;
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < q.length; a++)
      if (allowed === null || allowed.has(env.actions[a]!)) best = Math.max(best, q[a]!);
    value += c.probability * best;
  }
  return value;
}

/** Exact reference values of an environment. */
export interface ExactBaselines {
  /** Value of the best policy. */
  readonly optimum: number;
  /** Value of the uniform policy. */
  readonly uniform: number;
  /** Value of always taking each action (uniform over the allowed ones where it is not allowed). */
  readonly perAction: Readonly<Record<string, number>>;
  /** The best single action and its value. */
  readonly bestSingleAction: { readonly action: string; readonly value: number };
}

/** Exact values of the optimum, the uniform policy and every single-action policy. */
export function exactBaselines(env: Environment): ExactBaselines {
  const { contexts, expected } = requireExact(env);
  const A = env.actions.length;
  const per = new Float64Array(A);
  let uniform = 0;
  for (const c of contexts) {
    const q = expected(c.context);
    const allowed = c.allowedActions ? new Set(c.allowedActions) : null;
    let n = 0;
    let sum = 0;
    for (let a = 0; a < A; a++) {
      if (allowed === null || allowed.has(env.actions[a]!)) {
        n++;
        sum += q[a]!;
      }
    }
    uniform += (c.probability * sum) / n;
    for (let a = 0; a < A; a++) {
      per[a] = per[a]! + c.probability * (allowed === null || allowed.has(env.actions[a]!) ? q[a]! : sum / n);
    }
  }
  let best = 0;
  for (let a = 1; a < A; a++) if (per[a]! > per[best]!) best = a;
  const perAction: Record<string, number> = {};
  env.actions.forEach((a, i) => {
    perAction[a] = per[i]!;
  });
  return {
    optimum: exactOptimalValue(env),
    uniform,
    perAction,
    bestSingleAction: { action: env.actions[best]!, value: per[best]! },
  };
}
