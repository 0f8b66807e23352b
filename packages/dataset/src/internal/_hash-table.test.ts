import { describe, expect, it } from "vitest";
import { GroupTable, HashSet64 } from "./_hash-table.js";
import { hash64, hashHi, hashLo } from "./_hash64.js";

describe("hash64", () => {
  it("is deterministic, never (0, 0), and has no collision on 200 000 similar strings", () => {
    hash64("abc");
    const first = [hashHi, hashLo];
    hash64("abc");
    expect([hashHi, hashLo]).toEqual(first);
    const seen = new Set<number>();
    let zero = 0;
    for (let i = 0; i < 200_000; i++) {
      hash64(`example-${i}`);
      if (hashHi === 0 && hashLo === 0) zero++;
      seen.add(hashHi * 2 ** 32 + hashLo);
    }
    expect(zero).toBe(0);
    expect(seen.size).toBe(200_000);
  });

  it("separates strings that differ in length, order or one code unit", () => {
    const keys = ["", "a", "aa", "ab", "ba", "a\u0000", "\u0000a", "é", "😀", "a".repeat(1001)];
    const hashes = keys.map((k) => {
      hash64(k);
      return `${hashHi}:${hashLo}`;
    });
    expect(new Set(hashes).size).toBe(keys.length);
  });
});

describe("HashSet64", () => {
  it("reports repeats, across growth", () => {
    const set = new HashSet64();
    let added = 0;
    for (let i = 0; i < 50_000; i++) {
      hash64(`id-${i}`);
      if (set.addCurrent()) added++;
    }
    let repeats = 0;
    for (let i = 0; i < 50_000; i += 997) {
      hash64(`id-${i}`);
      if (!set.addCurrent()) repeats++;
    }
    expect(added).toBe(50_000);
    expect(repeats).toBe(Math.ceil(50_000 / 997));
    expect(set.size).toBe(50_000);
  });
});

describe("HashSet64.reserve", () => {
  it("sizes the table ahead and keeps what it holds", () => {
    const set = new HashSet64();
    for (let i = 0; i < 100; i++) {
      hash64(`k${i}`);
      set.addCurrent();
    }
    set.reserve(30_000);
    let fresh = 0;
    for (let i = 0; i < 30_000; i++) {
      hash64(`k${i}`);
      if (set.addCurrent()) fresh++;
    }
    expect(fresh).toBe(29_900);
    expect(set.size).toBe(30_000);
  });
});

describe("GroupTable", () => {
  it("counts sizes and tracks whether rewards are all equal", () => {
    const t = new GroupTable();
    const add = (g: string, r: number) => {
      hash64(g);
      return t.addCurrent(r);
    };
    expect(add("a", 1)).toBe(1);
    expect(add("a", 1)).toBe(2);
    add("b", 0);
    add("b", 0.5);
    add("c", 0);
    const seen: [number, boolean][] = [];
    t.forEach((size, equal) => {
      seen.push([size, equal]);
    });
    expect(seen.sort()).toEqual([
      [1, true],
      [2, false],
      [2, true],
    ]);
    expect(t.size).toBe(3);
  });
});
