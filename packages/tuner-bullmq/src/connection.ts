import type { ConnectionOptions as TlsOptions } from "node:tls";

/**
 * Where the queue lives: shared by the executor, the worker and the blob store. The job and every
 * worker must give the same `url` (host), `prefix` and `queue`.
 */
export interface RedisEndpointOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://...` for TLS. The password never appears
   * in an error message (it is shown as `***`).
   */
  readonly redis: string;
  /**
   * TLS options for a `rediss://` URL (a private CA as `ca`, a client certificate as `cert` and `key`).
   * @defaultValue Node.js defaults (the system's CAs)
   */
  readonly tls?: TlsOptions;
  /**
   * Prefix of every Redis key (BullMQ's queue keys, channels, blobs).
   * @defaultValue "rlvr"
   */
  readonly prefix?: string;
  /**
   * Name of the BullMQ queue of trials.
   * @defaultValue "trials"
   */
  readonly queue?: string;
  /**
   * How long Redis may stay unreachable (at start, or after a lost connection) before the executor or
   * worker gives up with `REDIS_UNREACHABLE`.
   * @defaultValue 10000
   */
  readonly unreachableTimeoutMs?: number;
}

/**
 * The URL with any password replaced by `***` (user names are kept).
 * @param url - a Redis URL
 */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return "(an unparsable URL)";
  }
}
