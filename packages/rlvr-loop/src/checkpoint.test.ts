import { describe, expect, it } from "vitest";
import { CHECKPOINT_MAGIC, loadCheckpoint, serializeCheckpoint } from "./checkpoint.js";
import { resolveTrainConfig } from "./config.js";
import { RlvrLoopError } from "./errors.js";
import { createPolicy } from "./policy.js";

function trainedLikePolicy() {
  const policy = createPolicy({
    actions: ["lookup", "calc", "search"],
    featurizer: { dimension: 64, crosses: [["a", "b"]] },
  });
  for (let i = 0; i < policy.weights.length; i++)
    policy.weights[i] = Math.sin(i * 1.7) * 3 + (i % 7 === 0 ? 1e-300 : 0);
  return policy;
}

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
    expect(header).toMatchObject({
      format: "rlvr-checkpoint",
      formatVersion: 1,
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
    const code = (b: Uint8Array) => {
      try {
        loadCheckpoint(b);
      } catch (err) {
        return RlvrLoopError.is(err) ? err.code : "other";
      }
      return "none";
    };
    expect(code(bytes.subarray(0, bytes.length - 8))).toBe("CHECKPOINT_INVALID");
    expect(code(new Uint8Array(4))).toBe("CHECKPOINT_INVALID");
    const magic = bytes.slice();
    magic[0] = 0x41;
    expect(code(magic)).toBe("CHECKPOINT_INVALID");
    const length = bytes.slice();
    new DataView(length.buffer).setUint32(8, 1 << 30, true);
    expect(code(length)).toBe("CHECKPOINT_INVALID");
    expect(() => serializeCheckpoint(trainedLikePolicy(), { metrics: { bad: Number.NaN } })).toThrow(
      /\/metrics\/bad is not a finite number/,
    );
  });
});
