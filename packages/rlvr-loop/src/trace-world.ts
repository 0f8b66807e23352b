import { RlvrLoopError } from "./errors.js";
import type { GeneratedLogs, GenerateLogsOptions, GroupSizeDistribution } from "./generate-logs.js";
import { createHeuristicBehavior, type HeuristicBehaviorOptions } from "./heuristic-behavior.js";
import type { Policy } from "./policy.js";
import {
  createToolRoutingEnvironment,
  type ToolRoutingEnvironment,
  type ToolRoutingEnvironmentOptions,
} from "./tool-routing-environment.js";

/**
 * Environment options of the trace-shaped world ({@link createTraceWorld}): free-text prompts (misleading
 * rate 0.3, the default), kind and level visible only through the text, three distractors, six tools.
 */
export const TRACE_WORLD_OPTIONS: Readonly<ToolRoutingEnvironmentOptions> = Object.freeze({
  promptStyle: "free",
  kindFeatures: false,
  numActions: 6,
  distractors: 3,
  distractorValues: 3,
  featureNoise: 0.05,
});

/** Group sizes of the trace-shaped logs: 1, 2, 3, 4 attempts with probability 0.55, 0.25, 0.1, 0.1. */
export const TRACE_GROUP_SIZES: GroupSizeDistribution = Object.freeze({
  weights: Object.freeze([0.55, 0.25, 0.1, 0.1]),
});

/** Options of {@link createTraceWorld}: environment options over {@link TRACE_WORLD_OPTIONS}, and the behavior's. */
export interface TraceWorldOptions extends ToolRoutingEnvironmentOptions {
  /**
   * Options of the heuristic logging policy (see {@link createHeuristicBehavior}).
   * @defaultValue `{}` (its defaults)
   */
  readonly behavior?: HeuristicBehaviorOptions;
}

/** Options of {@link TraceWorld.generateTraceLogs}: those of `generateLogs` without the behavior. */
export interface TraceLogsOptions extends Omit<GenerateLogsOptions, "behavior" | "groupSize"> {
  /**
   * Attempts per task.
   * @defaultValue {@link TRACE_GROUP_SIZES}
   */
  readonly groupSize?: GenerateLogsOptions["groupSize"];
}

/** A trace-shaped tool-routing environment with its heuristic logging policy. */
export interface TraceWorld extends ToolRoutingEnvironment {
  /** The heuristic logging policy of the logs ({@link createHeuristicBehavior}). */
  readonly behavior: Policy;
  /** Logs of {@link TraceWorld.behavior} with group sizes drawn from {@link TRACE_GROUP_SIZES}. */
  generateTraceLogs(options: TraceLogsOptions): GeneratedLogs;
}

/**
 * A world shaped like real agent traces, for tests: `createToolRoutingEnvironment` with
 * {@link TRACE_WORLD_OPTIONS} (overridable), a biased heuristic logging policy, and
 * `generateTraceLogs` (many prompts tried once). See docs/rlvr-loop.md for its exact values.
 * @param options - environment options over the preset, and the behavior's options
 */
export function createTraceWorld(options: TraceWorldOptions = {}): TraceWorld {
  if (typeof options !== "object" || options === null)
    throw new RlvrLoopError(
      "INVALID_ARGUMENT",
      `trace world options: expected an object, got ${String(options)}`,
    );
  const { behavior: behaviorOptions, ...envOptions } = options;
  const env = createToolRoutingEnvironment({ ...TRACE_WORLD_OPTIONS, ...envOptions });
  const behavior = createHeuristicBehavior(env, behaviorOptions ?? {});
  return Object.freeze({
    ...env,
    behavior,
    generateTraceLogs: (o: TraceLogsOptions) =>
      env.generateLogs({ ...o, behavior, groupSize: o?.groupSize ?? TRACE_GROUP_SIZES }),
  });
}
