import { describe, expect, it } from "vitest";
import { baseOptions } from "./__fixtures__/environments.js";
import { createTrainingEnvironment } from "./environment.js";
import { FingerprintError } from "./errors.js";
import { fingerprint, fingerprintInputs } from "./fingerprint.js";
import { buildManifest, MANIFEST_VERSION, type RecordedOptions } from "./manifest.js";
import { verifyManifest } from "./verify-manifest.js";

const env = createTrainingEnvironment(baseOptions());

function problemsOf(recorded: unknown, environment = env): readonly string[] {
  try {
    buildManifest(environment, recorded as RecordedOptions);
  } catch (error) {
    if (!FingerprintError.is(error)) throw error;
    expect(error.code).toBe("FINGERPRINT_INVALID_OPTIONS");
    expect(error.message).toMatch(/^invalid recorded facts for the manifest \(/);
    return error.details;
  }
  throw new Error("expected buildManifest to throw");
}

describe("buildManifest", () => {
  it("holds the fingerprint, its inputs, the recorded facts and the whole environment", () => {
    const manifest = buildManifest(env);
    expect(Object.keys(manifest)).toEqual([
      "manifestVersion",
      "fingerprint",
      "inputs",
      "recorded",
      "environment",
    ]);
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(manifest.fingerprint).toBe(fingerprint(env));
    expect(manifest.inputs).toStrictEqual(fingerprintInputs(env));
    expect(manifest.environment).toStrictEqual(env);
    expect(manifest.recorded).toStrictEqual({
      datasetPaths: ["data/traces.jsonl"],
      outputDir: null,
      host: null,
      user: null,
      createdAt: null,
      label: "nightly",
    });
    expect(Object.isFrozen(manifest.recorded)).toBe(true);
    expect(Object.isFrozen(manifest.recorded.datasetPaths)).toBe(true);
  });

  it("records the facts of the run, a Date as its ISO string", () => {
    const manifest = buildManifest(env, {
      outputDir: "runs/nightly",
      host: "gpu-17",
      user: "alice",
      createdAt: new Date(Date.UTC(2025, 5, 1, 8, 30)),
    });
    expect(manifest.recorded).toStrictEqual({
      datasetPaths: ["data/traces.jsonl"],
      outputDir: "runs/nightly",
      host: "gpu-17",
      user: "alice",
      createdAt: "2025-06-01T08:30:00.000Z",
      label: "nightly",
    });
  });

  it("moves dataset paths and label given here into the manifest's environment", () => {
    const bare = createTrainingEnvironment({
      ...baseOptions(),
      label: null,
      dataset: { digest: env.dataset.digest },
    });
    const manifest = buildManifest(bare, { datasetPaths: ["a.jsonl", "b.jsonl"], label: "two files" });
    expect(manifest.recorded.datasetPaths).toEqual(["a.jsonl", "b.jsonl"]);
    expect(manifest.environment.dataset.paths).toEqual(["a.jsonl", "b.jsonl"]);
    expect(manifest.environment.label).toBe("two files");
    expect(manifest.fingerprint).toBe(fingerprint(bare));
    expect(verifyManifest(JSON.parse(JSON.stringify(manifest))).ok).toBe(true);
  });

  it("accepts the same paths and label in both places", () => {
    const manifest = buildManifest(env, { datasetPaths: ["data/traces.jsonl"], label: "nightly" });
    expect(manifest.environment).toStrictEqual(env);
  });

  it("refuses paths or a label that contradict the environment", () => {
    expect(problemsOf({ datasetPaths: ["other.jsonl"], label: "weekly" })).toEqual([
      '/datasetPaths: ["other.jsonl"] conflicts with the environment\'s dataset.paths ["data/traces.jsonl"]',
      '/label: "weekly" conflicts with the environment\'s label "nightly"',
    ]);
  });

  it("reports malformed recorded facts, each with its pointer", () => {
    expect(
      problemsOf({
        host: "",
        user: 3,
        createdAt: "yesterday",
        outputDir: ["x"],
        datasetPaths: "a.jsonl",
        hostname: "h",
      }),
    ).toEqual([
      "/hostname: unknown field (expected one of: datasetPaths, outputDir, host, user, createdAt, label)",
      '/datasetPaths: expected an array of non-empty strings, got string "a.jsonl"',
      "/outputDir: expected a non-empty string or null, got an array",
      '/host: expected a non-empty string or null, got string ""',
      "/user: expected a non-empty string or null, got number 3",
      '/createdAt: expected an ISO 8601 date-time with a time zone, such as "2025-01-31T12:00:00.000Z", got "yesterday"',
    ]);
    expect(problemsOf({ createdAt: new Date(Number.NaN) })).toEqual([
      "/createdAt: expected a valid Date, got an invalid one",
    ]);
    expect(problemsOf({ createdAt: "2025-02-30T00:00:00Z" }).length).toBe(0 + 1);
    expect(problemsOf(null)).toEqual(["(root): expected recorded facts (a plain object), got null"]);
  });

  it("rejects an environment that is not one", () => {
    try {
      buildManifest({ seed: 1 } as never);
      expect.unreachable();
    } catch (error) {
      expect((error as FingerprintError).code).toBe("FINGERPRINT_INVALID_ENVIRONMENT");
    }
  });

  it("survives a JSON round trip and verifies", () => {
    const manifest = buildManifest(env, { host: "h", createdAt: "2025-01-01T00:00:00+02:00" });
    const reread = JSON.parse(JSON.stringify(manifest, null, 2));
    expect(reread).toStrictEqual(manifest);
    expect(verifyManifest(reread)).toStrictEqual({
      ok: true,
      expected: manifest.fingerprint,
      actual: manifest.fingerprint,
      problems: [],
    });
  });
});
