import { describe, expect, it } from "vitest";
import { baseOptions, fingerprintErrorOf, OTHER_DIGEST } from "./__fixtures__/environments.js";
import { canonicalize } from "./canonical-json.js";
import { createTrainingEnvironment, type TrainingEnvironmentOptions } from "./environment.js";
import * as fingerprintModule from "./fingerprint.js";

const { FINGERPRINT_FIELDS, FINGERPRINT_VERSION, fingerprint, fingerprintInputs, RECORDED_ONLY_FIELDS } =
  fingerprintModule;

import { buildManifest } from "./manifest.js";
import { sha256 } from "./sha256.js";

const base = baseOptions();
const env = createTrainingEnvironment(base);
const fp = fingerprint(env);
const with_ = (overrides: Partial<TrainingEnvironmentOptions>) =>
  fingerprint(createTrainingEnvironment({ ...base, ...overrides }));

function resolve(value: unknown, pointer: string): unknown {
  let current = value;
  for (const token of pointer.split("/").slice(1)) {
    const name = token.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, name)) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

describe("fingerprintInputs", () => {
  it("is exactly the entering fields, nothing recorded-only", () => {
    expect(fingerprintInputs(env)).toStrictEqual({
      fingerprintVersion: FINGERPRINT_VERSION,
      seed: 7,
      dataset: { digest: base.dataset.digest },
      rlvrConfig: env.rlvrConfig,
      searchSpace: env.searchSpace,
      tunerSettings: env.tunerSettings,
      extraInputs: {},
      packages: env.packages,
      runtime: { node: "v20.20.2", platform: "linux", arch: "x64" },
    });
    expect(Object.isFrozen(fingerprintInputs(env))).toBe(true);
  });

  it("rejects options that did not go through createTrainingEnvironment", () => {
    const error = fingerprintErrorOf(() => fingerprintInputs(base as never));
    expect(error.code).toBe("FINGERPRINT_INVALID_ENVIRONMENT");
    expect(error.message).toMatch(
      /^the environment whose inputs are asked for is not a complete training environment/,
    );
    expect(error.details).toContain("/extraInputs: missing required field");
  });
});

describe("fingerprint", () => {
  it("is sha256 of the canonical JSON of the inputs", () => {
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fp).toBe(sha256(canonicalize(fingerprintInputs(env))));
  });

  it("is pinned: the encoding of the inputs and the resulting fingerprint never change silently", () => {
    // Changing either value is a breaking change: bump FINGERPRINT_VERSION and say so in the changelog.
    expect(canonicalize(fingerprintInputs(env))).toBe(
      '{"dataset":{"digest":"sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"},' +
        '"extraInputs":{},"fingerprintVersion":1,' +
        '"packages":{"@rlvr/dataset":"0.1.0","@rlvr/env-fingerprint":"0.1.0","@rlvr/rlvr-loop":"0.1.0"},' +
        '"rlvrConfig":{"baseline":"group","clip":{"high":0.28,"low":0.2},"epochs":3,"learningRate":0.05},' +
        '"runtime":{"arch":"x64","node":"v20.20.2","platform":"linux"},' +
        '"searchSpace":{"learningRate":{"high":0.3,"log":true,"low":0.001,"type":"float"}},' +
        '"seed":7,"tunerSettings":{"sampler":"tpe","trials":20}}',
    );
    // Cross-checked with `printf %s <the text above> | sha256sum`.
    expect(fp).toBe("sha256:ca49b5a31bf257ddad3dde6b4817a17d3343cb45e14358a21c17bac47d546dd1");
  });

  it("is the same for the same inputs, whatever the member order or JSON round trip", () => {
    const reordered = createTrainingEnvironment({
      label: "nightly",
      git: base.git ?? null,
      runtime: { arch: "x64", platform: "linux", node: "v20.20.2" },
      packages: { "@rlvr/rlvr-loop": "0.1.0", "@rlvr/env-fingerprint": "0.1.0", "@rlvr/dataset": "0.1.0" },
      tunerSettings: { trials: 20, sampler: "tpe" },
      searchSpace: { learningRate: { log: true, high: 0.3, low: 0.001, type: "float" } },
      rlvrConfig: { clip: { high: 0.28, low: 0.2 }, baseline: "group", epochs: 3, learningRate: 0.05 },
      dataset: { paths: ["data/traces.jsonl"], digest: base.dataset.digest },
      seed: 7,
    });
    expect(fingerprint(reordered)).toBe(fp);
    expect(fingerprint(createTrainingEnvironment(base))).toBe(fp);
    expect(fingerprint(JSON.parse(JSON.stringify(env)))).toBe(fp);
  });

  it.each<[string, Partial<TrainingEnvironmentOptions>]>([
    ["the dataset moved", { dataset: { ...base.dataset, paths: ["/elsewhere/renamed.json"] } }],
    ["the dataset was read as JSON instead of JSONL", { dataset: { ...base.dataset, format: "rlvr" } }],
    ["the statistics differ", { dataset: { ...base.dataset, stats: { examples: 1 } } }],
    ["no recorded-only dataset facts", { dataset: { digest: base.dataset.digest } }],
    ["another git commit, dirty", { git: { commit: "f".repeat(40), dirty: true } }],
    ["no git", { git: null }],
    ["another label", { label: "renamed" }],
    ["an empty config written out instead of omitted", { extraInputs: {} }],
    ["an undefined config member", { tunerSettings: { sampler: "tpe", trials: 20, pruner: undefined } }],
  ])("does not change when %s", (_what, overrides) => {
    expect(with_(overrides)).toBe(fp);
  });

  it("does not change with the facts buildManifest records", () => {
    const manifest = buildManifest(env, {
      outputDir: "/srv/out",
      host: "gpu-17",
      user: "alice",
      createdAt: "2031-12-31T23:59:59.999Z",
    });
    const other = buildManifest(
      createTrainingEnvironment({ ...base, label: null, dataset: { ...base.dataset, paths: [] } }),
      {
        datasetPaths: ["mnt/copy.jsonl"],
        outputDir: "out",
        host: "laptop",
        user: "bob",
        createdAt: "2020-01-01T00:00:00Z",
        label: "x",
      },
    );
    expect(manifest.fingerprint).toBe(fp);
    expect(other.fingerprint).toBe(fp);
  });

  it.each<[string, Partial<TrainingEnvironmentOptions>]>([
    ["the seed", { seed: 8 }],
    ['the seed\'s type (7 vs "7")', { seed: "7" }],
    ["the dataset digest", { dataset: { ...base.dataset, digest: OTHER_DIGEST } }],
    ["one config value", { rlvrConfig: { ...base.rlvrConfig, learningRate: 0.051 } }],
    ["a nested config value", { rlvrConfig: { ...base.rlvrConfig, clip: { low: 0.2, high: 0.3 } } }],
    ["an added config member", { rlvrConfig: { ...base.rlvrConfig, entropy: 0 } }],
    [
      "the search space",
      { searchSpace: { learningRate: { type: "float", low: 0.001, high: 0.3, log: false } } },
    ],
    ["the tuner settings", { tunerSettings: { sampler: "tpe", trials: 21 } }],
    ["an extra input", { extraInputs: { split: [0.8, 0.1, 0.1] } }],
    ["a package version", { packages: { ...base.packages, "@rlvr/rlvr-loop": "0.1.1" } }],
    ["an added package", { packages: { ...base.packages, "pure-rand": "8.4.2" } }],
    ["the Node.js version", { runtime: { node: "v22.1.0", platform: "linux", arch: "x64" } }],
    ["the platform", { runtime: { node: "v20.20.2", platform: "darwin", arch: "x64" } }],
    ["the architecture", { runtime: { node: "v20.20.2", platform: "linux", arch: "arm64" } }],
  ])("changes when %s changes", (_what, overrides) => {
    expect(with_(overrides)).not.toBe(fp);
  });
});

describe("FINGERPRINT_FIELDS and RECORDED_ONLY_FIELDS", () => {
  const inputs = fingerprintInputs(env);
  const manifest = buildManifest(env, {
    host: "h",
    user: "u",
    outputDir: "o",
    createdAt: "2025-01-01T00:00:00Z",
  });

  it("describe every input, and only inputs", () => {
    for (const field of FINGERPRINT_FIELDS)
      expect(resolve(inputs, field.pointer), field.pointer).not.toBeUndefined();
    const topLevel = new Set(FINGERPRINT_FIELDS.map((f) => f.pointer.split("/")[1]));
    expect([...topLevel].sort()).toEqual(Object.keys(inputs).sort());
    const leaves = FINGERPRINT_FIELDS.map((f) => f.pointer);
    expect(leaves).toContain("/dataset/digest");
    expect(Object.keys(inputs.dataset)).toEqual(["digest"]);
    expect(
      Object.keys(inputs.runtime)
        .map((k) => `/runtime/${k}`)
        .every((p) => leaves.includes(p)),
    ).toBe(true);
  });

  it("list recorded-only fields that exist in a manifest and are absent from the inputs", () => {
    for (const field of RECORDED_ONLY_FIELDS) {
      expect(resolve(manifest, field.pointer), field.pointer).not.toBeUndefined();
      const inInputs = field.pointer.replace(/^\/(environment|recorded)/, "");
      expect(resolve(inputs, inInputs), field.pointer).toBeUndefined();
    }
  });

  it("give a reason for every field", () => {
    for (const field of [...FINGERPRINT_FIELDS, ...RECORDED_ONLY_FIELDS]) {
      expect(field.reason.length).toBeGreaterThan(10);
      expect(Object.isFrozen(field)).toBe(true);
    }
  });
});
