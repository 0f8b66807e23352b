import type { RlvrContext } from "@rlvr/dataset";
import {
  type Environment,
  type EnvironmentOutcome,
  type EnvironmentTask,
  exactPolicyValue,
  type WeightedContext,
} from "./environment.js";
import { RlvrLoopError } from "./errors.js";
import { compareCodeUnits } from "./featurizer.js";
import { type GeneratedLogs, type GenerateLogsOptions, generateLogs } from "./generate-logs.js";
import {
  DISTRACTORS,
  kindVerifiers,
  makePayload,
  PRIMARY,
  PROMPTS,
  SECONDARY,
  TOOL_NAMES,
} from "./internal/tool-routing-tasks.js";
import { composeFreePrompt, FILLERS, MISLEADING, PARAPHRASES } from "./internal/trace-text.js";
import type { Policy } from "./policy.js";
import { assertSeed, createRng, type Rng, uniformFloat, uniformIndex } from "./rng.js";
import type { VerifierResult } from "./verifiers.js";

/** Task families of the tool-routing environment; each is checked by a different verifier. */
export type TaskKind = "arithmetic" | "unit-conversion" | "word-order" | "date-format" | "json-extraction";

/** All task kinds, in canonical order. */
export const TASK_KINDS: readonly TaskKind[] = Object.freeze([
  "arithmetic",
  "unit-conversion",
  "word-order",
  "date-format",
  "json-extraction",
]);

/** Difficulty levels, in order. */
export const TASK_LEVELS: readonly string[] = Object.freeze(["easy", "medium", "hard"]);

/** Options of {@link createToolRoutingEnvironment}. */
export interface ToolRoutingEnvironmentOptions {
  /**
   * Seed of the environment itself (the competences of the non-specialist tools).
   * @defaultValue 0
   */
  readonly seed?: number;
  /**
   * Number of actions (tools), 2 to 32.
   * @defaultValue 4
   */
  readonly numActions?: number;
  /**
   * Task kinds in use (at least one).
   * @defaultValue all of {@link TASK_KINDS}
   */
  readonly kinds?: readonly TaskKind[];
  /**
   * Probability that the observed kind (and, independently, the observed level) is replaced by a
   * uniformly drawn one, in [0, 1).
   * @defaultValue 0.1
   */
  readonly featureNoise?: number;
  /**
   * Number of distractor features (independent of everything), 0 to 6.
   * @defaultValue 2
   */
  readonly distractors?: number;
  /**
   * Values per distractor feature, 2 to 10 (distractorValues^distractors ≤ 10 000).
   * @defaultValue 5
   */
  readonly distractorValues?: number;
  /**
   * How the prompt reads. `"template"`: one fixed wording per (kind, level) followed by the distractor
   * values. `"free"`: free text like a real request: one of 4 paraphrases per (kind, level) (different
   * wording and word order), optional filler (greetings, politeness, "asap", chatty clauses), the
   * distractor values woven in differently per paraphrase, and with probability `misleadingRate` a
   * misleading phrase with words typical of another kind or a tool name. Every list is finite, so the
   * context set stays finite, and each paraphrase is unique to its (kind, level), so
   * `expectedRewards` stays exact.
   * @defaultValue "template"
   */
  readonly promptStyle?: "template" | "free";
  /**
   * Probability of a misleading phrase in a `"free"` prompt, in [0, 1] (only with `promptStyle: "free"`).
   * @defaultValue 0.3
   */
  readonly misleadingRate?: number;
  /**
   * Whether the context `features` carry the observed `kind` and `level`. `false`: they carry only the
   * distractors, so kind and level are visible only through the prompt text.
   * @defaultValue true
   */
  readonly kindFeatures?: boolean;
  /**
   * Whether the reward depends on the action. `false`: every tool has the same competence for a
   * (kind, level), the mean of the tools' competences, so no policy beats any other (every policy's
   * value is the optimum).
   * @defaultValue true
   */
  readonly actionEffect?: boolean;
}

/** A task of the tool-routing environment. */
export interface ToolRoutingTask extends EnvironmentTask {
  /** True task kind (the context shows a possibly noisy copy). */
  readonly kind: TaskKind;
  /** True difficulty level index (0 easy, 1 medium, 2 hard). */
  readonly level: number;
  /** The question the tool must answer. */
  readonly question: string;
  /** The reference the verifier recomputed from the question. */
  readonly reference: unknown;
  /** The output a competent tool returns. */
  readonly correctOutput: string;
  /** An output of a tool that fails (always scored 0 by the kind's verifier). */
  incorrectOutput(rng: Rng): string;
}

/**
 * The built-in verifiable environment: route a request to one of several tools. Tasks of five kinds
 * (arithmetic, unit conversion, word order, date formatting, JSON extraction) at three difficulty
 * levels; each tool solves a task of kind k and level l with a fixed probability (its competence), and
 * the kind's verifier recomputes the answer and checks the tool's output (numeric tolerance,
 * normalised text, regex + exact match, JSON Schema + exact match). Each kind has a specialist tool
 * that is best on easy and medium tasks and a second tool that is best on hard ones, so the best tool
 * depends on the kind × level interaction (visible to a linear policy through prompt bigrams).
 */
export interface ToolRoutingEnvironment extends Environment<ToolRoutingTask> {
  /** The kinds in use. */
  readonly kinds: readonly TaskKind[];
  /** Noise level of the observed kind and level. */
  readonly featureNoise: number;
  /** How prompts read (see {@link ToolRoutingEnvironmentOptions.promptStyle}). */
  readonly promptStyle: "template" | "free";
  /**
   * The observed (possibly noisy) kind and level index a context states, recovered from its
   * features, or from its prompt when the features do not carry them; `undefined` when neither does.
   */
  observedKindLevel(context: RlvrContext): { readonly kind: TaskKind; readonly level: number } | undefined;
  /** Probability that `action` solves a task of `kind` at level index `level`. */
  competence(action: string, kind: TaskKind, level: number): number;
  /** Verify an output for a task (the verifier alone, no tool run). */
  check(task: ToolRoutingTask, output: string): VerifierResult;
  /** The finite context distribution (observed kind × observed level × distractor values). */
  contexts(): readonly WeightedContext[];
  /** Exact E[r | x, a] for every action. */
  expectedRewards(context: RlvrContext): Float64Array;
  /** Exact optimum. */
  optimalValue(): number;
  /** Exact value of a policy (see {@link exactPolicyValue}). */
  exactValue(policy: Policy): number;
  /** Logged datasets of a behavior policy (see {@link generateLogs}). */
  generateLogs(options: GenerateLogsOptions): GeneratedLogs;
}

/**
 * Create the built-in tool-routing environment (see {@link ToolRoutingEnvironment}).
 * @param options - number of tools, kinds, noise, distractors, seed
 */
export function createToolRoutingEnvironment(
  options: ToolRoutingEnvironmentOptions = {},
): ToolRoutingEnvironment {
  const where = "tool-routing environment options";
  const seed = options.seed ?? 0;
  assertSeed(seed, where);
  const T = options.numActions ?? 4;
  const kinds = [...(options.kinds ?? TASK_KINDS)];
  const eta = options.featureNoise ?? 0.1;
  const d = options.distractors ?? 2;
  const m = options.distractorValues ?? 5;
  const bad = (message: string): never => {
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: ${message}`);
  };
  if (!Number.isInteger(T) || T < 2 || T > 32) bad(`numActions must be an integer in [2, 32], got ${T}`);
  if (
    kinds.length === 0 ||
    kinds.some((k) => !TASK_KINDS.includes(k)) ||
    new Set(kinds).size !== kinds.length
  ) {
    bad(`kinds must be distinct members of ${JSON.stringify(TASK_KINDS)}, got ${JSON.stringify(kinds)}`);
  }
  if (!(eta >= 0 && eta < 1)) bad(`featureNoise must be in [0, 1), got ${eta}`);
  if (!Number.isInteger(d) || d < 0 || d > DISTRACTORS.length)
    bad(`distractors must be an integer in [0, 6], got ${d}`);
  if (!Number.isInteger(m) || m < 2 || m > 10)
    bad(`distractorValues must be an integer in [2, 10], got ${m}`);
  if (m ** d > 10000) bad(`distractorValues^distractors must be at most 10000, got ${m ** d}`);
  const promptStyle = options.promptStyle ?? "template";
  if (promptStyle !== "template" && promptStyle !== "free")
    bad(`promptStyle must be "template" or "free", got ${JSON.stringify(promptStyle)}`);
  const free = promptStyle === "free";
  if (options.misleadingRate !== undefined && !free)
    bad(`misleadingRate needs promptStyle "free", got promptStyle ${JSON.stringify(promptStyle)}`);
  const misleadingRate = options.misleadingRate ?? 0.3;
  if (!(misleadingRate >= 0 && misleadingRate <= 1))
    bad(`misleadingRate must be in [0, 1], got ${misleadingRate}`);
  const kindFeatures = options.kindFeatures ?? true;
  if (typeof kindFeatures !== "boolean")
    bad(`kindFeatures must be true or false, got ${String(kindFeatures)}`);
  const actionEffect = options.actionEffect ?? true;
  if (typeof actionEffect !== "boolean")
    bad(`actionEffect must be true or false, got ${String(actionEffect)}`);
  const K = kinds.length;
  const L = TASK_LEVELS.length;

  const tools = Array.from({ length: T }, (_, i) => TOOL_NAMES[i] ?? `tool-${String(i).padStart(2, "0")}`);
  const actions = Object.freeze([...tools].sort(compareCodeUnits));
  const actionIndex = new Map(actions.map((a, i) => [a, i]));
  // competence[a][k][l], a in sorted order
  const competence = new Float64Array(T * K * L);
  const rng = createRng(seed);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const kindIndex = TASK_KINDS.indexOf(kinds[k]!);
      for (let l = 0; l < L; l++) {
        const other = 0.05 + 0.3 * uniformFloat(rng);
        const role = t === kindIndex % T ? PRIMARY[l]! : t === (kindIndex + 1) % T ? SECONDARY[l]! : other;
        competence[(actionIndex.get(tools[t]!)! * K + k) * L + l] = role;
      }
    }
  }
  if (!actionEffect) {
    // every tool gets the mean competence of the tools for (kind, level); the draws above still happen
    for (let s = 0; s < K * L; s++) {
      let mean = 0;
      for (let a = 0; a < T; a++) mean += competence[a * K * L + s]! / T;
      for (let a = 0; a < T; a++) competence[a * K * L + s] = mean;
    }
  }
  const distractors = DISTRACTORS.slice(0, d).map(([name, values]) => [name, values.slice(0, m)] as const);
  const verifiers = kindVerifiers();

  // free prompts: the misleading phrases allowed for each observed kind (those evoking another kind)
  const misleadingFor = kinds.map((kind) =>
    MISLEADING.filter(([, evoked]) => evoked !== TASK_KINDS.indexOf(kind)).map(([text]) => text),
  );
  const paraphrases = PARAPHRASES[0]![0]!.length;
  // the wording of each (observed kind, level) in prompts: the recovery of kind and level from text
  const cores: { text: string; state: number }[] = [];
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < L; l++) {
      if (free) {
        for (const text of PARAPHRASES[TASK_KINDS.indexOf(kinds[k]!)]![l]!)
          cores.push({ text, state: k * L + l });
      } else cores.push({ text: PROMPTS[kinds[k]!][l]!, state: k * L + l });
    }
  }
  const stateOf = new WeakMap<RlvrContext, number>();

  const contextCache = new Map<string, RlvrContext>();
  /** The context of observed kind k, level l, distractor values dv; `free` = [paraphrase, filler, misleading or -1]. */
  const contextOf = (state: {
    k: number;
    l: number;
    dv: readonly number[];
    free?: readonly [number, number, number];
  }): RlvrContext => {
    const { k, l, dv, free: freeParts } = state;
    const key = `${k}|${l}|${dv.join(",")}${freeParts ? `|${freeParts.join(",")}` : ""}`;
    let c = contextCache.get(key);
    if (c === undefined) {
      const features: Record<string, string> = kindFeatures
        ? { kind: kinds[k]!, level: TASK_LEVELS[l]! }
        : {};
      const words: string[] = [];
      distractors.forEach(([name, values], j) => {
        features[name] = values[dv[j]!]!;
        words.push(values[dv[j]!]!);
      });
      let prompt: string;
      if (freeParts) {
        const [variant, filler, mis] = freeParts;
        prompt = composeFreePrompt({
          core: PARAPHRASES[TASK_KINDS.indexOf(kinds[k]!)]![l]![variant]!,
          variant,
          filler: FILLERS[filler]!,
          misleading: mis < 0 ? "" : misleadingFor[k]![mis]!,
          distractorValues: words,
        });
      } else prompt = `${PROMPTS[kinds[k]!][l]}${words.length ? ` (${words.join(", ")})` : ""}`;
      c = Object.freeze({ prompt, features: Object.freeze(features) });
      contextCache.set(key, c);
      stateOf.set(c, k * L + l);
    }
    return c;
  };

  // q(observed k', observed l', a) = Σ_k P(k|k') Σ_l P(l|l') c(a, k, l)
  const q = new Float64Array(K * L * T);
  for (let ko = 0; ko < K; ko++) {
    for (let lo = 0; lo < L; lo++) {
      for (let a = 0; a < T; a++) {
        let v = 0;
        for (let k = 0; k < K; k++) {
          const pk = (k === ko ? 1 - eta : 0) + eta / K;
          for (let l = 0; l < L; l++) {
            const pl = (l === lo ? 1 - eta : 0) + eta / L;
            v += pk * pl * competence[(a * K + k) * L + l]!;
          }
        }
        q[(ko * L + lo) * T + a] = v;
      }
    }
  }
  let optimum = 0;
  for (let s = 0; s < K * L; s++) {
    let best = 0;
    for (let a = 0; a < T; a++) best = Math.max(best, q[s * T + a]!);
    optimum += best / (K * L);
  }

  let contexts: WeightedContext[] | undefined;
  const kindIndexOf = new Map(kinds.map((k, i) => [k as string, i]));
  const levelIndexOf = new Map(TASK_LEVELS.map((l, i) => [l, i]));
  const latency = tools.map((_, t) => 20 + 40 * t);
  /** Index k·L + l of the observed (kind, level) a context states, from features or prompt. */
  const observedState = (context: RlvrContext): number | undefined => {
    if (kindFeatures) {
      const ko = kindIndexOf.get(String(context.features?.kind));
      const lo = levelIndexOf.get(String(context.features?.level));
      return ko === undefined || lo === undefined ? undefined : ko * L + lo;
    }
    const known = stateOf.get(context);
    if (known !== undefined) return known;
    const prompt = context.prompt;
    if (typeof prompt !== "string") return undefined;
    let found: number | undefined;
    for (const core of cores) {
      if (prompt.includes(core.text)) {
        if (found !== undefined && found !== core.state) return undefined;
        found = core.state;
      }
    }
    return found;
  };

  const env: ToolRoutingEnvironment = {
    name: "tool-routing",
    actions,
    kinds: Object.freeze(kinds),
    featureNoise: eta,
    promptStyle,
    sample(r: Rng): ToolRoutingTask {
      const id = `t${((r.next() >>> 0) + 0x100000000).toString(16).slice(1)}`;
      const k = uniformIndex(r, K);
      const l = uniformIndex(r, L);
      const ko = eta > 0 && uniformFloat(r) < eta ? uniformIndex(r, K) : k;
      const lo = eta > 0 && uniformFloat(r) < eta ? uniformIndex(r, L) : l;
      const dv = distractors.map(() => uniformIndex(r, m));
      const payload = makePayload(kinds[k]!, l, r);
      let context: RlvrContext;
      if (free) {
        // drawn after everything the template style draws, only in the free style
        const variant = uniformIndex(r, paraphrases);
        const filler = uniformIndex(r, FILLERS.length);
        const eligible = misleadingFor[ko]!.length;
        const mis = misleadingRate > 0 && uniformFloat(r) < misleadingRate ? uniformIndex(r, eligible) : -1;
        context = contextOf({ k: ko, l: lo, dv, free: [variant, filler, mis] });
      } else context = contextOf({ k: ko, l: lo, dv });
      return {
        id,
        context,
        kind: kinds[k]!,
        level: l,
        question: payload.question,
        reference: payload.reference,
        correctOutput: payload.correct,
        metadata: { question: payload.question, kind: kinds[k]!, level: TASK_LEVELS[l]! },
        toolInput: { question: payload.question },
        incorrectOutput: payload.wrong,
      };
    },
    verify(task: ToolRoutingTask, action: string, r: Rng): EnvironmentOutcome {
      const a = actionIndex.get(action);
      if (a === undefined)
        throw new RlvrLoopError(
          "INVALID_ARGUMENT",
          `unknown action ${JSON.stringify(action)} for the tool-routing environment; expected one of ${JSON.stringify(actions)}`,
        );
      const k = kindIndexOf.get(task.kind);
      if (k === undefined)
        throw new RlvrLoopError(
          "INVALID_ARGUMENT",
          `unknown task kind ${JSON.stringify(task.kind)} for this tool-routing environment; expected one of ${JSON.stringify(kinds)}`,
        );
      const c = competence[(a * K + k) * L + task.level]!;
      const output = uniformFloat(r) < c ? task.correctOutput : task.incorrectOutput(r);
      const result = env.check(task, output);
      const durationMs = Math.round(latency[tools.indexOf(action)]! * (1 + uniformFloat(r)));
      return {
        reward: result.score,
        verified: result.passed,
        reason: result.reason,
        output,
        ...(result.components ? { rewards: result.components } : {}),
        durationMs,
      };
    },
    check(task: ToolRoutingTask, output: string): VerifierResult {
      return verifiers[task.kind].verify(output, task.reference);
    },
    competence(action: string, kind: TaskKind, level: number): number {
      const a = actionIndex.get(action);
      const k = kindIndexOf.get(kind);
      if (a === undefined || k === undefined || !(level >= 0 && level < L)) {
        throw new RlvrLoopError(
          "INVALID_ARGUMENT",
          `unknown action, kind or level (${JSON.stringify(action)}, ${JSON.stringify(kind)}, ${level}); expected an action of ${JSON.stringify(actions)}, a kind of ${JSON.stringify(kinds)} and a level in [0, ${L - 1}]`,
        );
      }
      return competence[(a * K + k) * L + level]!;
    },
    contexts(): readonly WeightedContext[] {
      if (contexts === undefined) {
        const list: WeightedContext[] = [];
        const combos = m ** d;
        const p = 1 / (K * L * combos);
        for (let ko = 0; ko < K; ko++) {
          for (let lo = 0; lo < L; lo++) {
            for (let c = 0; c < combos; c++) {
              const dv: number[] = [];
              let x = c;
              for (let j = 0; j < d; j++) {
                dv.push(x % m);
                x = Math.floor(x / m);
              }
              if (!free) {
                list.push({ context: contextOf({ k: ko, l: lo, dv }), probability: p });
                continue;
              }
              const eligible = misleadingFor[ko]!.length;
              const pv = p / (paraphrases * FILLERS.length);
              for (let variant = 0; variant < paraphrases; variant++) {
                for (let filler = 0; filler < FILLERS.length; filler++) {
                  for (let mis = -1; mis < eligible; mis++) {
                    const pm = mis < 0 ? 1 - misleadingRate : misleadingRate / eligible;
                    if (pm > 0)
                      list.push({
                        context: contextOf({ k: ko, l: lo, dv, free: [variant, filler, mis] }),
                        probability: pv * pm,
                      });
                  }
                }
              }
            }
          }
        }
        contexts = list;
      }
      return contexts;
    },
    expectedRewards(context: RlvrContext): Float64Array {
      const s = observedState(context);
      if (s === undefined) {
        throw new RlvrLoopError(
          "INVALID_ARGUMENT",
          kindFeatures
            ? `the context's features name no known kind and level (expected features kind and level, got ${JSON.stringify(context.features ?? null)})`
            : `the context's prompt states no known kind and level (got ${JSON.stringify(context.prompt ?? null)})`,
        );
      }
      return q.slice(s * T, (s + 1) * T);
    },
    observedKindLevel(context: RlvrContext) {
      const s = observedState(context);
      return s === undefined ? undefined : { kind: kinds[Math.floor(s / L)]!, level: s % L };
    },
    optimalValue: () => optimum,
    exactValue: (policy: Policy) => exactPolicyValue(env, policy),
    generateLogs: (o: GenerateLogsOptions) => generateLogs(env, o),
  };
  return Object.freeze(env);
}
