/**
 * `@rlvr/env-fingerprint`: RFC 8785 canonical JSON, the fingerprint of every input that can change
 * the result of a training job, the manifest that records it, a diff of two jobs' inputs by JSON
 * pointer, and verification of a manifest that does not trust what it reads.
 *
 * @packageDocumentation
 */
export type { CanonicalizeOptions } from "./canonical-json.js";
export { canonicalize, DEFAULT_MAX_DEPTH } from "./canonical-json.js";
export type { FingerprintDiff } from "./diff.js";
export { diffFingerprintInputs } from "./diff.js";
export type {
  DatasetFacts,
  DatasetOptions,
  TrainingEnvironment,
  TrainingEnvironmentOptions,
} from "./environment.js";
export { createTrainingEnvironment } from "./environment.js";
export type { CanonicalJsonErrorCode, FingerprintErrorCode, FingerprintErrorOptions } from "./errors.js";
export { CanonicalJsonError, FingerprintError } from "./errors.js";
export type { FingerprintField, FingerprintInputs } from "./fingerprint.js";
export {
  FINGERPRINT_FIELDS,
  FINGERPRINT_VERSION,
  fingerprint,
  fingerprintInputs,
  RECORDED_ONLY_FIELDS,
} from "./fingerprint.js";
export type { GitState } from "./git.js";
export { detectGitState } from "./git.js";
export type { JsonObject, JsonValue } from "./json.js";
export type { Manifest, ManifestRecord, RecordedOptions } from "./manifest.js";
export { buildManifest, MANIFEST_VERSION } from "./manifest.js";
export type { RuntimeInfo } from "./runtime.js";
export { detectRuntime } from "./runtime.js";
export { sha256 } from "./sha256.js";
export type { ManifestVerification } from "./verify-manifest.js";
export { verifyManifest } from "./verify-manifest.js";
export { VERSION } from "./version.js";
