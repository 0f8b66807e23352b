// Liveness of Redis for the executor and the worker: a small client of its own pings Redis; when no ping
// has succeeded for `unreachableTimeoutMs` the owner gets REDIS_UNREACHABLE (naming the masked URL),
// and when the server's run_id changes across a reconnection the owner hears of the restart. BullMQ's
// own connections retry forever and would make a job wait without end; this bounds the wait.
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { createClient, dropClient, type RedisEndpoint } from "./_redis.js";
import { TunerBullmqError } from "./errors.js";

/** What the owner of a watchdog hears. */
export interface WatchdogHandlers {
  /** Redis has not answered for `unreachableTimeoutMs`. Called once; the watchdog then stops. */
  readonly onUnreachable: (error: TunerBullmqError) => void;
  /** The server answered again with another run_id (it restarted). */
  readonly onRestart: (error: TunerBullmqError) => void;
}

/** A running watchdog. */
export interface Watchdog {
  /** The server's run_id when the watchdog started. */
  readonly serverRunId: string;
  /** Stops pinging and closes its client. Idempotent. */
  stop(): void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unreachable(endpoint: RedisEndpoint, lastError: unknown): TunerBullmqError {
  return new TunerBullmqError(
    "REDIS_UNREACHABLE",
    `Redis at ${endpoint.shownUrl} did not answer for ${endpoint.unreachableTimeoutMs} ms${
      lastError === undefined ? "" : ` (${errorText(lastError)})`
    }`,
    lastError === undefined ? {} : { cause: lastError },
  );
}

async function serverRunIdOf(client: Redis): Promise<string> {
  const info = await client.info("server");
  const match = /^run_id:([0-9a-f]+)/m.exec(info);
  return match?.[1] ?? "";
}

/**
 * Connects a health client and waits until Redis answers a PING, for at most `unreachableTimeoutMs`.
 * @throws {@link TunerBullmqError} `REDIS_UNREACHABLE` naming the masked URL
 */
export async function startWatchdog(endpoint: RedisEndpoint, handlers: WatchdogHandlers): Promise<Watchdog> {
  const timeout = endpoint.unreachableTimeoutMs;
  const client = createClient(endpoint, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: Math.max(200, Math.min(2000, timeout / 2)),
  });
  const started = Date.now();
  let lastError: unknown;
  let serverRunId: string | undefined;
  while (serverRunId === undefined) {
    try {
      await client.ping();
      serverRunId = await serverRunIdOf(client);
    } catch (error) {
      lastError = error;
      if (Date.now() - started >= timeout) {
        dropClient(client);
        throw unreachable(endpoint, lastError);
      }
      await sleep(Math.min(100, timeout / 10));
    }
  }

  let stopped = false;
  let lastOk = Date.now();
  let checking = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    dropClient(client);
  };
  const known = serverRunId;
  client.on("ready", () => {
    if (stopped) return;
    serverRunIdOf(client).then(
      (id) => {
        if (!stopped && id !== "" && id !== known) {
          handlers.onRestart(
            new TunerBullmqError(
              "REDIS_RESTARTED",
              `Redis at ${endpoint.shownUrl} restarted (its run_id changed): queued trials and their channels may be lost`,
            ),
          );
        }
      },
      () => {
        // The next ping decides.
      },
    );
  });
  const timer = setInterval(
    () => {
      if (stopped || checking) return;
      checking = true;
      client.ping().then(
        () => {
          checking = false;
          lastOk = Date.now();
        },
        (error: unknown) => {
          checking = false;
          lastError = error;
          if (!stopped && Date.now() - lastOk >= timeout) {
            stop();
            handlers.onUnreachable(unreachable(endpoint, lastError));
          }
        },
      );
    },
    Math.max(50, Math.min(1000, timeout / 4)),
  );
  timer.unref();
  return { serverRunId, stop };
}
