// docs/fingerprint.md is part of the contract: its example must verify and its tables must list
// exactly the fields the code uses.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffFingerprintInputs } from "./diff.js";
import { createTrainingEnvironment } from "./environment.js";
import { FINGERPRINT_FIELDS, fingerprint, RECORDED_ONLY_FIELDS } from "./fingerprint.js";
import type { Manifest } from "./manifest.js";
import { verifyManifest } from "./verify-manifest.js";

const text = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "fingerprint.md"), "utf8");
const jsonBlocks = [...text.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1] ?? "null"));

describe("docs/fingerprint.md", () => {
  const example = jsonBlocks.find(
    (b) => typeof b === "object" && b !== null && "manifestVersion" in b,
  ) as Manifest;

  it("has a complete example manifest that verifies", () => {
    expect(example).toBeDefined();
    expect(verifyManifest(example)).toStrictEqual({
      ok: true,
      expected: example.fingerprint,
      actual: example.fingerprint,
      problems: [],
    });
    expect(fingerprint(createTrainingEnvironment(example.environment))).toBe(example.fingerprint);
    expect(text).toContain(`"${example.fingerprint.slice(0, 15)}…"`);
  });

  it("shows the diff the code produces for the changes it describes", () => {
    const other = createTrainingEnvironment({
      ...example.environment,
      seed: 8,
      rlvrConfig: { ...example.environment.rlvrConfig, learningRate: 0.1 },
      packages: { ...example.environment.packages, "@rlvr/rlvr-loop": "0.2.0" },
    });
    const shown = jsonBlocks.find((b) => Array.isArray(b));
    expect(shown).toEqual(diffFingerprintInputs(example.environment, other));
  });

  it("lists every entering and every recorded-only field", () => {
    for (const field of [...FINGERPRINT_FIELDS, ...RECORDED_ONLY_FIELDS]) {
      expect(text, field.pointer).toContain(`| \`${field.pointer}\``);
    }
  });
});
