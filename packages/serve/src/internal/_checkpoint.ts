import { readFile } from "node:fs/promises";
import { type LinearSoftmaxPolicy, loadCheckpoint } from "@rlvr/rlvr-loop";
import { ServeError } from "../errors.js";

/** A checkpoint loaded for serving: the policy, its content digest and its bytes. */
export interface _ServedCheckpoint {
  readonly policy: LinearSoftmaxPolicy;
  readonly digest: string;
  readonly bytes: Uint8Array;
}

/**
 * Load checkpoint bytes; throws `CHECKPOINT_UNREADABLE` naming `where`.
 * @internal
 */
export function _checkpointFromBytes(bytes: Uint8Array, where: string): _ServedCheckpoint {
  try {
    const { policy, header } = loadCheckpoint(bytes);
    return { policy, digest: header.digest, bytes };
  } catch (error) {
    const reason = (error as Error).message.replace(/^loadCheckpoint: /, "");
    throw new ServeError("CHECKPOINT_UNREADABLE", `${where}: not a valid checkpoint: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * Read and load a checkpoint file for serving; throws `CHECKPOINT_UNREADABLE` naming the file (also
 * for an action name with U+0000: the decision log keeps actions as SQLite text, which ends there when
 * read back, so its decisions would export under another name).
 * @internal
 */
export async function _readCheckpoint(file: string): Promise<_ServedCheckpoint> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : (error as Error).message;
    throw new ServeError("CHECKPOINT_UNREADABLE", `${file}: cannot read the checkpoint: ${reason}`, {
      cause: error,
    });
  }
  const served = _checkpointFromBytes(
    new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    file,
  );
  const bad = served.policy.actions.find((a) => a.includes("\u0000"));
  if (bad !== undefined)
    throw new ServeError(
      "CHECKPOINT_UNREADABLE",
      `${file}: action ${JSON.stringify(bad)} contains U+0000, which the decision log cannot store (SQLite text ends there); rename it and train again`,
    );
  return served;
}
