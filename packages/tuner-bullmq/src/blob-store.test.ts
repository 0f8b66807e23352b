import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestRedis } from "./__fixtures__/redis.js";
import { blobDigest, decodeStructured, encodeStructured, openBlobStore } from "./blob-store.js";

let redis: TestRedis;
let raw: Redis;
beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

describe("openBlobStore", () => {
  it("stores bytes once, in chunks, and gives them back checked", async () => {
    const store = await openBlobStore({ redis: redis.url, chunkBytes: 1000 });
    try {
      const bytes = new Uint8Array(2500).map((_, i) => (i * 7) % 251);
      const digest = await store.put(bytes);
      expect(digest).toBe(blobDigest(bytes));
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await raw.keys(`rlvr:blob:${digest.slice(7)}*`)).toHaveLength(4); // manifest + 3 chunks
      const manifest = await raw.get(`rlvr:blob:${digest.slice(7)}`);
      expect(await store.put(bytes)).toBe(digest);
      expect(await raw.get(`rlvr:blob:${digest.slice(7)}`)).toBe(manifest);
      expect(await store.get(digest)).toEqual(bytes);
      expect(await store.has(digest)).toBe(true);
      await store.delete(digest);
      expect(await store.has(digest)).toBe(false);
      expect(await raw.keys(`rlvr:blob:${digest.slice(7)}*`)).toHaveLength(0);
      await expect(store.get(digest)).rejects.toMatchObject({ code: "BLOB_NOT_FOUND" });
      await expect(store.get("md5:00")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    } finally {
      await store.close();
    }
  });

  it("refuses bytes that do not hash to their digest, and serves the cache without Redis", async () => {
    const store = await openBlobStore({ redis: redis.url, chunkBytes: 4, cacheBytes: 1000 });
    try {
      const digest = await store.put(new Uint8Array([1, 2, 3, 4, 5, 6]));
      await raw.set(`rlvr:blob:${digest.slice(7)}:4:1`, Buffer.from([9, 9]));
      await expect(store.get(digest)).rejects.toMatchObject({
        code: "BLOB_CORRUPT",
        message: expect.stringContaining("do not hash to its digest"),
      });
      await raw.set(`rlvr:blob:${digest.slice(7)}:4:1`, Buffer.from([5, 6]));
      expect([...(await store.get(digest))]).toEqual([1, 2, 3, 4, 5, 6]);
      await raw.del(`rlvr:blob:${digest.slice(7)}`, `rlvr:blob:${digest.slice(7)}:4:0`);
      expect([...(await store.get(digest))]).toEqual([1, 2, 3, 4, 5, 6]); // cached
      await raw.set(`rlvr:blob:${digest.slice(7)}`, '{"v":1,"size":-1}');
      const other = await openBlobStore({ redis: redis.url });
      await expect(other.get(digest)).rejects.toMatchObject({ code: "BLOB_CORRUPT" });
      await other.close();
    } finally {
      await store.close();
    }
  });

  it("round-trips structured values (typed arrays, nested objects)", () => {
    const value = { x: new Float64Array([1.5, -0, Number.NaN]), m: new Map([["a", 1]]), n: [1, { k: "v" }] };
    expect(decodeStructured(encodeStructured(value))).toEqual(value);
  });
});
