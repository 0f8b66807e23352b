// What the readers of one file share: the load's state across files, the acceptor of valid examples,
// the issue sink and the warnings of the file.
import { canonicalizeExample } from "../canonical.js";
import { DIGEST_PREFIX } from "../digest.js";
import type { DatasetFormat } from "../formats.js";
import { IssueCode } from "../issues.js";
import type { ResolvedReadOptions } from "../options.js";
import type { RlvrExample } from "../schema.js";
import { createStatsAccumulator, type StatsAccumulator } from "../stats.js";
import type { DatasetWarning, WarningCode } from "../warnings.js";
import type { ConvertState } from "./_adapters.js";
import type { Location } from "./_ajv.js";
import type { HashSet64 } from "./_hash-table.js";
import { hash64 } from "./_hash64.js";
import { createLineHasher, type LineHasher } from "./_line-hasher.js";
import type { IssueSink } from "./_sink.js";

/** State of one load or validation call, across its files. */
export interface Shared {
  /** Example ids seen, as 64-bit hashes. */
  ids: HashSet64;
  state: ConvertState;
  /** Where valid examples go when the caller keeps them (`loadDataset`). */
  collect: RlvrExample[] | undefined;
  /** Digest and statistics over all files of a multi-file call. */
  combined: { hasher: LineHasher | undefined; stats: StatsAccumulator } | undefined;
}

/** Adds accepted examples to duplicate detection, statistics, digest and the optional collection. */
export class Acceptor {
  readonly stats: StatsAccumulator = createStatsAccumulator();
  readonly digest: LineHasher | undefined;
  count = 0;
  constructor(
    private readonly shared: Shared,
    private readonly sink: IssueSink,
    digest: boolean,
  ) {
    this.digest = digest ? createLineHasher(DIGEST_PREFIX, "the file's digest") : undefined;
  }

  accept(example: RlvrExample, at: Location): void {
    hash64(example.id);
    if (!this.shared.ids.addCurrent()) {
      this.sink.report(
        IssueCode.DUPLICATE_ID,
        at.file,
        at.line,
        `${at.base}/id`,
        "duplicate example id",
        example.id,
        "an id not used by an earlier example of this file or of an earlier file of the same load",
      );
      return;
    }
    this.stats.add(example);
    const combined = this.shared.combined;
    if (this.digest !== undefined) {
      // Canonicalised once, hashed into the file's digest and the combined one.
      const line = canonicalizeExample(example);
      this.digest.addLine(line);
      combined?.hasher?.addLine(line);
    }
    combined?.stats.add(example);
    this.shared.collect?.push(example);
    this.count++;
  }
}

/** Everything the readers of one file need. */
export interface FileContext {
  /** The file, as given. */
  readonly path: string;
  readonly options: ResolvedReadOptions;
  readonly shared: Shared;
  readonly acceptor: Acceptor;
  readonly sink: IssueSink;
  /** Warnings of this file, in the order found. */
  readonly warnings: DatasetWarning[];
}

/** Adds a warning about the file. */
export function warn(ctx: FileContext, code: WarningCode, message: string): void {
  ctx.warnings.push({ code, message, file: ctx.path });
}

/**
 * The propensity pointer applies to the adapter formats only: a file detected as `rlvr` or `jsonl`
 * gets one issue and is not read further. True when the file may be read.
 */
export function propensityApplies(ctx: FileContext, format: DatasetFormat): boolean {
  const p = ctx.options.propensity;
  if (p === undefined || (format !== "rlvr" && format !== "jsonl")) return true;
  ctx.sink.report(
    IssueCode.OPTION_NOT_APPLICABLE,
    ctx.path,
    undefined,
    "",
    `the propensity pointer ${p.pointer} applies to learning-trace, legacy-rlvr and completions files only; this file is ${format}, whose examples carry behaviorProb themselves`,
    undefined,
    "a learning-trace, legacy-rlvr or completions file, or no propensity pointer",
  );
  return false;
}
