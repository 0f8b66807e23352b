/**
 * The JavaScript runtime a job runs on. All three fields enter the fingerprint: the results of
 * `Math.exp`, `Math.log`, `Math.pow` and friends are not specified to the last bit by ECMAScript
 * and have changed between V8 versions, and a native add-on or platform library may differ by
 * platform and CPU architecture.
 */
export interface RuntimeInfo {
  /** Node.js version as `process.version` reports it, e.g. `"v20.20.2"`. */
  readonly node: string;
  /** Operating system as `process.platform` reports it, e.g. `"linux"`. */
  readonly platform: string;
  /** CPU architecture as `process.arch` reports it, e.g. `"x64"`. */
  readonly arch: string;
}

/**
 * Reads the current runtime from `process` (an explicit opt-in helper: the rest of the package
 * never touches `process`, except that {@link createTrainingEnvironment} calls this when no
 * `runtime` option is given).
 *
 * @returns a frozen `{ node, platform, arch }`
 */
export function detectRuntime(): RuntimeInfo {
  return Object.freeze({ node: process.version, platform: process.platform, arch: process.arch });
}
