import { describe, expect, it } from "vitest";
import { baseOptions, COMMIT, DIGEST, RUNTIME } from "./__fixtures__/environments.js";
import { createTrainingEnvironment, type TrainingEnvironmentOptions } from "./environment.js";
import { CanonicalJsonError, FingerprintError } from "./errors.js";
import { detectRuntime } from "./runtime.js";

function problemsOf(options: unknown): readonly string[] {
  try {
    createTrainingEnvironment(options as TrainingEnvironmentOptions);
  } catch (error) {
    if (!FingerprintError.is(error)) throw error;
    expect(error.code).toBe("FINGERPRINT_INVALID_OPTIONS");
    return error.details;
  }
  throw new Error("expected createTrainingEnvironment to throw");
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe("createTrainingEnvironment", () => {
  it("fills every default and detects the runtime when none is given", () => {
    const env = createTrainingEnvironment({ seed: 1, dataset: { digest: DIGEST } });
    expect(env).toStrictEqual({
      seed: 1,
      dataset: { digest: DIGEST, stats: null, format: null, paths: [] },
      rlvrConfig: {},
      searchSpace: {},
      tunerSettings: {},
      extraInputs: {},
      packages: {},
      runtime: detectRuntime(),
      git: null,
      label: null,
    });
  });

  it("keeps every given value, in a fixed field order", () => {
    const env = createTrainingEnvironment(baseOptions());
    expect(Object.keys(env)).toEqual([
      "seed",
      "dataset",
      "rlvrConfig",
      "searchSpace",
      "tunerSettings",
      "extraInputs",
      "packages",
      "runtime",
      "git",
      "label",
    ]);
    expect(env.runtime).toStrictEqual(RUNTIME);
    expect(env.git).toStrictEqual({ commit: COMMIT, dirty: false });
    expect(env.label).toBe("nightly");
    expect(env.dataset.paths).toEqual(["data/traces.jsonl"]);
    expect(env.dataset.stats).toStrictEqual(baseOptions().dataset.stats);
  });

  it("stores configurations in canonical form: sorted members, no undefined, no -0, toJSON applied", () => {
    const env = createTrainingEnvironment({
      seed: -0,
      dataset: { digest: DIGEST },
      rlvrConfig: { z: 1, a: { y: -0, x: undefined }, when: new Date(Date.UTC(2025, 0, 1)) },
      packages: { "@rlvr/tuner": "1.0.0", "@rlvr/dataset": "2.0.0" },
    });
    expect(Object.is(env.seed, 0)).toBe(true);
    expect(Object.keys(env.rlvrConfig)).toEqual(["a", "when", "z"]);
    expect(env.rlvrConfig).toStrictEqual({ a: { y: 0 }, when: "2025-01-01T00:00:00.000Z", z: 1 });
    expect(Object.keys(env.packages)).toEqual(["@rlvr/dataset", "@rlvr/tuner"]);
  });

  it("returns a deep-frozen copy that later changes to the options cannot reach", () => {
    const options = baseOptions() as unknown as {
      rlvrConfig: { epochs: number };
      dataset: { paths: string[] };
    };
    const env = createTrainingEnvironment(options as unknown as TrainingEnvironmentOptions);
    options.rlvrConfig.epochs = 99;
    options.dataset.paths.push("other.jsonl");
    expect(env.rlvrConfig["epochs"]).toBe(3);
    expect(env.dataset.paths).toEqual(["data/traces.jsonl"]);
    expect(isDeepFrozen(env)).toBe(true);
    expect(() => {
      (env as { seed: number }).seed = 8;
    }).toThrow(TypeError);
  });

  it("accepts an environment as options and returns an equal one (also after JSON)", () => {
    const env = createTrainingEnvironment(baseOptions());
    expect(createTrainingEnvironment(env)).toStrictEqual(env);
    expect(createTrainingEnvironment(JSON.parse(JSON.stringify(env)))).toStrictEqual(env);
  });

  it("accepts string seeds and treats explicit null like absent for recorded-only facts", () => {
    const env = createTrainingEnvironment({
      seed: "experiment-7",
      dataset: { digest: DIGEST, stats: null, format: null },
      git: null,
      label: null,
      rlvrConfig: undefined,
    });
    expect(env.seed).toBe("experiment-7");
    expect(env.rlvrConfig).toStrictEqual({});
  });

  it("reports every problem at once, each with its JSON pointer", () => {
    const problems = problemsOf({
      seed: 1.5,
      dataset: { digest: "SHA256:ABC", paths: ["ok", ""], extra: 1 },
      rlvrConfig: [1],
      searchSpace: { a: [0, Number.NaN] },
      packages: { "Not A Name": "1.0.0", "@rlvr/ok": "1 0" },
      runtime: { node: "v20", platform: "linux" },
      git: { commit: "abc", dirty: "no" },
      label: "",
      runtim: {},
    });
    expect(problems).toEqual([
      "/runtim: unknown field (expected one of: seed, dataset, rlvrConfig, searchSpace, tunerSettings, extraInputs, packages, runtime, git, label)",
      "/seed: expected a safe integer or a non-empty string, got number 1.5",
      "/dataset/extra: unknown field (expected one of: digest, stats, format, paths)",
      '/dataset/digest: expected a content digest "<algorithm>:<lowercase hex>" such as "sha256:<64 hex digits>", got "SHA256:ABC"',
      '/dataset/paths/1: expected a non-empty string, got string ""',
      "/rlvrConfig: expected a JSON object, got an array",
      "/searchSpace/a/1: NaN is not a JSON number (RFC 8785 §3.2.2.3)",
      '/packages/@rlvr~1ok: expected a version string without spaces, got "1 0"',
      '/packages/Not A Name: expected an npm package name, got "Not A Name"',
      "/runtime/arch: missing required field",
      '/git/commit: expected a full commit id (40 or 64 lowercase hex digits), got "abc"',
      '/git/dirty: expected a boolean, got string "no"',
      '/label: expected a non-empty string or null, got string ""',
    ]);
  });

  it("says what is invalid (no function name) and lists the problems in the message, with the canonical-JSON error as cause", () => {
    try {
      createTrainingEnvironment({
        seed: 1,
        dataset: { digest: DIGEST },
        rlvrConfig: { lr: Number.POSITIVE_INFINITY },
      });
      expect.unreachable();
    } catch (error) {
      expect(FingerprintError.is(error)).toBe(true);
      const e = error as FingerprintError;
      expect(e.message).toBe(
        "invalid training-environment options (1 problem):\n  /rlvrConfig/lr: Infinity is not a JSON number (RFC 8785 §3.2.2.3)",
      );
      expect(CanonicalJsonError.is(e.cause)).toBe(true);
    }
  });

  it.each([
    ["null options", null, "(root): expected training-environment options (a plain object), got null"],
    ["a missing seed", { dataset: { digest: DIGEST } }, "/seed: missing required field"],
    ["a missing dataset", { seed: 1 }, "/dataset: missing required field"],
    ["a missing digest", { seed: 1, dataset: {} }, "/dataset/digest: missing required field"],
    [
      "an unsafe integer seed",
      { seed: 2 ** 53, dataset: { digest: DIGEST } },
      "/seed: expected a safe integer",
    ],
    ["a boolean seed", { seed: true, dataset: { digest: DIGEST } }, "/seed: expected a safe integer"],
    [
      "a lone surrogate in the label",
      { seed: 1, dataset: { digest: DIGEST }, label: "a\ud800" },
      "/label: string has a lone surrogate",
    ],
    [
      "stats that are not an object",
      { seed: 1, dataset: { digest: DIGEST, stats: 3 } },
      "/dataset/stats: expected a JSON object",
    ],
    [
      "a class instance as config",
      { seed: 1, dataset: { digest: DIGEST }, tunerSettings: new Map() },
      "/tunerSettings: expected a JSON object, got a non-plain object",
    ],
    [
      "a runtime with an extra field",
      { seed: 1, dataset: { digest: DIGEST }, runtime: { ...RUNTIME, v8: "11" } },
      "/runtime/v8: unknown field",
    ],
  ])("rejects %s", (_what, options, expected) => {
    expect(problemsOf(options).some((line) => line.startsWith(expected))).toBe(true);
  });
});
