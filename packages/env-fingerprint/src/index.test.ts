import { describe, expect, it } from "vitest";
import * as api from "./index.js";
import { VERSION } from "./version.js";

describe("public API", () => {
  it("exports exactly the documented values", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "CanonicalJsonError",
        "DEFAULT_MAX_DEPTH",
        "FINGERPRINT_FIELDS",
        "FINGERPRINT_VERSION",
        "FingerprintError",
        "MANIFEST_VERSION",
        "RECORDED_ONLY_FIELDS",
        "VERSION",
        "buildManifest",
        "canonicalize",
        "createTrainingEnvironment",
        "detectGitState",
        "detectRuntime",
        "diffFingerprintInputs",
        "fingerprint",
        "fingerprintInputs",
        "sha256",
        "verifyManifest",
      ].sort(),
    );
    expect(api.VERSION).toBe(VERSION);
    expect(api.FINGERPRINT_VERSION).toBe(1);
    expect(api.MANIFEST_VERSION).toBe(1);
  });
});
