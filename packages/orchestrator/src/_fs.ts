import { createHash } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OrchestratorError } from "./errors.js";
import type { FileWriter } from "./run-options.js";

let counter = 0;

/**
 * The default {@link FileWriter}: a temporary file in the same folder, fsync, then rename, so a
 * reader sees the old file or the new one. Rejects with the system error (the temporary file removed).
 */
export const atomicFileWriter: FileWriter = Object.freeze({
  async write(path: string, data: string | Uint8Array): Promise<void> {
    const dir = dirname(path);
    const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(tmp, "w");
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
  },
});

/** The system code of an error (`ENOSPC`), or its name. */
export function systemCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.name : "ERROR";
}

/** The message of a system error, starting with its code (`ENOSPC: no space left on device`). */
export function systemMessage(error: unknown): string {
  const code = systemCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(code) ? message : `${code}: ${message}`;
}

/**
 * Writes a file through `writer`, turning its failure into an `IO_ERROR` naming the file, with the
 * system error as `cause`.
 */
export async function writeChecked(
  writer: FileWriter,
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  try {
    await writer.write(path, data);
  } catch (error) {
    if (OrchestratorError.is(error)) throw error;
    throw new OrchestratorError("IO_ERROR", `cannot write ${path}: ${systemMessage(error)}`, {
      cause: error,
    });
  }
}

/** `sha256:<hex>` of some bytes. */
export function sha256Bytes(data: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
