import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { example } from "./__fixtures__/helpers.js";
import { DatasetError } from "./errors.js";
import { assignSplit, createSplitter, SPLIT_PREFIX, splitByGroup, splitUnit } from "./split.js";

describe("splitUnit", () => {
  it("is the first 53 bits of SHA-256(prefix, seed, groupId) over 2^53", () => {
    const h = createHash("sha256").update(`${SPLIT_PREFIX}7\nreq-1`).digest();
    const bits = (BigInt(`0x${h.subarray(0, 8).toString("hex")}`) >> 11n) as bigint;
    expect(splitUnit("req-1", 7)).toBe(Number(bits) / 2 ** 53);
    expect(splitUnit("req-1", 7)).toBeGreaterThanOrEqual(0);
    expect(splitUnit("req-1", 7)).toBeLessThan(1);
    expect(splitUnit("req-1", 8)).not.toBe(splitUnit("req-1", 7));
  });
});

describe("assignSplit / splitByGroup", () => {
  it("puts every example of a group in one split and keeps the input order", () => {
    const examples = Array.from({ length: 600 }, (_, i) =>
      example({ id: String(i), groupId: `g${i % 150}` }),
    );
    const out = splitByGroup(examples, { seed: 1 });
    const where = new Map<string, string>();
    for (const name of ["train", "validation", "test"] as const) {
      for (const e of out[name]) {
        expect(where.get(e.groupId) ?? name).toBe(name);
        where.set(e.groupId, name);
      }
      const ids = out[name].map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    expect(out.train.length + out.validation.length + out.test.length).toBe(600);
  });

  it("matches the requested shares on many groups", () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 20_000; i++)
      counts[assignSplit(`group-${i}`, { seed: 42, validation: 0.1, test: 0.2 })]++;
    // binomial standard deviations are ~42 (validation) and ~57 (test): allow 5 of them
    expect(Math.abs(counts.validation - 2000)).toBeLessThan(5 * 43);
    expect(Math.abs(counts.test - 4000)).toBeLessThan(5 * 57);
  });

  it("never moves existing groups when groups are added", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 30 }),
        fc.integer({ min: -1000, max: 1000 }),
        (groups, added, seed) => {
          const before = splitByGroup(
            groups.map((g, i) => example({ id: `a${i}`, groupId: g })),
            { seed },
          );
          const after = splitByGroup(
            [...groups, ...added].map((g, i) => example({ id: `b${i}`, groupId: g })),
            { seed },
          );
          for (const name of ["train", "validation", "test"] as const) {
            const kept = new Set(after[name].map((e) => e.groupId));
            for (const e of before[name]) expect(kept.has(e.groupId)).toBe(true);
          }
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("moves groups only as the fractions say when they grow", () => {
    for (let i = 0; i < 2000; i++) {
      const g = `g${i}`;
      const base = assignSplit(g, { seed: 3, test: 0.1, validation: 0.1 });
      // more validation: only train groups move, and only into validation
      const moreValidation = assignSplit(g, { seed: 3, test: 0.1, validation: 0.3 });
      if (base !== "train") expect(moreValidation).toBe(base);
      // more test: test groups stay in test
      const moreTest = assignSplit(g, { seed: 3, test: 0.3, validation: 0.1 });
      if (base === "test") expect(moreTest).toBe("test");
    }
  });

  it("handles the extremes", () => {
    expect(assignSplit("x", { seed: 0, validation: 0, test: 0 })).toBe("train");
    expect(assignSplit("x", { seed: 0, validation: 0, test: 1 })).toBe("test");
    expect(assignSplit("x", { seed: 0, validation: 1, test: 0 })).toBe("validation");
  });

  it("caches per group in createSplitter and agrees with assignSplit", () => {
    const split = createSplitter({ seed: 9, validation: 0.25, test: 0.25 });
    for (let i = 0; i < 100; i++) {
      expect(split(`g${i}`)).toBe(assignSplit(`g${i}`, { seed: 9, validation: 0.25, test: 0.25 }));
    }
  });

  it("rejects bad options with BAD_OPTIONS naming the function", () => {
    const bad = [
      { seed: 1.5 },
      { seed: Number.NaN },
      { seed: 1, test: -0.1 },
      { seed: 1, validation: 2 },
      { seed: 1, validation: 0.6, test: 0.5 },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        splitByGroup([], options);
      } catch (e) {
        error = e;
      }
      expect(DatasetError.is(error) && error.code).toBe("BAD_OPTIONS");
      expect((error as Error).message).toMatch(/^invalid split options: /);
    }
    expect(() => splitUnit("g", 0.5)).toThrow(/safe integer/);
  });
});
