import type { SearchSpaceSpec } from "../search-space.js";
import type { Trial } from "../trial.js";
export declare const SPACE: SearchSpaceSpec;
export declare const SEED: number;
export declare const TRIALS: number;
export declare const PENDING_WINDOW: number;
export declare function objective(params: Record<string, unknown>, trial: Trial): Promise<number>;
