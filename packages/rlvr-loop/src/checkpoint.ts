import { createHash } from "node:crypto";
import type { TrainConfig } from "./config.js";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer, type FeaturizerSpec, resolveFeaturizerSpec } from "./featurizer.js";
import { type LinearSoftmaxPolicy, linearPolicyFromParts } from "./policy.js";
import { normalizeActions } from "./training-data.js";
import { VERSION } from "./version.js";

/** First 8 bytes of every checkpoint. */
export const CHECKPOINT_MAGIC = "RLVRCKPT";

/** Version of the checkpoint layout written by {@link serializeCheckpoint}. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** JSON-compatible value stored in a checkpoint's `metrics` or `metadata`. */
export type CheckpointJson =
  | string
  | number
  | boolean
  | null
  | CheckpointJson[]
  | { [key: string]: CheckpointJson };

/**
 * Header of a checkpoint (the JSON part). `digest` is `sha256:<hex>` of the canonical JSON of the
 * header without `digest` (keys sorted by UTF-16 code units, no whitespace) followed by the weight bytes.
 */
export interface CheckpointHeader {
  /** Always `rlvr-checkpoint`. */
  readonly format: "rlvr-checkpoint";
  /** Layout version, {@link CHECKPOINT_FORMAT_VERSION}. */
  readonly formatVersion: number;
  /** Package and version that wrote it. */
  readonly createdBy: { readonly package: string; readonly version: string };
  /** The policy: kind, sorted actions, featurizer spec, weight layout. */
  readonly policy: {
    readonly kind: "linear-softmax";
    readonly actions: readonly string[];
    readonly featurizer: FeaturizerSpec;
    readonly rows: number;
    readonly dtype: "float64";
    readonly byteOrder: "little-endian";
    readonly layout: "row-major [feature row][action]";
    readonly weightCount: number;
  };
  /** Training configuration, when given. */
  readonly config: TrainConfig | null;
  /** Final metrics, when given. */
  readonly metrics: { readonly [key: string]: CheckpointJson } | null;
  /** Free-form metadata, when given. */
  readonly metadata: { readonly [key: string]: CheckpointJson } | null;
  /** Content digest, `sha256:<hex>`. */
  readonly digest: string;
}

/** Options of {@link serializeCheckpoint}. */
export interface SerializeCheckpointOptions {
  /**
   * Training configuration to record.
   * @defaultValue null
   */
  readonly config?: TrainConfig | null;
  /**
   * Metrics to record (JSON values; non-finite numbers are rejected).
   * @defaultValue null
   */
  readonly metrics?: { readonly [key: string]: CheckpointJson } | null;
  /**
   * Free-form metadata (JSON values).
   * @defaultValue null
   */
  readonly metadata?: { readonly [key: string]: CheckpointJson } | null;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint {
  /** The policy, identical to the one serialised. */
  readonly policy: LinearSoftmaxPolicy;
  /** The header. */
  readonly header: CheckpointHeader;
}

/** Canonical JSON (RFC 8785 style for the values used here): sorted keys, no whitespace. */
function canonical(value: unknown, path: string): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new RlvrLoopError(
        "INVALID_ARGUMENT",
        `serializeCheckpoint: ${path || "/"} is not a finite number`,
      );
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}/${i}`)).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], `${path}/${k}`)}`).join(",")}}`;
  }
  throw new RlvrLoopError(
    "INVALID_ARGUMENT",
    `serializeCheckpoint: ${path || "/"} is not JSON (${typeof value})`,
  );
}

function weightBytes(weights: Float64Array): Uint8Array {
  const bytes = new Uint8Array(weights.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < weights.length; i++) view.setFloat64(i * 8, weights[i]!, true);
  return bytes;
}

function digestOf(headerWithoutDigest: string, weights: Uint8Array): string {
  const h = createHash("sha256");
  h.update(headerWithoutDigest, "utf8");
  h.update(weights);
  return `sha256:${h.digest("hex")}`;
}

/**
 * Serialise a policy to checkpoint bytes: the 8-byte magic `RLVRCKPT`, the header length (uint32
 * little-endian), the canonical JSON header (padded with spaces to a multiple of 8 bytes), then the
 * weights as float64 little-endian. The same policy and options always give the same bytes.
 * @param policy - the policy to save
 * @param options - configuration, metrics, metadata to record
 */
export function serializeCheckpoint(
  policy: LinearSoftmaxPolicy,
  options: SerializeCheckpointOptions = {},
): Uint8Array {
  const weights = weightBytes(policy.weights);
  const body = {
    format: "rlvr-checkpoint" as const,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdBy: { package: "@rlvr/rlvr-loop", version: VERSION },
    policy: {
      kind: "linear-softmax" as const,
      actions: [...policy.actions],
      featurizer: policy.featurizer.spec,
      rows: policy.featurizer.rows,
      dtype: "float64" as const,
      byteOrder: "little-endian" as const,
      layout: "row-major [feature row][action]" as const,
      weightCount: policy.weights.length,
    },
    config: options.config ?? null,
    metrics: options.metrics ?? null,
    metadata: options.metadata ?? null,
  };
  const digest = digestOf(canonical(body, ""), weights);
  const header = new TextEncoder().encode(canonical({ ...body, digest }, ""));
  const padded = Math.ceil((12 + header.length) / 8) * 8 - 12;
  const out = new Uint8Array(12 + padded + weights.length);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, padded, true);
  out.set(header, 12);
  out.fill(0x20, 12 + header.length, 12 + padded);
  out.set(weights, 12 + padded);
  return out;
}

/**
 * Load checkpoint bytes back into an identical policy. Throws `CHECKPOINT_INVALID` for bytes that are
 * not a checkpoint (magic, lengths, header, non-finite weights) and `CHECKPOINT_DIGEST_MISMATCH` when
 * the content does not match its digest.
 * @param bytes - the output of {@link serializeCheckpoint}
 */
export function loadCheckpoint(bytes: Uint8Array): LoadedCheckpoint {
  const invalid = (message: string, cause?: unknown): never => {
    throw new RlvrLoopError(
      "CHECKPOINT_INVALID",
      `loadCheckpoint: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  };
  if (!(bytes instanceof Uint8Array)) invalid("expected a Uint8Array");
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC) {
    invalid(`missing the ${CHECKPOINT_MAGIC} magic bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length)
    invalid(`header length ${headerLength} exceeds the file size ${bytes.length}`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)),
    );
  } catch (err) {
    return invalid("header is not valid UTF-8 JSON", err);
  }
  if (typeof header !== "object" || header === null || header.format !== "rlvr-checkpoint")
    invalid("header is not an rlvr checkpoint header");
  if (header.formatVersion !== CHECKPOINT_FORMAT_VERSION)
    invalid(`unsupported formatVersion ${String(header.formatVersion)}`);
  const p = header.policy;
  if (
    typeof p !== "object" ||
    p === null ||
    p.kind !== "linear-softmax" ||
    p.dtype !== "float64" ||
    p.byteOrder !== "little-endian"
  ) {
    invalid("unsupported policy kind or weight encoding");
  }
  let actions: string[];
  let spec: FeaturizerSpec;
  try {
    actions = normalizeActions(p.actions, "loadCheckpoint");
    spec = resolveFeaturizerSpec(p.featurizer);
  } catch (err) {
    return invalid(`bad policy description: ${(err as Error).message}`, err);
  }
  const count = spec.dimension * actions.length + actions.length;
  if (p.weightCount !== count || p.rows !== spec.dimension + 1)
    invalid(`weightCount ${p.weightCount} does not match rows × actions = ${count}`);
  const weightStart = 12 + headerLength;
  if (bytes.length !== weightStart + count * 8) {
    invalid(`expected ${count * 8} weight bytes, found ${bytes.length - weightStart}`);
  }
  const weightRegion = bytes.subarray(weightStart);
  const { digest, ...body } = header;
  if (typeof digest !== "string" || digestOf(canonical(body, ""), weightRegion) !== digest) {
    throw new RlvrLoopError(
      "CHECKPOINT_DIGEST_MISMATCH",
      "loadCheckpoint: the content digest does not match the checkpoint's content",
    );
  }
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const w = view.getFloat64(weightStart + i * 8, true);
    if (!Number.isFinite(w)) invalid(`weight ${i} is not finite`);
    weights[i] = w;
  }
  return { policy: linearPolicyFromParts(actions, createFeaturizer(spec), weights), header };
}
