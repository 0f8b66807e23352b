import { createHash } from "node:crypto";
import type { TrainConfig } from "./config-schema.js";
import { RlvrLoopError } from "./errors.js";
import { createFeaturizer } from "./featurizer.js";
import { type FeaturizerSpec, resolveFeaturizerSpec } from "./featurizer-spec.js";
import { type LinearSoftmaxPolicy, linearPolicyFromParts } from "./policy.js";
import { normalizeActions } from "./training-data.js";
import { VERSION } from "./version.js";

/** First 8 bytes of every checkpoint. */
export const CHECKPOINT_MAGIC = "RLVRCKPT";

/**
 * Version of the checkpoint layout written by {@link serializeCheckpoint}: 2 (sparse rows).
 * {@link loadCheckpoint} reads versions 1 (dense weights) and 2.
 */
export const CHECKPOINT_FORMAT_VERSION = 2;

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
 * header without `digest` (keys sorted by UTF-16 code units, no whitespace) followed by the payload
 * bytes (everything after the padded header), in both format versions.
 *
 * The payload depends on `formatVersion`:
 * - 1 (dense, read only): `rows × actions` float64 little-endian weights, row-major;
 * - 2 (sparse rows, written by {@link serializeCheckpoint}; `policy.storage` is `"sparse-rows"`): a
 *   uint32 little-endian count k (= `policy.storedRows`), k uint32 little-endian row indices in
 *   strictly increasing order, zero bytes up to the next multiple of 8 bytes from the payload start,
 *   then `k × actions` float64 little-endian weights, row-major. A row is stored unless every weight
 *   in it is `+0` (a row holding a `-0` is stored, so `-0` round-trips bit for bit); the rows not
 *   stored are `+0`.
 */
export interface CheckpointHeader {
  /** Always `rlvr-checkpoint`. */
  readonly format: "rlvr-checkpoint";
  /** Layout version: 1 (dense) or 2 (sparse rows, {@link CHECKPOINT_FORMAT_VERSION}). */
  readonly formatVersion: number;
  /** Package and version that wrote it. */
  readonly createdBy: { readonly package: string; readonly version: string };
  /** The policy: kind, sorted actions, featurizer spec, weight layout. */
  readonly policy: {
    readonly kind: "linear-softmax";
    readonly actions: readonly string[];
    readonly featurizer: FeaturizerSpec;
    /** Feature rows of the policy, `featurizer.dimension + 1` (stored or not). */
    readonly rows: number;
    readonly dtype: "float64";
    readonly byteOrder: "little-endian";
    readonly layout: "row-major [feature row][action]";
    /** Weights of the policy, `rows × actions` (stored or not). */
    readonly weightCount: number;
    /** How the weights are stored: `"sparse-rows"` from format version 2; absent in version 1 (dense). */
    readonly storage?: "sparse-rows";
    /** Number of rows stored in the payload (format version 2 only). */
    readonly storedRows?: number;
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
        `checkpoint header: ${path || "/"} is ${String(value)}; expected a finite number (JSON has no NaN or Infinity)`,
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
    `checkpoint header: ${path || "/"} is a ${typeof value}; expected a JSON value (string, number, boolean, null, array or object)`,
  );
}

/** Whether a row holds any weight other than `+0` (a `-0` counts as stored, to round-trip its sign). */
function rowIsStored(weights: Float64Array, start: number, actions: number): boolean {
  for (let j = start; j < start + actions; j++) {
    const w = weights[j]!;
    if (w !== 0 || Object.is(w, -0)) return true;
  }
  return false;
}

/** Bytes from the payload start to the first weight of a sparse-rows payload with `count` rows. */
function sparseValuesOffset(count: number): number {
  return Math.ceil((4 + 4 * count) / 8) * 8;
}

/** The format-version-2 payload (see {@link CheckpointHeader}) and its stored row count. */
function sparseRowsPayload(
  weights: Float64Array,
  rows: number,
  actions: number,
): { payload: Uint8Array; storedRows: number } {
  const stored = new Uint32Array(rows);
  let count = 0;
  for (let r = 0; r < rows; r++) if (rowIsStored(weights, r * actions, actions)) stored[count++] = r;
  const valuesAt = sparseValuesOffset(count);
  const payload = new Uint8Array(valuesAt + count * actions * 8);
  const view = new DataView(payload.buffer);
  view.setUint32(0, count, true);
  let at = valuesAt;
  for (let i = 0; i < count; i++) {
    const r = stored[i]!;
    view.setUint32(4 + 4 * i, r, true);
    for (let j = r * actions; j < (r + 1) * actions; j++, at += 8) view.setFloat64(at, weights[j]!, true);
  }
  return { payload, storedRows: count };
}

function digestOf(headerWithoutDigest: string, payload: Uint8Array): string {
  const h = createHash("sha256");
  h.update(headerWithoutDigest, "utf8");
  h.update(payload);
  return `sha256:${h.digest("hex")}`;
}

/**
 * Serialise a policy to checkpoint bytes (format version {@link CHECKPOINT_FORMAT_VERSION}): the
 * 8-byte magic `RLVRCKPT`, the header length (uint32 little-endian), the canonical JSON header
 * (padded with spaces to a multiple of 8 bytes), then the sparse-rows payload described at
 * {@link CheckpointHeader}: only the feature rows holding a weight other than `+0` are stored, so a
 * checkpoint takes `12 + header + 8·⌈(4 + 4k)/8⌉ + 8·k·actions` bytes for k stored rows. The same
 * policy and options always give the same bytes.
 * @param policy - the policy to save
 * @param options - configuration, metrics, metadata to record
 */
export function serializeCheckpoint(
  policy: LinearSoftmaxPolicy,
  options: SerializeCheckpointOptions = {},
): Uint8Array {
  const rows = policy.featurizer.rows;
  const { payload, storedRows } = sparseRowsPayload(policy.weights, rows, policy.actions.length);
  const body = {
    format: "rlvr-checkpoint" as const,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdBy: { package: "@rlvr/rlvr-loop", version: VERSION },
    policy: {
      kind: "linear-softmax" as const,
      actions: [...policy.actions],
      featurizer: policy.featurizer.spec,
      rows,
      dtype: "float64" as const,
      byteOrder: "little-endian" as const,
      layout: "row-major [feature row][action]" as const,
      weightCount: policy.weights.length,
      storage: "sparse-rows" as const,
      storedRows,
    },
    config: options.config ?? null,
    metrics: options.metrics ?? null,
    metadata: options.metadata ?? null,
  };
  const digest = digestOf(canonical(body, ""), payload);
  const header = new TextEncoder().encode(canonical({ ...body, digest }, ""));
  const padded = Math.ceil((12 + header.length) / 8) * 8 - 12;
  const out = new Uint8Array(12 + padded + payload.length);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, padded, true);
  out.set(header, 12);
  out.fill(0x20, 12 + header.length, 12 + padded);
  out.set(payload, 12 + padded);
  return out;
}

/**
 * Load checkpoint bytes (format version 1 or 2) back into an identical policy: same actions, same
 * featurizer, same weights bit for bit. Throws `CHECKPOINT_INVALID` for bytes that are not a
 * checkpoint (magic, lengths, header, a malformed sparse payload: row count, row order or range,
 * padding, non-finite weights), with a message naming what is wrong, and
 * `CHECKPOINT_DIGEST_MISMATCH` when the content does not match its digest.
 * @param bytes - the output of {@link serializeCheckpoint}
 */
export function loadCheckpoint(bytes: Uint8Array): LoadedCheckpoint {
  const invalid = (message: string, cause?: unknown): never => {
    throw new RlvrLoopError(
      "CHECKPOINT_INVALID",
      `not a valid checkpoint: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  };
  if (!(bytes instanceof Uint8Array))
    invalid(`expected the checkpoint's bytes (a Uint8Array), got ${typeof bytes}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC) {
    invalid(`the file does not start with the ${CHECKPOINT_MAGIC} magic bytes`);
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
    invalid('the header is not an rlvr checkpoint header (expected format "rlvr-checkpoint")');
  const version = header.formatVersion;
  if (version !== 1 && version !== 2)
    invalid(`unsupported formatVersion ${String(version)} (this version reads 1 and 2)`);
  const p = header.policy;
  if (
    typeof p !== "object" ||
    p === null ||
    p.kind !== "linear-softmax" ||
    p.dtype !== "float64" ||
    p.byteOrder !== "little-endian"
  ) {
    invalid(
      `unsupported policy kind or weight encoding (expected kind "linear-softmax", dtype "float64", byteOrder "little-endian")`,
    );
  }
  let actions: string[];
  let spec: FeaturizerSpec;
  try {
    actions = normalizeActions(p.actions, "policy.actions");
  } catch (err) {
    return invalid((err as Error).message, err);
  }
  try {
    spec = resolveFeaturizerSpec(p.featurizer);
  } catch (err) {
    const detail = RlvrLoopError.is(err) ? err.details[0] : undefined;
    return invalid(detail === undefined ? (err as Error).message : `policy.featurizer${detail}`, err);
  }
  const A = actions.length;
  const rows = spec.dimension + 1;
  const count = rows * A;
  if (p.weightCount !== count || p.rows !== rows)
    invalid(
      `policy.weightCount ${p.weightCount} and policy.rows ${p.rows} do not match the featurizer and actions (expected rows ${rows} and rows × actions = ${count})`,
    );
  const payloadStart = 12 + headerLength;
  const payload = bytes.subarray(payloadStart);
  let storedRows = 0;
  if (version === 1) {
    if (p.storage !== undefined || p.storedRows !== undefined)
      invalid("a formatVersion 1 header must not have policy.storage or policy.storedRows");
    if (payload.length !== count * 8) invalid(`expected ${count * 8} weight bytes, found ${payload.length}`);
  } else {
    if (p.storage !== "sparse-rows")
      invalid(`unsupported policy.storage ${JSON.stringify(p.storage)} (expected "sparse-rows")`);
    storedRows = p.storedRows as number;
    if (!Number.isInteger(storedRows) || storedRows < 0 || storedRows > rows)
      invalid(`policy.storedRows ${String(p.storedRows)} is not an integer in [0, rows = ${rows}]`);
    if (payload.length < 4)
      invalid(`the sparse payload has ${payload.length} bytes, too short for its row count`);
    const k = view.getUint32(payloadStart, true);
    if (k > rows) invalid(`stored row count ${k} exceeds rows ${rows}`);
    if (k !== storedRows)
      invalid(`stored row count ${k} does not match the header's policy.storedRows ${storedRows}`);
    const expected = sparseValuesOffset(k) + k * A * 8;
    if (payload.length !== expected)
      invalid(
        `expected ${expected} payload bytes for ${k} stored rows × ${A} actions, found ${payload.length}`,
      );
  }
  const { digest, ...body } = header;
  let canonicalBody: string;
  try {
    canonicalBody = canonical(body, "");
  } catch (err) {
    // JSON.parse turns an out-of-range number such as 1e999 into Infinity, which has no canonical form.
    const reason = (err as Error).message.replace(/^checkpoint header: /, "");
    return invalid(`header is not canonical JSON: ${reason}`, err);
  }
  if (typeof digest !== "string" || digestOf(canonicalBody, payload) !== digest) {
    throw new RlvrLoopError(
      "CHECKPOINT_DIGEST_MISMATCH",
      "the checkpoint's content does not match its digest: the file was changed or damaged after it was written",
    );
  }
  const weights = new Float64Array(count);
  if (version === 1) {
    for (let i = 0; i < count; i++) {
      const w = view.getFloat64(payloadStart + i * 8, true);
      if (!Number.isFinite(w)) invalid(`weight ${i} is not finite`);
      weights[i] = w;
    }
  } else {
    const valuesAt = payloadStart + sparseValuesOffset(storedRows);
    for (let at = payloadStart + 4 + 4 * storedRows; at < valuesAt; at++) {
      if (bytes[at] !== 0) invalid("the padding after the row indices is not zero");
    }
    let previous = -1;
    for (let i = 0; i < storedRows; i++) {
      const r = view.getUint32(payloadStart + 4 + 4 * i, true);
      if (r <= previous)
        invalid(`row index ${r} at position ${i} is not greater than the previous ${previous}`);
      if (r >= rows) invalid(`row index ${r} at position ${i} is out of range (rows = ${rows})`);
      previous = r;
      for (let a = 0; a < A; a++) {
        const w = view.getFloat64(valuesAt + (i * A + a) * 8, true);
        if (!Number.isFinite(w)) invalid(`weight of row ${r}, action ${a} (stored row ${i}) is not finite`);
        weights[r * A + a] = w;
      }
    }
  }
  return { policy: linearPolicyFromParts(actions, createFeaturizer(spec), weights), header };
}
