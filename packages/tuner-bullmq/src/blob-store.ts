import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { Redis } from "ioredis";
import {
  badArgument,
  createClient,
  dropClient,
  isPositive,
  type RedisEndpoint,
  resolveEndpoint,
  withDeadline,
} from "./_redis.js";
import type { RedisEndpointOptions } from "./connection.js";
import { TunerBullmqError } from "./errors.js";
import { checkManifest, parseChecked, WIRE_VERSION } from "./wire.js";

/** Options of {@link openBlobStore}. */
export interface BlobStoreOptions extends RedisEndpointOptions {
  /**
   * Size of the pieces a blob is stored in (one Redis string each).
   * @defaultValue 4 MiB
   */
  readonly chunkBytes?: number;
  /**
   * Bytes of fetched blobs kept in memory (least recently used first out); a worker sets it so that a
   * run's data is fetched once, not once per trial.
   * @defaultValue 0 (no cache)
   */
  readonly cacheBytes?: number;
  /**
   * Expiry of stored blobs in seconds (refreshed by every `put` of the same bytes).
   * @defaultValue no expiry
   */
  readonly ttlSeconds?: number;
}

/**
 * Content-addressed bytes in Redis: `put` stores them under their SHA-256 digest (once: a second `put`
 * of the same bytes writes nothing), `get` fetches them on any machine and checks the hash on arrival.
 */
export interface BlobStore {
  /**
   * Stores `bytes` (chunked) unless a blob with their digest is already stored.
   * @returns the digest, `sha256:<64 hex digits>`
   */
  put(bytes: Uint8Array): Promise<string>;
  /**
   * Fetches a blob (from the cache when it holds it).
   * @throws {@link TunerBullmqError} `BLOB_NOT_FOUND`, `BLOB_CORRUPT` (hash or manifest mismatch)
   */
  get(digest: string): Promise<Uint8Array>;
  /** Whether a blob is stored. */
  has(digest: string): Promise<boolean>;
  /** Removes a blob (and drops it from the cache). */
  delete(digest: string): Promise<void>;
  /** Closes the store's own connection, if it has one. Idempotent. */
  close(): Promise<void>;
}

/** Settings of a store, defaults filled in. */
interface BlobSettings {
  readonly endpoint: RedisEndpoint;
  readonly chunkBytes: number;
  readonly cacheBytes: number;
  readonly ttlSeconds: number | undefined;
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** Key of chunk `j` of a blob stored in pieces of `chunkBytes` (so two writers never mix chunkings). */
function chunkKey(key: string, chunkBytes: number, j: number): string {
  return `${key}:${chunkBytes}:${j}`;
}

/** `sha256:<hex>` of `bytes`. */
export function blobDigest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/**
 * Serialises a structured-cloneable value (typed arrays, maps, nested objects) to bytes for
 * {@link BlobStore.put}, with Node's `v8.serialize`: workers should run the same Node.js major version.
 */
export function encodeStructured(value: unknown): Uint8Array {
  return serialize(value);
}

/** The inverse of {@link encodeStructured}. */
export function decodeStructured(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}

function resolveSettings(options: BlobStoreOptions, where: string): BlobSettings {
  const endpoint = resolveEndpoint(options, where);
  const chunkBytes = options.chunkBytes ?? 4 * 2 ** 20;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 512 * 2 ** 20) {
    badArgument(where, `chunkBytes must be an integer in [1, 2^29], got ${String(chunkBytes)}`);
  }
  const cacheBytes = options.cacheBytes ?? 0;
  if (!(cacheBytes === 0 || isPositive(cacheBytes))) {
    badArgument(where, `cacheBytes must be a number >= 0, got ${String(cacheBytes)}`);
  }
  const ttlSeconds = options.ttlSeconds;
  if (ttlSeconds !== undefined && !(Number.isSafeInteger(ttlSeconds) && ttlSeconds > 0)) {
    badArgument(where, `ttlSeconds must be a positive integer, got ${String(ttlSeconds)}`);
  }
  return { endpoint, chunkBytes, cacheBytes, ttlSeconds };
}

/**
 * Opens a blob store on its own Redis connection.
 * @param options - see {@link BlobStoreOptions}
 * @throws {@link TunerBullmqError} `INVALID_ARGUMENT` for a bad option
 */
export async function openBlobStore(options: BlobStoreOptions): Promise<BlobStore> {
  const settings = resolveSettings(options, "openBlobStore");
  const client = createClient(settings.endpoint);
  return blobStoreOn(client, settings, () => dropClient(client));
}

/** A store over a client owned by someone else (the worker's), for the worker's runners. */
export function _blobStoreOnClient(client: Redis, options: BlobStoreOptions): BlobStore {
  return blobStoreOn(client, resolveSettings(options, "createQueueWorker"), () => {});
}

function blobStoreOn(client: Redis, settings: BlobSettings, release: () => void): BlobStore {
  const { endpoint, chunkBytes, cacheBytes, ttlSeconds } = settings;
  const keyOf = (hex: string) => `${endpoint.prefix}:blob:${hex}`;
  const cache = new Map<string, Uint8Array>();
  let cached = 0;
  const inFlight = new Map<string, Promise<Uint8Array>>();
  let closed = false;

  const hexOf = (digest: string): string => {
    if (closed) throw new TunerBullmqError("CLOSED", "the blob store was used after close()");
    const match = typeof digest === "string" ? DIGEST.exec(digest) : null;
    if (match === null) {
      throw new TunerBullmqError(
        "INVALID_ARGUMENT",
        `a blob digest is sha256:<64 hex digits>, got ${JSON.stringify(digest)}`,
      );
    }
    return match[1] as string;
  };
  const remember = (hex: string, bytes: Uint8Array) => {
    if (bytes.byteLength > cacheBytes) return;
    cache.set(hex, bytes);
    cached += bytes.byteLength;
    for (const [key, value] of cache) {
      if (cached <= cacheBytes) break;
      cache.delete(key);
      cached -= value.byteLength;
    }
  };

  const fetch = async (hex: string, digest: string): Promise<Uint8Array> => {
    const key = keyOf(hex);
    const text = await client.get(key);
    if (text === null) {
      throw new TunerBullmqError("BLOB_NOT_FOUND", `no blob ${digest} in Redis at ${endpoint.shownUrl}`);
    }
    const manifest = parseChecked(text, checkManifest);
    if (
      !manifest.ok ||
      manifest.value.chunks !== Math.ceil(manifest.value.size / manifest.value.chunkBytes)
    ) {
      throw new TunerBullmqError(
        "BLOB_CORRUPT",
        `the manifest of blob ${digest} is malformed${manifest.ok ? "" : `: ${manifest.reason}`}`,
      );
    }
    const { size, chunks } = manifest.value;
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (let i = 0; i < chunks; i += 16) {
      const pipeline = client.pipeline();
      for (let j = i; j < Math.min(chunks, i + 16); j++)
        pipeline.getBuffer(chunkKey(key, manifest.value.chunkBytes, j));
      const replies = (await pipeline.exec()) ?? [];
      for (const [error, chunk] of replies) {
        if (error !== null) throw error;
        if (!(chunk instanceof Buffer)) {
          throw new TunerBullmqError("BLOB_NOT_FOUND", `a chunk of blob ${digest} is missing`);
        }
        if (offset + chunk.byteLength > size) {
          throw new TunerBullmqError(
            "BLOB_CORRUPT",
            `blob ${digest} holds more bytes than its manifest says`,
          );
        }
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
    }
    if (offset !== size || blobDigest(bytes) !== digest) {
      throw new TunerBullmqError("BLOB_CORRUPT", `the bytes of blob ${digest} do not hash to its digest`);
    }
    return bytes;
  };

  const bounded = <T>(promise: Promise<T>) => withDeadline(endpoint, promise);
  return {
    put: (bytes) => bounded(put(bytes)),
    get: (digest) => bounded(get(digest)),
    has: (digest) => bounded(has(digest)),
    delete: (digest) => bounded(remove(digest)),
    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      release();
    },
  };

  async function put(bytes: Uint8Array): Promise<string> {
    if (!(bytes instanceof Uint8Array)) {
      throw new TunerBullmqError("INVALID_ARGUMENT", "a blob is a Uint8Array");
    }
    const digest = blobDigest(bytes);
    const key = keyOf(hexOf(digest));
    const chunks = Math.ceil(bytes.byteLength / chunkBytes);
    if ((await client.exists(key)) === 0) {
      for (let i = 0; i < chunks; i += 16) {
        const pipeline = client.pipeline();
        for (let j = i; j < Math.min(chunks, i + 16); j++) {
          const chunk = Buffer.from(
            bytes.buffer,
            bytes.byteOffset + j * chunkBytes,
            Math.min(chunkBytes, bytes.byteLength - j * chunkBytes),
          );
          if (ttlSeconds === undefined) pipeline.set(chunkKey(key, chunkBytes, j), chunk);
          else pipeline.set(chunkKey(key, chunkBytes, j), chunk, "EX", ttlSeconds);
        }
        for (const [error] of (await pipeline.exec()) ?? []) if (error !== null) throw error;
      }
      // The manifest last, and only once: readers never see a blob whose chunks are not all written.
      const manifest = JSON.stringify({ v: WIRE_VERSION, size: bytes.byteLength, chunkBytes, chunks });
      if (ttlSeconds === undefined) await client.set(key, manifest, "NX");
      else await client.set(key, manifest, "EX", ttlSeconds, "NX");
    } else if (ttlSeconds !== undefined) {
      const pipeline = client.pipeline().expire(key, ttlSeconds);
      const stored = parseChecked(await client.get(key), checkManifest);
      if (stored.ok) {
        const { chunks: count, chunkBytes: stride } = stored.value;
        for (let j = 0; j < count; j++) pipeline.expire(chunkKey(key, stride, j), ttlSeconds);
      }
      await pipeline.exec();
    }
    return digest;
  }

  async function get(digest: string): Promise<Uint8Array> {
    const hex = hexOf(digest);
    const hit = cache.get(hex);
    if (hit !== undefined) {
      cache.delete(hex);
      cache.set(hex, hit);
      return hit;
    }
    let pending = inFlight.get(hex);
    if (pending === undefined) {
      pending = fetch(hex, digest).then(
        (bytes) => {
          inFlight.delete(hex);
          remember(hex, bytes);
          return bytes;
        },
        (error: unknown) => {
          inFlight.delete(hex);
          throw error;
        },
      );
      inFlight.set(hex, pending);
    }
    return pending;
  }

  async function has(digest: string): Promise<boolean> {
    return (await client.exists(keyOf(hexOf(digest)))) === 1;
  }

  async function remove(digest: string): Promise<void> {
    const hex = hexOf(digest);
    const key = keyOf(hex);
    const stored = parseChecked(await client.get(key), checkManifest);
    const keys = [key];
    if (stored.ok) {
      for (let j = 0; j < stored.value.chunks; j++) keys.push(chunkKey(key, stored.value.chunkBytes, j));
    }
    await client.del(...keys);
    const hit = cache.get(hex);
    if (hit !== undefined) {
      cache.delete(hex);
      cached -= hit.byteLength;
    }
  }
}
