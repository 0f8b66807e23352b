import type { RlvrContext } from "@rlvr/dataset";
import { RlvrLoopError } from "./errors.js";
import { type Policy, policyFromProbabilities } from "./policy.js";

/** Options of {@link createHeuristicBehavior}. */
export interface HeuristicBehaviorOptions {
  /**
   * Probability mass the router puts on the tool its keyword rules pick (the rest follows its global
   * preference), in [0, 1].
   * @defaultValue 0.5
   */
  readonly confidence?: number;
  /**
   * The tool the router prefers everywhere and falls back to when no rule matches.
   * @defaultValue `"web-search"` when it is an action, else the first action
   */
  readonly favorite?: string;
  /**
   * Share of the global preference that goes to `favorite` (the rest is spread evenly over the other
   * tools), in [0, 1].
   * @defaultValue 0.6
   */
  readonly favoriteShare?: number;
  /**
   * Minimum probability of every allowed action that is not rare, in [0, 1 / actions].
   * @defaultValue 0.02
   */
  readonly floor?: number;
  /**
   * Tools the router almost never tries: each gets exactly `rareProbability` (below the floor).
   * @defaultValue []
   */
  readonly rare?: readonly string[];
  /**
   * Probability of each rare tool, in [0, floor].
   * @defaultValue 0.002
   */
  readonly rareProbability?: number;
}

/**
 * Keyword rules of the hand-written router, first match wins: often right (the kind's specialist),
 * sometimes wrong (conversions go to the calculator, whose competence there is low), blind to the
 * level (hard tasks have a better tool than the specialist) and fooled by misleading words in the
 * prompt ("the calculator team sent this", "json export later").
 */
const RULES: readonly (readonly [RegExp, string])[] = [
  [/\b(?:json|record|extract|profile|contact)\b/, "json-parser"],
  [/\b(?:date|calendar|iso|day)\b/, "date-parser"],
  [/\b(?:reverse|backwards|words?|order)\b/, "text-editor"],
  [/\b(?:convert|conversion|units?|measurement)\b/, "calculator"],
  [
    /\b(?:sum|add|adding|addition|multiply|multiplication|product|math|calculator|calculation|arithmetic|expression)\b/,
    "calculator",
  ],
];

/**
 * A logging policy like a real hand-written router: keyword rules on the prompt (lower-cased) pick a
 * tool, which gets probability `confidence`; the rest follows a global preference for `favorite`;
 * every allowed action that is not rare gets at least `floor`, and each `rare` tool exactly
 * `rareProbability`. Not log-linear (the rules are first-match), so it is not a policy the trainer
 * can represent. Works with any environment whose actions include some of the tool names of the
 * built-in tool-routing environment (rules for absent tools are skipped).
 * @param env - the environment (only its sorted `actions` are used)
 * @param options - confidence, favorite, floor, rare tools
 */
export function createHeuristicBehavior(
  env: { readonly actions: readonly string[] },
  options: HeuristicBehaviorOptions = {},
): Policy {
  const where = "heuristic behavior options";
  const bad = (message: string): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: ${message}`);
  };
  const actions = env?.actions;
  if (!Array.isArray(actions) || actions.length < 2) bad("env.actions must list at least two actions");
  const A = actions.length;
  const index = new Map(actions.map((a, i) => [a, i]));
  const confidence = options.confidence ?? 0.5;
  if (!(confidence >= 0 && confidence <= 1)) bad(`confidence must be in [0, 1], got ${confidence}`);
  const favorite = options.favorite ?? (index.has("web-search") ? "web-search" : actions[0]!);
  if (!index.has(favorite)) bad(`favorite must be an action, got ${JSON.stringify(favorite)}`);
  const favoriteShare = options.favoriteShare ?? 0.6;
  if (!(favoriteShare >= 0 && favoriteShare <= 1))
    bad(`favoriteShare must be in [0, 1], got ${favoriteShare}`);
  const floor = options.floor ?? 0.02;
  if (!(floor >= 0 && floor <= 1 / A)) bad(`floor must be in [0, 1/${A}], got ${floor}`);
  const rare = options.rare ?? [];
  if (!Array.isArray(rare) || rare.some((r) => !index.has(r)) || new Set(rare).size !== rare.length)
    bad(`rare must list distinct actions of ${JSON.stringify(actions)}, got ${JSON.stringify(rare)}`);
  if (rare.length >= A) bad("rare must leave at least one action that is not rare");
  const rareProbability = options.rareProbability ?? 0.002;
  if (!(rareProbability >= 0 && rareProbability <= floor))
    bad(`rareProbability must be in [0, floor = ${floor}], got ${rareProbability}`);
  const isRare = new Uint8Array(A);
  for (const r of rare) isRare[index.get(r)!] = 1;
  const R = rare.length;
  const N = A - R;
  const spread = 1 - R * rareProbability - N * floor;
  const fav = index.get(favorite)!;
  const rules = RULES.filter(([, tool]) => index.has(tool)).map(
    ([re, tool]) => [re, index.get(tool)!] as const,
  );
  // global preference over the tools that are not rare
  const preference = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    if (isRare[a]) continue;
    preference[a] = isRare[fav]
      ? 1 / N
      : a === fav
        ? favoriteShare
        : N > 1
          ? (1 - favoriteShare) / (N - 1)
          : 1;
  }
  {
    let s = 0;
    for (let a = 0; a < A; a++) s += preference[a]!;
    for (let a = 0; a < A; a++) preference[a] = preference[a]! / s;
  }

  const route = (context: RlvrContext): number => {
    const prompt = (context.prompt ?? "").toLowerCase();
    for (const [re, a] of rules) if (re.test(prompt) && !isRare[a]) return a;
    return isRare[fav] ? -1 : fav;
  };

  return policyFromProbabilities(actions, (context, mask) => {
    const routed = route(context);
    const p = new Float64Array(A);
    for (let a = 0; a < A; a++) {
      if (isRare[a]) p[a] = rareProbability;
      else {
        const b =
          routed < 0
            ? preference[a]!
            : confidence * (a === routed ? 1 : 0) + (1 - confidence) * preference[a]!;
        p[a] = floor + spread * b;
      }
    }
    if (mask !== null) {
      let s = 0;
      for (let a = 0; a < A; a++) {
        if (mask[a] !== 1) p[a] = 0;
        s += p[a]!;
      }
      for (let a = 0; a < A; a++) p[a] = s > 0 ? p[a]! / s : mask[a]! / mask.reduce((x, y) => x + y, 0);
    }
    return p;
  });
}
