import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baseOptions } from "./__fixtures__/environments.js";
import { canonicalize } from "./canonical-json.js";
import { createTrainingEnvironment } from "./environment.js";
import { buildManifest } from "./manifest.js";
import { sha256 } from "./sha256.js";
import { verifyManifest } from "./verify-manifest.js";

const env = createTrainingEnvironment(baseOptions());
const manifest = buildManifest(env, { host: "gpu-17", user: "alice", createdAt: "2025-06-01T08:30:00.000Z" });
const good = manifest.fingerprint;

/** A mutable JSON copy of the manifest, as read from a file. */
// biome-ignore lint/suspicious/noExplicitAny: test data edited in place
type Json = Record<string, any>;
const copy = (): Json => JSON.parse(JSON.stringify(manifest));

describe("verifyManifest", () => {
  it("accepts an untouched manifest", () => {
    expect(verifyManifest(copy())).toStrictEqual({ ok: true, expected: good, actual: good, problems: [] });
    expect(verifyManifest(manifest).ok).toBe(true);
  });

  it("accepts edits of recorded facts that are not inputs", () => {
    const edited = copy();
    edited.recorded.host = "elsewhere";
    edited.recorded.createdAt = "2030-01-01T00:00:00Z";
    edited.environment.git = null;
    edited.environment.dataset.stats = { examples: 1 };
    expect(verifyManifest(edited).ok).toBe(true);
  });

  it("detects a tampered fingerprint and reports the recomputed one", () => {
    const tampered = copy();
    tampered.fingerprint = sha256("something else");
    const check = verifyManifest(tampered);
    expect(check.ok).toBe(false);
    expect(check.expected).toBe(tampered.fingerprint);
    expect(check.actual).toBe(good);
    expect(check.problems).toEqual([
      `/fingerprint: fingerprint mismatch: the manifest says ${tampered.fingerprint} but its inputs hash to ${good} (the fingerprint or the inputs were edited)`,
    ]);
  });

  it("detects tampered inputs, naming the pointer", () => {
    const tampered = copy();
    tampered.inputs.rlvrConfig.learningRate = 0.5;
    const check = verifyManifest(tampered);
    expect(check.ok).toBe(false);
    expect(check.actual).not.toBe(good);
    expect(check.problems).toHaveLength(2);
    expect(check.problems[0]).toMatch(/^\/fingerprint: fingerprint mismatch/);
    expect(check.problems[1]).toBe(
      "/inputs/rlvrConfig/learningRate: is 0.5, but the environment gives 0.05 (the inputs or the environment were edited)",
    );
  });

  it("detects tampered inputs even when the fingerprint was recomputed to match", () => {
    const tampered = copy();
    tampered.inputs.seed = 8;
    tampered.fingerprint = sha256(canonicalize(tampered.inputs));
    const check = verifyManifest(tampered);
    expect(check.ok).toBe(false);
    expect(check.expected).toBe(check.actual);
    expect(check.problems).toEqual([
      "/inputs/seed: is 8, but the environment gives 7 (the inputs or the environment were edited)",
    ]);
  });

  it("detects a tampered environment field that enters the fingerprint", () => {
    const tampered = copy();
    tampered.environment.packages["@rlvr/rlvr-loop"] = "9.9.9";
    delete tampered.environment.rlvrConfig.epochs;
    expect(verifyManifest(tampered).problems).toEqual([
      '/inputs/packages/@rlvr~1rlvr-loop: is "0.1.0", but the environment gives "9.9.9" (the inputs or the environment were edited)',
      "/inputs/rlvrConfig/epochs: is 3, but the environment has no such input (the inputs or the environment were edited)",
    ]);
  });

  it("cannot detect a consistent forgery of every section (a manifest is not a signature)", () => {
    const forged = copy();
    forged.inputs.seed = 8;
    forged.environment.seed = 8;
    forged.fingerprint = sha256(canonicalize(forged.inputs));
    expect(verifyManifest(forged).ok).toBe(true);
  });

  it("reports recorded facts that contradict the environment", () => {
    const edited = copy();
    edited.recorded.datasetPaths = ["moved.jsonl"];
    edited.recorded.label = null;
    expect(verifyManifest(edited).problems).toEqual([
      '/recorded/datasetPaths: ["moved.jsonl"] disagrees with /environment/dataset/paths ["data/traces.jsonl"]',
      '/recorded/label: null disagrees with /environment/label "nightly"',
    ]);
  });

  it.each<[string, (m: Json) => unknown, string]>([
    ["null", () => null, "(root): expected a manifest (a plain object), got null"],
    ["an array", () => [], "(root): expected a manifest (a plain object), got an array"],
    ["a missing section", (m) => ({ ...m, inputs: undefined }), "/inputs: missing required field"],
    ["an unknown section", (m) => ({ ...m, signature: "x" }), "/signature: unknown field"],
    [
      "another manifest version",
      (m) => ({ ...m, manifestVersion: 2 }),
      "/manifestVersion: unsupported manifest version 2",
    ],
    [
      "a malformed fingerprint",
      (m) => ({ ...m, fingerprint: "md5:abc" }),
      '/fingerprint: expected a fingerprint "sha256:<64 lowercase hex digits>"',
    ],
    [
      "another fingerprint version",
      (m) => ({ ...m, inputs: { ...m.inputs, fingerprintVersion: 2 } }),
      "/inputs/fingerprintVersion: unsupported fingerprint version 2",
    ],
    [
      "an unknown input",
      (m) => ({ ...m, inputs: { ...m.inputs, gpu: "A100" } }),
      "/inputs/gpu: unknown field",
    ],
    [
      "a missing input",
      (m) => ({ ...m, inputs: { ...m.inputs, seed: undefined } }),
      "/inputs/seed: missing required field",
    ],
    [
      "inputs that are not JSON",
      (m) => ({ ...m, inputs: { ...m.inputs, seed: Number.NaN } }),
      "/inputs/seed: cannot be hashed: NaN is not a JSON number",
    ],
    [
      "a malformed digest",
      (m) => ({ ...m, inputs: { ...m.inputs, dataset: { digest: "abc" } } }),
      "/inputs/dataset/digest: expected a content digest",
    ],
    [
      "a config that is an array",
      (m) => ({ ...m, inputs: { ...m.inputs, rlvrConfig: [] } }),
      "/inputs/rlvrConfig: expected a JSON object, got an array",
    ],
    [
      "an environment without runtime",
      (m) => ({ ...m, environment: { ...m.environment, runtime: undefined } }),
      "/environment/runtime: missing required field",
    ],
    [
      "a malformed git state",
      (m) => ({ ...m, environment: { ...m.environment, git: { commit: "HEAD", dirty: false } } }),
      "/environment/git/commit: expected a full commit id",
    ],
    [
      "an impossible date",
      (m) => ({ ...m, recorded: { ...m.recorded, createdAt: "2025-13-01T00:00:00Z" } }),
      '/recorded/createdAt: expected a real date-time, got "2025-13-01T00:00:00Z"',
    ],
    [
      "recorded facts that are not an object",
      (m) => ({ ...m, recorded: "x" }),
      "/recorded: expected recorded facts (a plain object), got string",
    ],
  ])("reports %s", (_what, edit, expected) => {
    const check = verifyManifest(edit(copy()));
    expect(check.ok).toBe(false);
    expect(
      check.problems.some((p) => p.startsWith(expected)),
      check.problems.join("\n"),
    ).toBe(true);
  });

  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          const check = verifyManifest(value);
          expect(check.ok).toBe(false);
          expect(check.problems.length).toBeGreaterThan(0);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("detects any change of any input leaf", () => {
    const leaves: string[][] = [];
    const collect = (value: unknown, path: string[]) => {
      if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) collect(v, [...path, k]);
      } else leaves.push(path);
    };
    collect(copy().inputs, []);
    fc.assert(
      fc.property(fc.nat({ max: leaves.length - 1 }), fc.boolean(), (index, recompute) => {
        const tampered = copy();
        const path = leaves[index]!;
        let holder = tampered.inputs;
        for (const token of path.slice(0, -1)) holder = holder[token];
        const last = path[path.length - 1]!;
        const old = holder[last];
        holder[last] = typeof old === "string" ? `${old}0` : typeof old === "number" ? old + 1 : !old;
        if (recompute) tampered.fingerprint = sha256(canonicalize(tampered.inputs));
        expect(verifyManifest(tampered).ok).toBe(false);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
