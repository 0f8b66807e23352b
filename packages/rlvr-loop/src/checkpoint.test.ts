import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MAGIC,
  loadCheckpoint,
  serializeCheckpoint,
} from "./checkpoint.js";
import { resolveTrainConfig } from "./config.js";
import { RlvrLoopError } from "./errors.js";
import { createPolicy } from "./policy.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { train } from "./train.js";

function trainedLikePolicy() {
  const policy = createPolicy({
    actions: ["lookup", "calc", "search"],
    featurizer: { dimension: 64, crosses: [["a", "b"]] },
  });
  for (let i = 0; i < policy.weights.length; i++)
    policy.weights[i] = Math.sin(i * 1.7) * 3 + (i % 7 === 0 ? 1e-300 : 0);
  return policy;
}

/** The weights' exact bit patterns (distinguishes -0 from +0). */
const bits = (weights: Float64Array) => Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);

/** Independent transcription of the documented canonical JSON: sorted keys, no whitespace. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

type Body = Record<string, unknown> & { policy: Record<string, unknown> };

/** Split checkpoint bytes into the header (without `digest`) and the payload. */
function parseFile(bytes: Uint8Array): { body: Body; digest: string; payload: Uint8Array } {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const { digest, ...body } = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  return { body, digest, payload: bytes.slice(12 + headerLength) };
}

/** Assemble checkpoint bytes from header text and a payload. */
function rawFile(headerText: string, payload: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const padded = Math.ceil((12 + header.length) / 8) * 8 - 12;
  const out = new Uint8Array(12 + padded + payload.length).fill(0x20);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, padded, true);
  out.set(header, 12);
  out.set(payload, 12 + padded);
  return out;
}

/** Assemble a checkpoint with a correct digest from a header body and any payload (a test-local writer). */
function buildFile(body: Body, payload: Uint8Array): Uint8Array {
  const hash = createHash("sha256").update(canonicalJson(body), "utf8").update(payload);
  return rawFile(canonicalJson({ ...body, digest: `sha256:${hash.digest("hex")}` }), payload);
}

/** The sparse-rows payload of the brief, written independently of the implementation. */
function sparsePayload(indices: readonly number[], values: readonly number[]): Uint8Array {
  const valuesAt = Math.ceil((4 + 4 * indices.length) / 8) * 8;
  const out = new Uint8Array(valuesAt + values.length * 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, indices.length, true);
  for (const [i, r] of indices.entries()) view.setUint32(4 + 4 * i, r, true);
  for (const [i, w] of values.entries()) view.setFloat64(valuesAt + 8 * i, w, true);
  return out;
}

/** Rows holding a weight other than +0, computed independently of the implementation. */
function nonZeroRows(weights: Float64Array, actions: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * actions < weights.length; r++) {
    const row = Array.from(weights.subarray(r * actions, (r + 1) * actions));
    if (row.some((w) => !Object.is(w, 0))) rows.push(r);
  }
  return rows;
}

const special = fc.constantFrom(
  -0,
  5e-324,
  -5e-324,
  2.225073858507201e-308, // largest subnormal
  1e-310,
  Number.MAX_VALUE,
  -Number.MIN_VALUE,
);
const weight = fc.oneof(special, fc.double({ noNaN: true, noDefaultInfinity: true }));

const errorOf = (b: Uint8Array): { code: string; message: string } => {
  try {
    loadCheckpoint(b);
  } catch (err) {
    return RlvrLoopError.is(err) ? { code: err.code, message: err.message } : { code: "other", message: "" };
  }
  return { code: "none", message: "" };
};

/**
 * A format-version-1 (dense) checkpoint written by the version-1 code path (`serializeCheckpoint` before
 * sparse rows): actions a, b; hashing featurizer of dimension 3 (4 rows); weights
 * [0.5, -0, 0, 0, -1.25, 5e-324, 0, 2]; metadata `{ fixture: "v1" }`.
 */
const V1_FIXTURE = [
  "UkxWUkNLUFREAgAAeyJjb25maWciOm51bGwsImNyZWF0ZWRCeSI6eyJwYWNrYWdlIjoiQHJsdnIvcmx2ci1sb29wIiwidmVyc2lv",
  "biI6IjAuMC4wIn0sImRpZ2VzdCI6InNoYTI1NjoxMDZhZTMwNTNiYWQ4MmI5YzAxYTY2NDlkMGMxY2JhYjVjZjVkZTg0MTEyZjQ3",
  "NzhmNWE4MjFhNGRhYTEyMzg2IiwiZm9ybWF0Ijoicmx2ci1jaGVja3BvaW50IiwiZm9ybWF0VmVyc2lvbiI6MSwibWV0YWRhdGEi",
  "OnsiZml4dHVyZSI6InYxIn0sIm1ldHJpY3MiOm51bGwsInBvbGljeSI6eyJhY3Rpb25zIjpbImEiLCJiIl0sImJ5dGVPcmRlciI6",
  "ImxpdHRsZS1lbmRpYW4iLCJkdHlwZSI6ImZsb2F0NjQiLCJmZWF0dXJpemVyIjp7ImJpZ3JhbXMiOnRydWUsImNyb3NzZXMiOltd",
  "LCJkaW1lbnNpb24iOjMsImZlYXR1cmVzIjp0cnVlLCJraW5kIjoiaGFzaGluZyIsImxvd2VyY2FzZSI6dHJ1ZSwibnVtZXJpYyI6",
  "ImlkZW50aXR5Iiwic2VlZCI6MCwidW5pZ3JhbXMiOnRydWUsInZlcnNpb24iOjF9LCJraW5kIjoibGluZWFyLXNvZnRtYXgiLCJs",
  "YXlvdXQiOiJyb3ctbWFqb3IgW2ZlYXR1cmUgcm93XVthY3Rpb25dIiwicm93cyI6NCwid2VpZ2h0Q291bnQiOjh9fQAAAAAAAOA/",
  "AAAAAAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA9L8BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEA=",
].join("");

describe("checkpoints", () => {
  it("load back into an identical policy, with the header recorded", () => {
    const policy = trainedLikePolicy();
    const config = resolveTrainConfig({ featurizer: policy.featurizer.spec, seed: 9 });
    const bytes = serializeCheckpoint(policy, {
      config,
      metrics: { value: 0.79, epochs: [1, 2] },
      metadata: { job: "x" },
    });
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(CHECKPOINT_MAGIC);
    const { policy: loaded, header } = loadCheckpoint(bytes);
    expect(loaded.actions).toEqual(policy.actions);
    expect(loaded.featurizer.spec).toEqual(policy.featurizer.spec);
    expect(Buffer.from(loaded.weights.buffer).equals(Buffer.from(policy.weights.buffer))).toBe(true);
    const context = { prompt: "find the sum", features: { a: "x", b: "y", n: 3 } };
    expect(Array.from(loaded.logProbs(context))).toEqual(Array.from(policy.logProbs(context)));
    expect(CHECKPOINT_FORMAT_VERSION).toBe(2);
    expect(header).toMatchObject({
      format: "rlvr-checkpoint",
      formatVersion: 2,
      policy: { rows: 65, weightCount: 195, storage: "sparse-rows", storedRows: 65 },
      config,
      metrics: { value: 0.79 },
      metadata: { job: "x" },
    });
    expect(header.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      Buffer.from(
        serializeCheckpoint(policy, {
          config,
          metrics: { value: 0.79, epochs: [1, 2] },
          metadata: { job: "x" },
        }),
      ).equals(Buffer.from(bytes)),
    ).toBe(true);
  });

  it("digest is sha256 over the canonical header without digest followed by the payload bytes", () => {
    const bytes = serializeCheckpoint(trainedLikePolicy(), { metadata: { z: 1, a: [true, null] } });
    const { body, digest, payload } = parseFile(bytes);
    const expected = createHash("sha256").update(canonicalJson(body), "utf8").update(payload);
    expect(digest).toBe(`sha256:${expected.digest("hex")}`);
    expect(Buffer.from(buildFile(body, payload)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("rejects content that does not match its digest", () => {
    const bytes = serializeCheckpoint(trainedLikePolicy());
    const weight = bytes.slice();
    weight[weight.length - 3]! ^= 1;
    expect(() => loadCheckpoint(weight)).toThrow(
      expect.objectContaining({ code: "CHECKPOINT_DIGEST_MISMATCH" }),
    );
    const header = bytes.slice();
    const text = new TextDecoder().decode(header);
    const at = text.indexOf('"lookup"');
    header.set(new TextEncoder().encode('"lookuq"'), at);
    expect(() => loadCheckpoint(header)).toThrow(
      expect.objectContaining({ code: "CHECKPOINT_DIGEST_MISMATCH" }),
    );
  });

  it("rejects bytes that are not a checkpoint", () => {
    const bytes = serializeCheckpoint(trainedLikePolicy());
    const code = (b: Uint8Array) => errorOf(b).code;
    expect(code(bytes.subarray(0, bytes.length - 8))).toBe("CHECKPOINT_INVALID");
    expect(code(new Uint8Array(4))).toBe("CHECKPOINT_INVALID");
    const magic = bytes.slice();
    magic[0] = 0x41;
    expect(code(magic)).toBe("CHECKPOINT_INVALID");
    const length = bytes.slice();
    new DataView(length.buffer).setUint32(8, 1 << 30, true);
    expect(code(length)).toBe("CHECKPOINT_INVALID");
    expect(() => serializeCheckpoint(trainedLikePolicy(), { metrics: { bad: Number.NaN } })).toThrow(
      /checkpoint header: \/metrics\/bad is NaN; expected a finite number/,
    );
    const { body, payload } = parseFile(bytes);
    expect(errorOf(buildFile({ ...body, formatVersion: 3 }, payload)).message).toMatch(
      /unsupported formatVersion 3/,
    );
    const hugeHeader = canonicalJson({ ...body, metrics: { x: 1 }, digest: "sha256:0" });
    const hugeFile = rawFile(hugeHeader.replace('"x":1', '"x":1e999'), payload);
    expect(errorOf(hugeFile)).toMatchObject({
      code: "CHECKPOINT_INVALID",
      message: expect.stringMatching(
        /^not a valid checkpoint: .*\/metrics\/x is Infinity; expected a finite number/,
      ),
    });
  });
});

describe("sparse-rows checkpoints (format version 2)", () => {
  it("round-trips random sparse policies bit for bit, storing exactly the rows not all +0", () => {
    const arb = fc.record({
      dimension: fc.integer({ min: 1, max: 40 }),
      actionCount: fc.integer({ min: 1, max: 5 }),
      cells: fc.array(fc.tuple(fc.nat(), weight), { maxLength: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ dimension, actionCount, cells }) => {
        const actions = Array.from({ length: actionCount }, (_, a) => `a${a}`);
        const policy = createPolicy({ actions, featurizer: { dimension } });
        for (const [at, w] of cells) policy.weights[at % policy.weights.length] = w;
        const bytes = serializeCheckpoint(policy, { metadata: { cells: cells.length } });
        const { policy: loaded, header } = loadCheckpoint(bytes);
        expect(bits(loaded.weights).equals(bits(policy.weights))).toBe(true);
        const expectedRows = nonZeroRows(policy.weights, actionCount);
        expect(header.policy.storedRows).toBe(expectedRows.length);
        const expectedValues = expectedRows.flatMap((r) =>
          Array.from(policy.weights.subarray(r * actionCount, (r + 1) * actionCount)),
        );
        const { payload } = parseFile(bytes);
        expect(Buffer.from(payload).equals(Buffer.from(sparsePayload(expectedRows, expectedValues)))).toBe(
          true,
        );
        expect(Buffer.from(serializeCheckpoint(loaded, { metadata: { cells: cells.length } }))).toEqual(
          Buffer.from(bytes),
        );
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it("stores a row holding only -0 and skips rows of +0", () => {
    const policy = createPolicy({ actions: ["a", "b"], featurizer: { dimension: 5 } });
    policy.weights[2 * 2 + 1] = -0;
    policy.weights[4 * 2] = 1e-320;
    const bytes = serializeCheckpoint(policy);
    const { policy: loaded, header } = loadCheckpoint(bytes);
    expect(header.policy.storedRows).toBe(2);
    expect(Object.is(loaded.weights[5], -0)).toBe(true);
    expect(loaded.weights[8]).toBe(1e-320);
    expect(bits(loaded.weights).equals(bits(policy.weights))).toBe(true);
    expect(Array.from(new Uint32Array(parseFile(bytes).payload.slice(0, 12).buffer))).toEqual([2, 2, 4]);
  });

  it("takes 12 + header + 8·⌈(4 + 4k)/8⌉ + 8·k·A bytes for k stored rows", () => {
    const A = 3;
    const R = 1025;
    const size = (k: number) => {
      const policy = createPolicy({ actions: ["x", "y", "z"], featurizer: { dimension: R - 1 } });
      for (let i = 0; i < k; i++) policy.weights[(i * 97 + 5) * A + (i % A)] = i + 0.5;
      const bytes = serializeCheckpoint(policy);
      const header = new DataView(bytes.buffer).getUint32(8, true);
      expect(header % 8).toBe(4);
      expect(loadCheckpoint(bytes).header.policy.storedRows).toBe(k);
      return { bytes: bytes.length, header };
    };
    const even = size(10); // 4 + 40 = 44 bytes of count and indices, padded to 48
    expect(even.bytes).toBe(12 + even.header + 4 + 4 * 10 + 4 + 8 * 10 * A);
    const odd = size(7); // 4 + 28 = 32 bytes, no padding
    expect(odd.bytes).toBe(12 + odd.header + 4 + 4 * 7 + 8 * 7 * A);
    const zero = size(0);
    expect(zero.bytes).toBe(12 + zero.header + 8);
    expect(R * A * 8).toBe(24600); // the dense payload these replace
  });

  it("writes the same bytes twice", () => {
    const policy = trainedLikePolicy();
    policy.weights.fill(0, 30, 150);
    const options = { metrics: { b: 2, a: 1 }, metadata: { n: -0 } };
    expect(Buffer.from(serializeCheckpoint(policy, options))).toEqual(
      Buffer.from(serializeCheckpoint(policy, { metadata: { n: 0 }, metrics: { a: 1, b: 2 } })),
    );
  });

  it("checkpoints a policy trained on 4000 tool-routing logs in a few kilobytes", async () => {
    const env = createToolRoutingEnvironment();
    const result = await train(env.generateLogs({ n: 4000, seed: 1 }).dataset);
    const bytes = serializeCheckpoint(result.policy, { config: result.config });
    const { policy: loaded, header } = loadCheckpoint(bytes);
    expect(bits(loaded.weights).equals(bits(result.policy.weights))).toBe(true);
    const A = header.policy.actions.length;
    const k = nonZeroRows(result.policy.weights, A).length;
    expect(header.policy.storedRows).toBe(k);
    expect(header.policy.rows).toBe(262_145);
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    expect(bytes.length).toBe(12 + headerLength + Math.ceil((4 + 4 * k) / 8) * 8 + 8 * k * A);
    const dense = 12 + headerLength + header.policy.weightCount * 8;
    expect(bytes.length * 100).toBeLessThan(dense);
  });
});

describe("format version 1 (dense) checkpoints", () => {
  it("still load the fixture written by the version-1 code path", () => {
    const bytes = new Uint8Array(Buffer.from(V1_FIXTURE, "base64"));
    const { policy, header } = loadCheckpoint(bytes);
    expect(header).toMatchObject({ formatVersion: 1, metadata: { fixture: "v1" } });
    expect(header.policy.storage).toBeUndefined();
    expect(policy.actions).toEqual(["a", "b"]);
    expect(policy.featurizer.rows).toBe(4);
    expect(bits(policy.weights).equals(bits(new Float64Array([0.5, -0, 0, 0, -1.25, 5e-324, 0, 2])))).toBe(
      true,
    );
    const tampered = bytes.slice();
    tampered[tampered.length - 1]! ^= 0x10;
    expect(errorOf(tampered).code).toBe("CHECKPOINT_DIGEST_MISMATCH");
    expect(errorOf(bytes.subarray(0, bytes.length - 8)).code).toBe("CHECKPOINT_INVALID");
  });

  it("still load dense files of random policies", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(weight, { minLength: 1, maxLength: 30 }),
        (dimension, values) => {
          const policy = createPolicy({ actions: ["p", "q"], featurizer: { dimension } });
          for (const [i, w] of values.entries()) policy.weights[(i * 7) % policy.weights.length] = w;
          const { body } = parseFile(serializeCheckpoint(policy));
          const { storage: _s, storedRows: _k, ...densePolicy } = body.policy;
          const dense = new Uint8Array(policy.weights.length * 8);
          const view = new DataView(dense.buffer);
          for (const [i, w] of policy.weights.entries()) view.setFloat64(8 * i, w, true);
          const v1 = buildFile({ ...body, formatVersion: 1, policy: densePolicy }, dense);
          expect(bits(loadCheckpoint(v1).policy.weights).equals(bits(policy.weights))).toBe(true);
          const mixed = buildFile({ ...body, formatVersion: 1 }, dense);
          expect(errorOf(mixed).message).toMatch(/formatVersion 1 header must not have policy.storage/);
        },
      ),
      { seed: 42, numRuns: 20 },
    );
  });
});

describe("malformed sparse payloads (with a valid digest)", () => {
  const policy = createPolicy({ actions: ["a", "b"], featurizer: { dimension: 9 } }); // 10 rows
  policy.weights.set([1, 2], 2 * 2);
  policy.weights.set([3, -0], 5 * 2);
  policy.weights.set([0, 4], 9 * 2);
  const good = serializeCheckpoint(policy);
  const { body } = parseFile(good);
  const withPolicy = (extra: Record<string, unknown>): Body => ({
    ...body,
    policy: { ...body.policy, ...extra },
  });
  const values = [1, 2, 3, -0, 0, 4];
  const invalid = (file: Uint8Array, message: RegExp) => {
    const error = errorOf(file);
    expect(error.code).toBe("CHECKPOINT_INVALID");
    expect(error.message).toMatch(message);
  };

  it("the independent writer reproduces the serialised bytes", () => {
    expect(Buffer.from(buildFile(body, sparsePayload([2, 5, 9], values))).equals(Buffer.from(good))).toBe(
      true,
    );
  });

  it("rejects a bad row count", () => {
    invalid(
      buildFile(withPolicy({ storedRows: 11 }), sparsePayload([...Array(11).keys()], Array(22).fill(1))),
      /policy.storedRows 11 is not an integer in \[0, rows = 10\]/,
    );
    const tooMany = sparsePayload([2, 5, 9], values);
    new DataView(tooMany.buffer).setUint32(0, 11, true);
    invalid(buildFile(body, tooMany), /stored row count 11 exceeds rows 10/);
    invalid(
      buildFile(withPolicy({ storedRows: 2 }), sparsePayload([2, 5, 9], values)),
      /stored row count 3 does not match the header's policy.storedRows 2/,
    );
    invalid(buildFile(withPolicy({ storedRows: 1.5 }), sparsePayload([2, 5, 9], values)), /storedRows 1.5/);
    invalid(
      buildFile(withPolicy({ storage: undefined }), sparsePayload([2, 5, 9], values)),
      /unsupported policy.storage undefined/,
    );
  });

  it("rejects unsorted or repeated row indices", () => {
    invalid(
      buildFile(body, sparsePayload([2, 9, 5], values)),
      /row index 5 at position 2 is not greater than the previous 9/,
    );
    invalid(
      buildFile(body, sparsePayload([2, 2, 9], values)),
      /row index 2 at position 1 is not greater than the previous 2/,
    );
  });

  it("rejects a row index out of range", () => {
    invalid(
      buildFile(body, sparsePayload([2, 5, 10], values)),
      /row index 10 at position 2 is out of range \(rows = 10\)/,
    );
    invalid(buildFile(body, sparsePayload([2, 5, 2 ** 32 - 1], values)), /row index 4294967295/);
  });

  it("rejects a truncated or overlong payload", () => {
    const payload = sparsePayload([2, 5, 9], values);
    invalid(
      buildFile(body, payload.subarray(0, payload.length - 8)),
      /expected 64 payload bytes for 3 stored rows × 2 actions, found 56/,
    );
    invalid(buildFile(body, new Uint8Array([...payload, 0, 0, 0, 0, 0, 0, 0, 0])), /found 72/);
    invalid(buildFile(body, payload.subarray(0, 2)), /sparse payload has 2 bytes/);
    invalid(good.subarray(0, good.length - 1), /expected 64 payload bytes/);
  });

  it("rejects non-zero padding and non-finite weights", () => {
    const twoRows = withPolicy({ storedRows: 2 });
    const padded = sparsePayload([2, 5], [1, 2, 3, 4]);
    padded[13] = 1;
    invalid(buildFile(twoRows, padded), /padding after the row indices is not zero/);
    invalid(
      buildFile(body, sparsePayload([2, 5, 9], [1, 2, 3, Number.POSITIVE_INFINITY, 0, 4])),
      /weight of row 5, action 1 \(stored row 1\) is not finite/,
    );
    invalid(buildFile(body, sparsePayload([2, 5, 9], [1, 2, 3, 4, Number.NaN, 4])), /row 9, action 0/);
  });

  it("says what is wrong with the checkpoint, never which function read it", () => {
    const twice = errorOf(buildFile(withPolicy({ actions: ["a", "a"] }), sparsePayload([2, 5, 9], values)));
    expect(twice.message).toBe('not a valid checkpoint: policy.actions: action "a" is listed twice');
    const none = errorOf(buildFile(withPolicy({ actions: [] }), sparsePayload([2, 5, 9], values)));
    expect(none.message).toBe(
      "not a valid checkpoint: policy.actions: expected a non-empty array of action names, got []",
    );
    const spec = errorOf(
      buildFile(
        withPolicy({ featurizer: { ...(body.policy.featurizer as object), dimension: 0 } }),
        sparsePayload([2], [1, 2]),
      ),
    );
    expect(spec.message).toBe(
      "not a valid checkpoint: policy.featurizer/dimension: expected an integer in [1, 67108864], got 0",
    );
    for (const message of [twice.message, none.message, spec.message, errorOf(new Uint8Array(4)).message])
      expect(message).not.toMatch(
        /loadCheckpoint|normalizeActions|resolveFeaturizerSpec|serializeCheckpoint/,
      );
  });

  it("reports tampering of indices or values as a digest mismatch", () => {
    const indexFlip = good.slice();
    const payloadStart = good.length - 64;
    indexFlip[payloadStart + 8] = 6; // second row index 5 → 6
    expect(errorOf(indexFlip).code).toBe("CHECKPOINT_DIGEST_MISMATCH");
    const valueFlip = good.slice();
    valueFlip[payloadStart + 16 + 3]! ^= 0x40;
    expect(errorOf(valueFlip).code).toBe("CHECKPOINT_DIGEST_MISMATCH");
  });
});
