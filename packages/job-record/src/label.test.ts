import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelFromFileStem, sanitizeLabel } from "./index.js";

describe("sanitizeLabel (the label rule)", () => {
  it("keeps plain labels as they are", () => {
    for (const label of ["demo", "small", "nightly_v2.1", "job", "-x", "x-", "a..b", "A-Z_0.9"]) {
      expect(sanitizeLabel(label)).toBe(label);
    }
  });

  it("gives different labels different stems (a/b vs a:b; ., .. and -)", () => {
    const labels = ["a/b", "a:b", "a-b", ".", "..", "-", "job", "../../x", "x", "a b", "%2F", "é", "e\u0301"];
    const stems = labels.map(sanitizeLabel);
    expect(new Set(stems).size).toBe(labels.length);
    expect(sanitizeLabel("a/b")).toBe("a%2Fb");
    expect(sanitizeLabel("a:b")).toBe("a%3Ab");
    expect(sanitizeLabel("..")).toBe("%2E.");
    expect(sanitizeLabel("../../x")).toBe("%2E.%2F..%2Fx");
    expect(sanitizeLabel("-")).toBe("-");
  });

  it("is undone by labelFromFileStem, and no stem is a path or hidden (property)", () => {
    const label = fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(label, (l) => {
        const stem = sanitizeLabel(l);
        expect(labelFromFileStem(stem)).toBe(l);
        expect(stem).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
