// Logs of a behavior policy in an environment, in the @rlvr/dataset format and in the learning-trace
// format of the original system (with its deterministic JSON text).
import type { RlvrContext, RlvrDataset, RlvrExample } from "@rlvr/dataset";
import type { Environment, EnvironmentTask } from "./environment.js";
import { RlvrLoopError } from "./errors.js";
import type { Policy } from "./policy.js";
import {
  assertSeed,
  deriveRng,
  STREAM_ACTIONS,
  STREAM_ENVIRONMENT,
  STREAM_GROUP_SIZES,
  STREAM_TASKS,
  sampleIndex,
} from "./rng.js";

/**
 * Labels of a learning-trace example (review annotations), with the enums the `@rlvr/dataset`
 * learning-trace adapter accepts.
 */
export interface LearningTraceLabels {
  /** Whether the task was accomplished (`success`: reward 1, `partial`: in (0, 1), `fail`: 0). */
  readonly taskOutcome: "success" | "partial" | "fail";
  /** Whether the verifier's verdict agrees with a reviewer's (`aligned` for generated data). */
  readonly verificationAlignment: "aligned" | "conflict" | "unknown";
  /** Whether the action complied with policy. */
  readonly policyCompliance: "compliant" | "non_compliant" | "uncertain";
  /** Safety risk of the action. */
  readonly safetyRisk: "none" | "low" | "medium" | "high";
  /** Signs that the reward was obtained by gaming the verifier (`none` for generated data). */
  readonly rewardHackingSignal: "none" | "suspected" | "confirmed";
  /** Free-text notes (the verifier's reason for generated data). */
  readonly notes?: string;
  /** Reviewer id. */
  readonly reviewerId?: string;
  /** Review time, epoch milliseconds. */
  readonly reviewedAt?: number;
}

/** One tool call in the learning-trace format (one attempt at one request). */
export interface LearningTraceExample {
  /** Id of the tool call (the RLVR example id). */
  readonly id: string;
  /** The request (task) the call served: becomes the RLVR `groupId`. */
  readonly requestId: string;
  /** Correlation id (the environment's task id for generated data). */
  readonly correlationId?: string;
  /** The tool (action) called. */
  readonly toolName: string;
  /** System that produced the trace. */
  readonly source: string;
  /** Input given to the tool. */
  readonly toolInput: Readonly<Record<string, unknown>>;
  /** What the tool returned. */
  readonly toolOutput?: unknown;
  /** Duration of the call. */
  readonly durationMs: number;
  /** Verifier reward in [0, 1]. */
  readonly reward: number;
  /** Whether verification passed. */
  readonly verificationPassed: boolean;
  /** Review labels. */
  readonly labels: LearningTraceLabels;
  /** Decision context (`context`, read by the adapter) and the behavior probability. */
  readonly metadata?: {
    readonly context: RlvrContext;
    readonly behaviorProb?: number;
    readonly [key: string]: unknown;
  };
}

/** A learning-trace file. */
export interface LearningTraceDataset {
  /** Dataset id. */
  readonly id: string;
  /** Human-readable name. */
  readonly label: string;
  /** RFC 3339 creation time. */
  readonly createdAt: string;
  /** The tool calls. */
  readonly examples: LearningTraceExample[];
}

/** How actions are chosen when generating logs. */
export type BehaviorSpec = "uniform" | Policy;

/**
 * A distribution of group sizes: `weights[i]` is proportional to the probability of `i + 1` attempts
 * per task (e.g. `{ weights: [0.6, 0.2, 0.1, 0.1] }`: 60 % of the tasks tried once).
 */
export interface GroupSizeDistribution {
  /** Non-negative finite weights of the sizes 1, 2, 3, ... (at least one positive; normalised on use). */
  readonly weights: readonly number[];
}

/** Options of {@link generateLogs}. */
export interface GenerateLogsOptions {
  /**
   * The behavior (logging) policy; its probability of each logged action is recorded as `behaviorProb`.
   * @defaultValue "uniform"
   */
  readonly behavior?: BehaviorSpec;
  /** Number of examples (actions logged). */
  readonly n: number;
  /** Seed of the task, action and tool streams. */
  readonly seed: number;
  /**
   * Attempts per task: examples sharing a task share a `groupId`. A number is the same size for every
   * task; a {@link GroupSizeDistribution} draws each task's size independently (from a separate
   * stream, so the tasks, actions and tool runs are drawn as they would be with fixed sizes).
   * @defaultValue 4
   */
  readonly groupSize?: number | GroupSizeDistribution;
  /**
   * Leave the behavior probabilities out: no `behaviorProb` in the dataset examples nor in the
   * learning-trace `metadata` (logs whose propensities were not recorded). Everything else is identical.
   * @defaultValue false
   */
  readonly omitPropensities?: boolean;
  /**
   * Dataset id (also the prefix of example and group ids).
   * @defaultValue "<environment name>-logs"
   */
  readonly id?: string;
  /**
   * Dataset label.
   * @defaultValue "Logs of <environment name>"
   */
  readonly label?: string;
  /**
   * Creation time written in both datasets (fixed so that generation is deterministic).
   * @defaultValue "1970-01-01T00:00:00.000Z"
   */
  readonly createdAt?: string;
}

/** The same logs in two formats. */
export interface GeneratedLogs {
  /** The @rlvr/dataset format. */
  readonly dataset: RlvrDataset;
  /** The learning-trace format. */
  readonly trace: LearningTraceDataset;
}

/**
 * Log `n` decisions of a behavior policy in `env`: tasks are sampled, each gets `groupSize` actions
 * drawn independently from the behavior policy, every action is run and verified. Deterministic
 * given the seed (independent pure-rand streams for tasks, actions and tools).
 * @param env - the environment
 * @param options - behavior, size, seed, ids
 */
export function generateLogs<TTask extends EnvironmentTask>(
  env: Environment<TTask>,
  options: GenerateLogsOptions,
): GeneratedLogs {
  const where = "log generation options";
  if (typeof options !== "object" || options === null)
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: expected an object, got ${String(options)}`);
  const { n, seed } = options;
  if (!Number.isInteger(n) || n < 1)
    throw new RlvrLoopError("INVALID_ARGUMENT", `${where}: n must be a positive integer, got ${n}`);
  assertSeed(seed, where);
  const groupSize = options.groupSize ?? 4;
  const sizes = groupSizes({ groupSize, n, seed });
  const omitPropensities = options.omitPropensities ?? false;
  if (typeof omitPropensities !== "boolean") {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `${where}: omitPropensities must be true or false, got ${String(omitPropensities)}`,
    );
  }
  const behavior = options.behavior ?? "uniform";
  if (behavior !== "uniform") {
    const b = behavior.actions;
    if (b.length !== env.actions.length || b.some((x, i) => x !== env.actions[i])) {
      throw new RlvrLoopError(
        "INCOMPATIBLE_POLICY",
        `${where}: the behavior policy's actions ${JSON.stringify(behavior.actions)} differ from the environment's ${JSON.stringify(env.actions)}`,
      );
    }
  }
  const id = options.id ?? `${env.name}-logs`;
  const createdAt = options.createdAt ?? "1970-01-01T00:00:00.000Z";
  const taskRng = deriveRng(seed, STREAM_TASKS);
  const actionRng = deriveRng(seed, STREAM_ACTIONS);
  const envRng = deriveRng(seed, STREAM_ENVIRONMENT);
  const A = env.actions.length;
  const probs = new Float64Array(A);
  const examples: RlvrExample[] = [];
  const trace: LearningTraceExample[] = [];
  const pad = String(n - 1).length;
  const gpad = String(sizes.length - 1).length;
  for (let g = 0; examples.length < n; g++) {
    const task = env.sample(taskRng);
    const groupId = `${id}-g${String(g).padStart(gpad, "0")}`;
    const allowed = task.allowedActions ? new Set(task.allowedActions) : null;
    if (behavior === "uniform") {
      let count = 0;
      for (let a = 0; a < A; a++) if (allowed === null || allowed.has(env.actions[a]!)) count++;
      for (let a = 0; a < A; a++) probs[a] = allowed === null || allowed.has(env.actions[a]!) ? 1 / count : 0;
    } else {
      const lp = behavior.logProbs(
        task.context,
        task.allowedActions ? { allowedActions: task.allowedActions } : undefined,
      );
      for (let a = 0; a < A; a++) probs[a] = Math.exp(lp[a]!);
    }
    const taskMetadata = task.metadata ?? {};
    const prompt = task.context.prompt;
    const size = sizes[g]!;
    for (let k = 0; k < size && examples.length < n; k++) {
      const a = sampleIndex(actionRng, probs, A);
      const action = env.actions[a]!;
      const outcome = env.verify(task, action, envRng);
      const exampleId = `${id}-${String(examples.length).padStart(pad, "0")}`;
      const behaviorProb = probs[a]!;
      const metadata: Record<string, unknown> = Object.assign({}, taskMetadata);
      metadata.taskId = task.id;
      metadata.output = outcome.output;
      metadata.reason = outcome.reason;
      const example: RlvrExample = {
        id: exampleId,
        groupId,
        context: task.context,
        action,
        reward: outcome.reward,
        verified: outcome.verified,
        ...(omitPropensities ? {} : { behaviorProb }),
        source: env.name,
        metadata,
      };
      if (outcome.rewards) example.rewards = Object.assign({}, outcome.rewards);
      if (task.allowedActions) example.allowedActions = [...task.allowedActions];
      examples.push(example);
      const toolInput: Record<string, unknown> = task.toolInput
        ? Object.assign({}, task.toolInput)
        : prompt !== undefined
          ? { taskId: task.id, prompt }
          : { taskId: task.id };
      const traceMetadata: { context: RlvrContext; behaviorProb?: number; [key: string]: unknown } =
        omitPropensities ? { context: task.context } : { context: task.context, behaviorProb };
      if (outcome.rewards) traceMetadata.rewards = example.rewards;
      if (task.allowedActions) traceMetadata.allowedActions = example.allowedActions;
      trace.push({
        id: exampleId,
        requestId: groupId,
        correlationId: task.id,
        toolName: action,
        source: env.name,
        toolInput,
        toolOutput: outcome.output,
        durationMs: outcome.durationMs ?? 0,
        reward: outcome.reward,
        verificationPassed: outcome.verified,
        labels: {
          taskOutcome: outcome.reward >= 1 ? "success" : outcome.reward > 0 ? "partial" : "fail",
          verificationAlignment: "aligned",
          policyCompliance: "compliant",
          safetyRisk: "none",
          rewardHackingSignal: "none",
          notes: outcome.reason,
        },
        metadata: traceMetadata,
      });
    }
  }
  return {
    dataset: {
      schemaVersion: 1,
      id,
      label: options.label ?? `Logs of ${env.name}`,
      createdAt,
      examples,
      metadata: {
        environment: env.name,
        seed,
        groupSize: typeof groupSize === "number" ? groupSize : { weights: [...groupSize.weights] },
        behavior: behavior === "uniform" ? "uniform" : "policy",
      },
    },
    trace: { id, label: options.label ?? `Logs of ${env.name}`, createdAt, examples: trace },
  };
}

/**
 * The size of every group of {@link generateLogs} until `n` examples are reached: a fixed size, or
 * draws from a distribution by inversion of one uniform draw each (stream `STREAM_GROUP_SIZES`).
 */
function groupSizes(o: { groupSize: number | GroupSizeDistribution; n: number; seed: number }): Int32Array {
  const { groupSize, n, seed } = o;
  const where = "log generation options";
  if (typeof groupSize === "number") {
    if (!Number.isInteger(groupSize) || groupSize < 1) {
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `${where}: groupSize must be a positive integer, got ${groupSize}`,
      );
    }
    return new Int32Array(Math.ceil(n / groupSize)).fill(groupSize);
  }
  const weights = typeof groupSize === "object" && groupSize !== null ? groupSize.weights : undefined;
  if (
    !Array.isArray(weights) ||
    weights.length === 0 ||
    weights.some((w) => typeof w !== "number" || !Number.isFinite(w) || w < 0) ||
    !weights.some((w) => w > 0)
  ) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `${where}: groupSize must be a positive integer or { weights } with non-negative finite weights, at least one positive, got ${JSON.stringify(groupSize)}`,
    );
  }
  const total = weights.reduce((s, w) => s + w, 0);
  const probs = weights.map((w) => w / total);
  const rng = deriveRng(seed, STREAM_GROUP_SIZES);
  const out: number[] = [];
  for (let sum = 0; sum < n; ) {
    const size = sampleIndex(rng, probs, probs.length) + 1;
    out.push(size);
    sum += size;
  }
  return Int32Array.from(out);
}

/**
 * A learning-trace dataset as JSON text, deterministically: the header members (`id`, `label`,
 * `createdAt`) then `examples` with one example per line (so the file diffs line by line), members in
 * the order {@link generateLogs} writes them, ending with a newline. Readable by `@rlvr/dataset`'s
 * `loadDataset` (format `learning-trace`).
 * @param trace - the dataset, e.g. `generateLogs(...).trace`
 */
export function learningTraceToJson(trace: LearningTraceDataset): string {
  if (typeof trace !== "object" || trace === null || !Array.isArray(trace.examples)) {
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      "expected a learning-trace dataset (an object with an examples array)",
    );
  }
  const header = JSON.stringify({ id: trace.id, label: trace.label, createdAt: trace.createdAt }).slice(
    0,
    -1,
  );
  const body = trace.examples.map((e) => JSON.stringify(e)).join(",\n");
  return `${header},"examples":[${body ? `\n${body}\n` : ""}]}\n`;
}
