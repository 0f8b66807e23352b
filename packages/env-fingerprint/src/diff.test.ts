import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baseOptions, OTHER_DIGEST } from "./__fixtures__/environments.js";
import { diffFingerprintInputs } from "./diff.js";
import { createTrainingEnvironment, type TrainingEnvironmentOptions } from "./environment.js";
import { FingerprintError } from "./errors.js";
import { fingerprint } from "./fingerprint.js";
import type { JsonObject } from "./json.js";
import { buildManifest, type Manifest } from "./manifest.js";

const base = baseOptions();
const env = createTrainingEnvironment(base);
const make = (overrides: Partial<TrainingEnvironmentOptions>) =>
  createTrainingEnvironment({ ...base, ...overrides });

describe("diffFingerprintInputs", () => {
  it("is empty for equal inputs, even when recorded-only facts differ", () => {
    expect(diffFingerprintInputs(env, env)).toEqual([]);
    const moved = make({
      dataset: { digest: base.dataset.digest, paths: ["x.json"] },
      git: null,
      label: "other",
    });
    expect(diffFingerprintInputs(env, moved)).toEqual([]);
    expect(
      diffFingerprintInputs(buildManifest(env, { host: "a" }), buildManifest(moved, { host: "b" })),
    ).toEqual([]);
  });

  it("names each changed leaf by JSON pointer, with both values", () => {
    const other = make({
      seed: 8,
      dataset: { digest: OTHER_DIGEST },
      rlvrConfig: { ...base.rlvrConfig, learningRate: 0.1, clip: { low: 0.2, high: 0.3 } },
      runtime: { node: "v22.0.0", platform: "linux", arch: "x64" },
    });
    expect(diffFingerprintInputs(env, other)).toEqual([
      { pointer: "/dataset/digest", kind: "changed", a: base.dataset.digest, b: OTHER_DIGEST },
      { pointer: "/rlvrConfig/clip/high", kind: "changed", a: 0.28, b: 0.3 },
      { pointer: "/rlvrConfig/learningRate", kind: "changed", a: 0.05, b: 0.1 },
      { pointer: "/runtime/node", kind: "changed", a: "v20.20.2", b: "v22.0.0" },
      { pointer: "/seed", kind: "changed", a: 7, b: 8 },
    ]);
  });

  it("reports added and removed members, escaping pointer tokens", () => {
    const other = make({
      packages: { "@rlvr/dataset": "0.1.0", "@rlvr/env-fingerprint": "0.1.0", "pure-rand": "8.4.2" },
      extraInputs: { "a/b": 1, "m~n": { deep: true } },
    });
    expect(diffFingerprintInputs(env, other)).toEqual([
      { pointer: "/extraInputs/a~1b", kind: "added", b: 1 },
      { pointer: "/extraInputs/m~0n", kind: "added", b: { deep: true } },
      { pointer: "/packages/@rlvr~1rlvr-loop", kind: "removed", a: "0.1.0" },
      { pointer: "/packages/pure-rand", kind: "added", b: "8.4.2" },
    ]);
  });

  it("compares arrays element-wise, in index order (2 before 10)", () => {
    const list = (n: number, changed: number[]) =>
      Array.from({ length: n }, (_, i) => (changed.includes(i) ? -i : i));
    const a = make({ extraInputs: { xs: list(11, []) } });
    const b = make({ extraInputs: { xs: [...list(12, [2, 10])] } });
    expect(diffFingerprintInputs(a, b)).toEqual([
      { pointer: "/extraInputs/xs/2", kind: "changed", a: 2, b: -2 },
      { pointer: "/extraInputs/xs/10", kind: "changed", a: 10, b: -10 },
      { pointer: "/extraInputs/xs/11", kind: "added", b: 11 },
    ]);
    expect(diffFingerprintInputs(b, a).map((d) => [d.pointer, d.kind])).toEqual([
      ["/extraInputs/xs/2", "changed"],
      ["/extraInputs/xs/10", "changed"],
      ["/extraInputs/xs/11", "removed"],
    ]);
  });

  it("orders members by UTF-16 code units, also across both sides and for index-like names", () => {
    const a = make({ extraInputs: { z: 1, "10": 1, "2": 1 } });
    const b = make({ extraInputs: { a: 1, z: 2, "10": 2, "2": 2 } });
    expect(diffFingerprintInputs(a, b).map((d) => d.pointer)).toEqual([
      "/extraInputs/10",
      "/extraInputs/2",
      "/extraInputs/a",
      "/extraInputs/z",
    ]);
  });

  it("reports a change of kind as one change of the whole value", () => {
    const a = make({ extraInputs: { v: { x: 1 }, w: [], s: "1" } });
    const b = make({ extraInputs: { v: [1], w: {}, s: 1 } });
    expect(diffFingerprintInputs(a, b)).toEqual([
      { pointer: "/extraInputs/s", kind: "changed", a: "1", b: 1 },
      { pointer: "/extraInputs/v", kind: "changed", a: { x: 1 }, b: [1] },
      { pointer: "/extraInputs/w", kind: "changed", a: [], b: {} },
    ]);
  });

  it("compares an environment with a manifest, and manifests read back from JSON", () => {
    const other = make({ seed: 9 });
    const manifest = JSON.parse(JSON.stringify(buildManifest(other))) as Manifest;
    expect(diffFingerprintInputs(env, manifest)).toEqual([{ pointer: "/seed", kind: "changed", a: 7, b: 9 }]);
    expect(diffFingerprintInputs(manifest, env)).toEqual([{ pointer: "/seed", kind: "changed", a: 9, b: 7 }]);
  });

  it("rejects arguments that are neither", () => {
    const code = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        expect(FingerprintError.is(error)).toBe(true);
        return (error as FingerprintError).code;
      }
      return "no error";
    };
    expect(code(() => diffFingerprintInputs(env, { manifestVersion: 1 } as never))).toBe(
      "FINGERPRINT_INVALID_ARGUMENT",
    );
    expect(
      code(() => diffFingerprintInputs(env, { manifestVersion: 1, inputs: { x: Number.NaN } } as never)),
    ).toBe("FINGERPRINT_INVALID_ARGUMENT");
    expect(code(() => diffFingerprintInputs(base as never, env))).toBe("FINGERPRINT_INVALID_ENVIRONMENT");
  });

  it("finds exactly the one changed leaf of a random configuration, and is empty only for equal fingerprints", () => {
    const config = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 5 }),
      fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }),
      { minKeys: 1, maxKeys: 5 },
    );
    const leavesOf = (value: unknown, pointer: string, out: string[][]): string[][] => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) leavesOf(v, `${pointer}/${i}`, out);
      } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value))
          leavesOf(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
      } else out.push([pointer]);
      return out;
    };
    const mutate = (v: unknown): unknown =>
      v === null
        ? 0
        : typeof v === "boolean"
          ? !v
          : typeof v === "number"
            ? v === 0
              ? 1
              : -v
            : `${String(v)}!`;
    fc.assert(
      fc.property(config, fc.nat(), (raw, pick) => {
        const a = make({ rlvrConfig: raw });
        const leaves = leavesOf(a.rlvrConfig, "/rlvrConfig", []);
        fc.pre(leaves.length > 0);
        const [pointer] = leaves[pick % leaves.length]!;
        const copy = JSON.parse(JSON.stringify(a.rlvrConfig)) as Record<string, unknown>;
        const tokens = pointer!
          .split("/")
          .slice(2)
          .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
        let holder: Record<string, unknown> = copy;
        for (const t of tokens.slice(0, -1)) holder = holder[t] as Record<string, unknown>;
        const last = tokens[tokens.length - 1]!;
        holder[last] = mutate(holder[last]);
        const b = make({ rlvrConfig: copy as JsonObject });
        const differences = diffFingerprintInputs(a, b);
        expect(differences.map((d) => [d.pointer, d.kind])).toEqual([[pointer, "changed"]]);
        expect(fingerprint(b)).not.toBe(fingerprint(a));
        expect(diffFingerprintInputs(a, make({ rlvrConfig: JSON.parse(JSON.stringify(raw)) }))).toEqual([]);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
