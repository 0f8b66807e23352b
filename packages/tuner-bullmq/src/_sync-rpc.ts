// Synchronous request/response through Redis, for `trial.report` and `trial.shouldPrune`, which the
// tuner defines as synchronous. A small worker thread owns a Redis connection: the calling thread posts
// the request, then blocks in Atomics.wait until the thread has pushed it (RPUSH on the study's list)
// and popped the answer (BLPOP on a reply key), or until the time limit. The calling thread is blocked
// for one round trip per call (a fraction of a millisecond on a LAN).
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { type RedisEndpoint, redisOptions } from "./_redis.js";

/** A synchronous caller. */
export interface SyncRpc {
  /**
   * Pushes `body` on `listKey` and waits for one element on `replyKey`.
   * @returns the reply text, or an error text (time limit, connection) when there is none
   */
  call(
    listKey: string,
    replyKey: string,
    body: string,
    timeoutMs: number,
  ): { reply: string } | { error: string };
  /** Stops the thread. Idempotent. */
  close(): Promise<void>;
}

interface ThreadReply {
  readonly id: number;
  readonly text: string | null;
  readonly error?: string;
}

// CommonJS, evaluated in the thread: no TypeScript, no loader needed (tests run from sources).
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { Redis } = require(workerData.ioredis);
const counter = new Int32Array(workerData.counter);
const port = workerData.port;
const client = new Redis(workerData.url, workerData.options);
client.on("error", () => {});
parentPort.on("message", async (m) => {
  if (m.type === "close") {
    client.disconnect();
    parentPort.close();
    port.close();
    return;
  }
  let reply;
  try {
    await client.rpush(m.listKey, m.body);
    const popped = await client.blpop(m.replyKey, Math.max(0.01, m.timeoutMs / 1000));
    reply = popped === null
      ? { id: m.id, text: null, error: "no answer within " + m.timeoutMs + " ms" }
      : { id: m.id, text: popped[1] };
  } catch (e) {
    reply = { id: m.id, text: null, error: String((e && e.message) || e) };
  }
  port.postMessage(reply);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
`;

/** Starts the thread (it connects to Redis on its own; `call` waits for that within its limit). */
export function startSyncRpc(endpoint: RedisEndpoint): SyncRpc {
  const counterBuffer = new SharedArrayBuffer(4);
  const counter = new Int32Array(counterBuffer);
  const { port1, port2 } = new MessageChannel();
  const { retryStrategy: _functionsCannotCrossThreads, ...options } = redisOptions(endpoint, {
    lazyConnect: false,
  });
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      ioredis: createRequire(import.meta.url).resolve("ioredis"),
      url: endpoint.url,
      options,
      counter: counterBuffer,
      port: port2,
    },
    transferList: [port2],
  });
  let dead: string | undefined;
  worker.on("error", (error: unknown) => {
    dead = `the channel thread stopped: ${error instanceof Error ? error.message : String(error)}`;
  });
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      dead ??= "the channel thread exited";
      resolve();
    }),
  );
  worker.unref();
  let next = 0;
  let closed = false;

  return {
    call(listKey, replyKey, body, timeoutMs) {
      if (dead !== undefined) return { error: dead };
      if (closed) return { error: "the worker is closed" };
      const id = ++next;
      worker.postMessage({ type: "call", id, listKey, replyKey, body, timeoutMs });
      // The thread answers within timeoutMs (BLPOP's own limit) unless its connection is stuck.
      const deadline = Date.now() + timeoutMs + 2000;
      for (;;) {
        const seen = Atomics.load(counter, 0);
        for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
          const reply = m.message as ThreadReply;
          if (reply.id !== id) continue; // an answer to an earlier call that timed out
          return reply.text === null ? { error: reply.error ?? "no answer" } : { reply: reply.text };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return { error: `no answer within ${timeoutMs} ms` };
        Atomics.wait(counter, 0, seen, remaining);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      worker.postMessage({ type: "close" });
      port1.close();
      const timer = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
