// One RFC 8785 implementation is public (`canonicalize` of @rlvr/env-fingerprint); @rlvr/dataset,
// which imports nothing of ours, keeps a private serializer for the content digest and the
// completions group ids. This package imports both, so it checks that they give the same text.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalizeExample, loadDataset, type RlvrExample } from "@rlvr/dataset";
import { canonicalize } from "@rlvr/env-fingerprint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempDir } from "./__fixtures__/data.js";

// Keys that JavaScript enumerates before others (array-index-like), next to ordinary ones.
const key = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom("0", "1", "2", "9", "10", "01", "-1", "é", "\u{1f600}"),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const scalar = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const example = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 5 }),
    groupId: fc.string({ minLength: 1, maxLength: 5 }),
    context: fc.record(
      { prompt: fc.string(), features: fc.dictionary(key, scalar, { maxKeys: 4 }) },
      { requiredKeys: [] },
    ),
    action: fc.string({ minLength: 1, maxLength: 5 }),
    reward: fc.double({ min: 0, max: 1, noNaN: true }),
    verified: fc.boolean(),
    behaviorProb: fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true }),
    allowedActions: fc.array(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 3 }),
    weight: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 5, noNaN: true })),
    rewards: fc.dictionary(key, fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 3 }),
    source: fc.string({ maxLength: 4 }),
    metadata: fc.dictionary(key, json, { maxKeys: 4 }),
  },
  { requiredKeys: ["id", "groupId", "context", "action", "reward", "verified"] },
);

describe("canonical JSON of @rlvr/dataset and @rlvr/env-fingerprint", () => {
  it("gives the same text for every example (the dataset digest's canonical form)", () => {
    fc.assert(
      fc.property(example, (e) => {
        const { weight, ...rest } = e as RlvrExample;
        const normalised = weight === undefined || weight === 1 ? rest : { ...rest, weight };
        expect(canonicalizeExample(e as RlvrExample)).toBe(canonicalize(normalised));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("names a completions group by the hash of the prompt's canonical JSON", async () => {
    const prompt = [
      { role: "user", content: "2 + 2? \u00e9\u{1f600}" },
      { role: "assistant", content: "\u2028 4" },
    ];
    const file = join(tempDir(), "c.jsonl");
    writeFileSync(file, `${JSON.stringify({ prompt, completion: "4", reward: 1 })}\n`);
    const { dataset } = await loadDataset(file, { format: "completions" });
    const hash = createHash("sha256").update(canonicalize(prompt), "utf8").digest("hex").slice(0, 32);
    expect(dataset.examples[0]?.groupId).toBe(`prompt-${hash}`);
  });
});
