// Redis plumbing shared by the executor, the worker and the blob store: options with defaults, the
// clients we open, key names, and bounded waits (an outage must end in an error, never a hang).
import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { RedisOptions as BullmqRedisOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { maskRedisUrl, type RedisEndpointOptions } from "./connection.js";
import { TunerBullmqError } from "./errors.js";

/** {@link RedisEndpointOptions} with defaults filled in. */
export interface RedisEndpoint {
  readonly url: string;
  /** The URL with its password replaced by `***`, for messages. */
  readonly shownUrl: string;
  readonly tls: TlsOptions | undefined;
  readonly prefix: string;
  readonly queue: string;
  readonly unreachableTimeoutMs: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws `INVALID_ARGUMENT` naming the function and option. */
export function badArgument(where: string, message: string): never {
  throw new TunerBullmqError("INVALID_ARGUMENT", `${where}: ${message}`);
}

/** Whether `value` is a positive finite number (a duration option). */
export function isPositive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** Fills in and checks the endpoint options (`where` names the calling function in messages). */
export function resolveEndpoint(options: RedisEndpointOptions, where: string): RedisEndpoint {
  if (typeof options !== "object" || options === null) badArgument(where, "options must be an object");
  const url = options.redis;
  if (typeof url !== "string") badArgument(where, "redis must be a redis:// or rediss:// URL");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    badArgument(where, `redis must be a redis:// or rediss:// URL, got ${JSON.stringify(maskRedisUrl(url))}`);
  }
  if ((parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || parsed.hostname === "") {
    badArgument(where, `redis must be a redis:// or rediss:// URL with a host, got ${maskRedisUrl(url)}`);
  }
  const prefix = options.prefix ?? "rlvr";
  const queue = options.queue ?? "trials";
  for (const [key, value] of [
    ["prefix", prefix],
    ["queue", queue],
  ] as const) {
    if (typeof value !== "string" || !NAME.test(value)) {
      badArgument(
        where,
        `${key} must be 1-64 letters, digits, '_', '.' or '-', got ${JSON.stringify(value)}`,
      );
    }
  }
  const unreachableTimeoutMs = options.unreachableTimeoutMs ?? 10_000;
  if (!isPositive(unreachableTimeoutMs)) {
    badArgument(where, `unreachableTimeoutMs must be a positive number, got ${String(unreachableTimeoutMs)}`);
  }
  return Object.freeze({
    url,
    shownUrl: maskRedisUrl(url),
    tls: options.tls,
    prefix,
    queue,
    unreachableTimeoutMs,
  });
}

/** The ioredis options of every connection we open (BullMQ gets the same through `connection`). */
export function redisOptions(endpoint: RedisEndpoint, extra: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: Math.min(endpoint.unreachableTimeoutMs, 10_000),
    // Reconnect quickly (at most every second) so that a Redis that comes back is noticed early.
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    ...(endpoint.tls === undefined ? {} : { tls: endpoint.tls }),
    ...extra,
  };
}

/** The `connection` option given to BullMQ's Queue, Worker and QueueEvents. */
export function bullmqConnection(endpoint: RedisEndpoint): BullmqRedisOptions {
  const { retryStrategy, ...rest } = redisOptions(endpoint);
  return {
    url: endpoint.url,
    ...rest,
    lazyConnect: false,
    ...(retryStrategy ? { retryStrategy } : {}),
  };
}

/** A new ioredis client (not yet connected). Errors are handled by the watchdog, not printed. */
export function createClient(endpoint: RedisEndpoint, extra: RedisOptions = {}): Redis {
  const client = new Redis(endpoint.url, redisOptions(endpoint, extra));
  client.on("error", () => {
    // Connection errors are reported by the watchdog as REDIS_UNREACHABLE with the URL.
  });
  return client;
}

/** The key names of one endpoint (BullMQ's own keys are `<prefix>:<queue>:*`). */
export function keyOf(endpoint: RedisEndpoint, ...parts: readonly string[]): string {
  return [endpoint.prefix, endpoint.queue, "x", ...parts].join(":");
}

/** Closes a client without waiting for a Redis that may be gone. */
export function dropClient(client: Redis): void {
  client.disconnect(false);
}

/**
 * `promise`, or `REDIS_UNREACHABLE` naming the URL when it has not settled in `unreachableTimeoutMs`
 * (ioredis queues commands while it reconnects, which would otherwise wait without end).
 */
export async function withDeadline<T>(endpoint: RedisEndpoint, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TunerBullmqError(
            "REDIS_UNREACHABLE",
            `Redis at ${endpoint.shownUrl} did not answer for ${endpoint.unreachableTimeoutMs} ms`,
          ),
        ),
      endpoint.unreachableTimeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `work` (errors ignored) but no longer than `ms`: for closing connections to a Redis that may be gone. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
