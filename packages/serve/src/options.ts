import { ServeError } from "./errors.js";
import { checkExploration, DEFAULT_EXPLORATION, type ExplorationOptions } from "./exploration.js";

/** Options of {@link createPolicyServer}. */
export interface ServeOptions {
  /** Checkpoint file to serve (a `.ckpt` of `rlvr-train run` / `train`). */
  readonly checkpoint: string;
  /** Folder of the decision log (created when missing; `decisions.db` and `journal-*.jsonl` inside). */
  readonly log: string;
  /**
   * Seed of the decision draws: with the event id it keys each decision's random stream.
   * @defaultValue 0
   */
  readonly seed?: number;
  /**
   * How the server explores.
   * @defaultValue `{ kind: "epsilon-greedy", epsilon: 0.1 }`
   */
  readonly exploration?: ExplorationOptions;
  /**
   * How long after a decision its reward is accepted, in milliseconds.
   * @defaultValue 600000 (10 minutes)
   */
  readonly rewardWaitMs?: number;
  /**
   * Reward given on export to a decision without a reward once its wait time is over; `null` leaves
   * such decisions out of the export. Recorded with each decision.
   * @defaultValue null
   */
  readonly defaultReward?: number | null;
  /**
   * Bearer token of the admin endpoints (`POST /v1/admin/reload`); `null` turns them off.
   * @defaultValue null
   */
  readonly adminToken?: string | null;
  /**
   * Largest request body accepted, in bytes.
   * @defaultValue 65536
   */
  readonly bodyLimit?: number;
  /**
   * When a decision or reward is acknowledged. `"disk"`: after its commit is on disk (SQLite
   * `synchronous = FULL`, an fsync per commit): it survives a crash of the process or of the machine.
   * `"process"`: after its commit is in the operating system (`synchronous = NORMAL` in WAL mode): it
   * survives a crash of the server process (kill -9), not a power loss. Both are atomic.
   * @defaultValue "disk"
   */
  readonly durability?: "disk" | "process";
  /**
   * The clock, in milliseconds since the epoch (decision and reward times, wait deadlines).
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
}

/** {@link ServeOptions} with every default filled in. */
export interface ResolvedServeOptions {
  readonly checkpoint: string;
  readonly log: string;
  readonly seed: number;
  readonly exploration: ExplorationOptions;
  readonly rewardWaitMs: number;
  readonly defaultReward: number | null;
  readonly adminToken: string | null;
  readonly bodyLimit: number;
  readonly durability: "disk" | "process";
  readonly now: () => number;
}

/**
 * Check {@link ServeOptions} and fill in the defaults (the one place they are set); throws
 * `INVALID_OPTIONS` naming the option and the bad value.
 * @param options - the options to resolve
 */
export function resolveServeOptions(options: ServeOptions): ResolvedServeOptions {
  const bad = (message: string): never => {
    throw new ServeError("INVALID_OPTIONS", message);
  };
  if (typeof options !== "object" || options === null) bad("serve options must be an object");
  const { checkpoint, log } = options;
  if (typeof checkpoint !== "string" || checkpoint === "") bad("checkpoint must be a file path");
  if (typeof log !== "string" || log === "") bad("log must be a folder path");
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    bad(`seed must be an integer in [0, 4294967295], got ${String(seed)}`);
  const rewardWaitMs = options.rewardWaitMs ?? 600_000;
  if (!Number.isSafeInteger(rewardWaitMs) || rewardWaitMs < 0)
    bad(`rewardWaitMs must be a non-negative integer, got ${String(rewardWaitMs)}`);
  const defaultReward = options.defaultReward ?? null;
  if (
    defaultReward !== null &&
    !(typeof defaultReward === "number" && defaultReward >= 0 && defaultReward <= 1)
  )
    bad(`defaultReward must be a number in [0, 1] or null, got ${String(defaultReward)}`);
  const adminToken = options.adminToken ?? null;
  if (adminToken !== null && (typeof adminToken !== "string" || adminToken.length < 16))
    bad("adminToken must be a string of at least 16 characters, or null");
  const bodyLimit = options.bodyLimit ?? 65_536;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024 || bodyLimit > 64 * 1024 * 1024)
    bad(`bodyLimit must be an integer number of bytes in [1024, 67108864], got ${String(bodyLimit)}`);
  const durability = options.durability ?? "disk";
  if (durability !== "disk" && durability !== "process")
    bad(`durability must be "disk" or "process", got ${JSON.stringify(durability)}`);
  const now = options.now ?? Date.now;
  if (typeof now !== "function") bad("now must be a function returning milliseconds");
  return {
    checkpoint,
    log,
    seed,
    exploration: checkExploration(options.exploration ?? DEFAULT_EXPLORATION),
    rewardWaitMs,
    defaultReward,
    adminToken,
    bodyLimit,
    durability,
    now,
  };
}
