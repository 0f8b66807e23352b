import { canonicalizeExample } from "./canonical.js";
import { createLineHasher } from "./internal/_line-hasher.js";
import type { RlvrExample } from "./schema.js";

/**
 * First line hashed by every dataset digest: names the digest definition, so that a future change of
 * the canonical form can never produce the same digest for different data.
 */
export const DIGEST_PREFIX = "rlvr-dataset-digest/1\n";

/** Streaming content digest of a sequence of examples, from {@link createDigest}. */
export interface DatasetDigest {
  /** Add the next example (order matters). Throws `DatasetError` `INVALID_EXAMPLE` for non-JSON values. */
  add(example: RlvrExample): void;
  /** Examples added so far. */
  readonly count: number;
  /** Canonical bytes hashed so far, prefix included. */
  readonly bytes: number;
  /** Finish and return `sha256:<64 hex digits>`. The digest object cannot be used afterwards. */
  digest(): string;
}

/**
 * Create a streaming dataset digest. The digest is SHA-256 over the UTF-8 bytes of
 * {@link DIGEST_PREFIX} followed by, for each example in order, its {@link canonicalizeExample} text
 * and a newline `\n`. Dataset-level fields (id, label, createdAt, metadata) and file names do not
 * enter; key order, whitespace and JSON vs JSONL encoding do not matter; any changed value does.
 */
export function createDigest(): DatasetDigest {
  const hasher = createLineHasher(DIGEST_PREFIX, "the digest");
  return {
    add(example: RlvrExample): void {
      hasher.check();
      hasher.addLine(canonicalizeExample(example));
    },
    get count() {
      return hasher.lines;
    },
    get bytes() {
      return hasher.bytes;
    },
    digest: () => hasher.finish(),
  };
}

/**
 * Content digest (`sha256:<hex>`) of examples, in order; see {@link createDigest} for the definition.
 *
 * @param examples - the examples
 */
export function digestExamples(examples: Iterable<RlvrExample>): string {
  const d = createDigest();
  for (const example of examples) d.add(example);
  return d.digest();
}
