import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { _featuresInPlace, createFeaturizer, type Featurizer } from "./featurizer.js";
import type { FeaturizerSpec } from "./featurizer-spec.js";
import { logSoftmaxInto, type SparseRow, scoresInto } from "./internal/linear.js";
import { type Rng, sampleIndex } from "./rng.js";
import { normalizeActions } from "./training-data.js";

/** Options of {@link Policy.logProbs}. */
export interface LogProbsOptions {
  /**
   * Actions available for this decision; the others get probability 0 (log-probability −∞). Names
   * the policy does not know are ignored; at least one must be known.
   * @defaultValue every action of the policy
   */
  readonly allowedActions?: readonly string[];
}

/** Options of {@link Policy.act}. */
export interface ActOptions extends LogProbsOptions {
  /**
   * `greedy`: the most probable action (ties broken by the first in the sorted action list);
   * `sample`: a draw from π(·|x) using `rng`.
   * @defaultValue "greedy"
   */
  readonly mode?: "greedy" | "sample";
  /** Random source for `sample` mode (required there), e.g. `createRng(seed)`. */
  readonly rng?: Rng;
}

/** The decision made by {@link Policy.act}. */
export interface ActResult {
  /** The chosen action. */
  readonly action: string;
  /** Its index in the policy's sorted action list. */
  readonly index: number;
  /** π(action | context). */
  readonly probability: number;
  /** log π(action | context). */
  readonly logProb: number;
}

/** A stochastic policy over a fixed, sorted action list. */
export interface Policy {
  /** The actions, sorted by UTF-16 code units; every per-action array is in this order. */
  readonly actions: readonly string[];
  /** log π(a | context) for every action a (−∞ for actions not allowed). */
  logProbs(context: RlvrContext, options?: LogProbsOptions): Float64Array;
  /** Choose an action greedily or by sampling. */
  act(context: RlvrContext, options?: ActOptions): ActResult;
}

/**
 * The log-linear softmax policy π(a|x) = softmax_a(w_a · φ(x)), φ a hashing featurizer with a bias
 * feature. Scores are computed with log-sum-exp, so no finite weights produce NaN.
 */
export interface LinearSoftmaxPolicy extends Policy {
  /** Discriminant. */
  readonly kind: "linear-softmax";
  /** The featurizer φ. */
  readonly featurizer: Featurizer;
  /**
   * Weights, `featurizer.rows × actions.length`, feature-row-major: the weight of feature row f for
   * action a is `weights[f * actions.length + a]`. The bias is row `featurizer.biasIndex`.
   */
  readonly weights: Float64Array;
  /** Scores z_a(x) = w_a · φ(x) for every action. */
  scores(context: RlvrContext): Float64Array;
}

/** Options of {@link createPolicy}. */
export interface CreatePolicyOptions {
  /** The action list. Sorted on use; must already be sorted when `weights` is given. */
  readonly actions: readonly string[];
  /**
   * The featurizer or its (partial) spec.
   * @defaultValue the default featurizer
   */
  readonly featurizer?: Featurizer | Partial<FeaturizerSpec>;
  /**
   * Initial weights (copied), `rows × actions.length` finite numbers.
   * @defaultValue all zeros (the uniform policy)
   */
  readonly weights?: Float64Array;
}

/**
 * A {@link LinearSoftmaxPolicy}.
 * @param options - actions, featurizer, weights
 */
export function createPolicy(options: CreatePolicyOptions): LinearSoftmaxPolicy {
  if (typeof options !== "object" || options === null) {
    throw new RlvrLoopError("INVALID_ARGUMENT", `policy options: expected an object, got ${String(options)}`);
  }
  const actions = normalizeActions(options.actions, "policy options: actions");
  const featurizer =
    typeof options.featurizer === "object" && options.featurizer !== null && "featurize" in options.featurizer
      ? (options.featurizer as Featurizer)
      : createFeaturizer((options.featurizer as Partial<FeaturizerSpec> | undefined) ?? {});
  const size = featurizer.rows * actions.length;
  let weights: Float64Array;
  if (options.weights !== undefined) {
    if (actions.some((a, i) => a !== options.actions[i])) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        "policy options: actions must be sorted (by UTF-16 code units) when weights are given, since the weights' columns follow their order",
      );
    }
    if (!(options.weights instanceof Float64Array) || options.weights.length !== size) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `policy options: weights must be a Float64Array of length rows × actions = ${size}, got length ${options.weights?.length}`,
      );
    }
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(options.weights[i]!)) {
        throw new RlvrLoopError(
          "INVALID_ARGUMENT",
          `policy options: weight ${i} is ${options.weights[i]}; expected a finite number`,
        );
      }
    }
    weights = options.weights.slice();
  } else {
    weights = new Float64Array(size);
  }
  return linearPolicyFromParts(actions, featurizer, weights);
}

/**
 * Build the policy object around existing parts without copying or checking (internal use: the
 * trainer and checkpoint loader have already validated them).
 * @internal
 */
export function linearPolicyFromParts(
  actions: readonly string[],
  featurizer: Featurizer,
  weights: Float64Array,
): LinearSoftmaxPolicy {
  const A = actions.length;
  const frozenActions = Object.freeze([...actions]);
  const index = new Map(frozenActions.map((a, i) => [a, i]));
  const z = new Float64Array(A);
  const p = new Float64Array(A);
  const mask = new Uint8Array(A);
  const scores = (context: RlvrContext): Float64Array => {
    const f = featurizer.featurize(context);
    const out = new Float64Array(A);
    scoresInto(weights, { indices: f.indices, values: f.values, start: 0, end: f.indices.length }, out);
    return out;
  };
  // one decision's features, scored at once: read in place from the featurizer's accumulator
  // (no copy) when it is one of createFeaturizer's
  const row: SparseRow = { indices: new Int32Array(0), values: new Float64Array(0), start: 0, end: 0 };
  const logProbs = (context: RlvrContext, options?: LogProbsOptions): Float64Array => {
    const acc = _featuresInPlace(featurizer, context);
    if (acc !== undefined) {
      row.indices = acc.indices;
      row.values = acc.values;
      row.end = acc.length;
    } else {
      const f = featurizer.featurize(context);
      row.indices = f.indices;
      row.values = f.values;
      row.end = f.indices.length;
    }
    scoresInto(weights, row, z);
    const lp = new Float64Array(A);
    const m = buildMask(options?.allowedActions, index, mask);
    logSoftmaxInto({ z, lp, p }, m, 0);
    return lp;
  };
  return Object.freeze({
    kind: "linear-softmax" as const,
    actions: frozenActions,
    featurizer,
    weights,
    scores,
    logProbs,
    act(context: RlvrContext, options?: ActOptions): ActResult {
      return actFromLogProbs(frozenActions, logProbs(context, options), options);
    },
  });
}

/**
 * Mask over the actions from a context's allowed list (null = all allowed), written into `mask`.
 * Throws `INVALID_ARGUMENT` when the list is not an array or names none of the policy's actions.
 */
export function buildMask(
  allowed: readonly string[] | undefined,
  index: ReadonlyMap<string, number>,
  mask: Uint8Array,
): Uint8Array | null {
  if (allowed === undefined) return null;
  if (!Array.isArray(allowed))
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `the context's allowedActions must be an array of action names, got ${JSON.stringify(allowed)}`,
    );
  mask.fill(0);
  let known = 0;
  for (const name of allowed) {
    const i = index.get(name);
    if (i !== undefined && mask[i] === 0) {
      mask[i] = 1;
      known++;
    }
  }
  if (known === 0) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `the context's allowedActions ${JSON.stringify(allowed)} name none of the policy's actions ${JSON.stringify([...index.keys()])}; expected at least one of them`,
    );
  }
  return mask;
}

/** Pick an action from log-probabilities (greedy: first maximum; sample: inversion with `rng`). */
export function actFromLogProbs(
  actions: readonly string[],
  lp: Float64Array,
  options: ActOptions | undefined,
): ActResult {
  const mode = options?.mode ?? "greedy";
  let index = 0;
  if (mode === "greedy") {
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < lp.length; a++) {
      if (lp[a]! > best) {
        best = lp[a]!;
        index = a;
      }
    }
  } else if (mode === "sample") {
    if (options?.rng === undefined || typeof options.rng.next !== "function") {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        'acting with mode "sample" needs an rng option (a random source, e.g. createRng(seed))',
      );
    }
    const probs = new Float64Array(lp.length);
    for (let a = 0; a < lp.length; a++) probs[a] = Math.exp(lp[a]!);
    index = sampleIndex(options.rng, probs, lp.length);
  } else {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `the acting mode must be "greedy" or "sample", got ${JSON.stringify(mode)}`,
    );
  }
  const logProb = lp[index]!;
  return { action: actions[index]!, index, probability: Math.exp(logProb), logProb };
}

/** Whether `value` is a {@link LinearSoftmaxPolicy}. */
export function isLinearSoftmaxPolicy(value: unknown): value is LinearSoftmaxPolicy {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as LinearSoftmaxPolicy).kind === "linear-softmax" &&
    (value as LinearSoftmaxPolicy).weights instanceof Float64Array
  );
}

/**
 * A policy defined by a function returning probabilities over `actions` (used for baselines: uniform,
 * a single action, a fitted behavior model, an epsilon-greedy mixture).
 * @internal
 */
export function policyFromProbabilities(
  actions: readonly string[],
  probs: (context: RlvrContext, mask: Uint8Array | null) => Float64Array,
): Policy {
  const frozen = Object.freeze([...actions]);
  const index = new Map(frozen.map((a, i) => [a, i]));
  const mask = new Uint8Array(frozen.length);
  const logProbs = (context: RlvrContext, options?: LogProbsOptions): Float64Array => {
    const m = buildMask(options?.allowedActions, index, mask);
    const p = probs(context, m);
    const lp = new Float64Array(frozen.length);
    for (let a = 0; a < frozen.length; a++) lp[a] = Math.log(p[a]!);
    return lp;
  };
  return Object.freeze({
    actions: frozen,
    logProbs,
    act: (context: RlvrContext, options?: ActOptions) =>
      actFromLogProbs(frozen, logProbs(context, options), options),
  });
}

/** The uniform policy over `actions` (or over the allowed ones). */
export function uniformPolicy(actions: readonly string[]): Policy {
  const sorted = normalizeActions(actions, "uniform policy: actions");
  return policyFromProbabilities(sorted, (_context, mask) => {
    const p = new Float64Array(sorted.length);
    let n = 0;
    for (let a = 0; a < sorted.length; a++) if (mask === null || mask[a] === 1) n++;
    for (let a = 0; a < sorted.length; a++) p[a] = mask === null || mask[a] === 1 ? 1 / n : 0;
    return p;
  });
}

/**
 * The policy that always takes `action` (when it is not allowed for a decision: uniform over the
 * allowed ones).
 */
export function constantPolicy(actions: readonly string[], action: string): Policy {
  const sorted = normalizeActions(actions, "constant policy: actions");
  const k = sorted.indexOf(action);
  if (k < 0)
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `constant policy: unknown action ${JSON.stringify(action)}; expected one of ${JSON.stringify(sorted)}`,
    );
  return policyFromProbabilities(sorted, (_context, mask) => {
    const p = new Float64Array(sorted.length);
    if (mask === null || mask[k] === 1) p[k] = 1;
    else {
      let n = 0;
      for (let a = 0; a < sorted.length; a++) n += mask[a]!;
      for (let a = 0; a < sorted.length; a++) p[a] = mask[a]! / n;
    }
    return p;
  });
}
