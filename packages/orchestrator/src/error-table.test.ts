import { DatasetError, DatasetValidationError } from "@rlvr/dataset";
import { CanonicalJsonError, FingerprintError } from "@rlvr/env-fingerprint";
import { RlvrLoopError, TrainingDivergedError } from "@rlvr/rlvr-loop";
import { SearchSpaceError, TunerError } from "@rlvr/tuner";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE, EXIT_CODES, lookupError, systemCause } from "./error-table.js";
import { OrchestratorError } from "./errors.js";

const systemError = (code: string, path: string) =>
  Object.assign(new Error(`${code}: oops, open '${path}'`), { code, syscall: "open", path });

describe("the error table", () => {
  it("finds every package's errors by name and code", () => {
    const cases: [unknown, number][] = [
      [new DatasetError("FILE_NOT_FOUND", "x"), 2],
      [new DatasetValidationError("x", [], []), 2],
      [new FingerprintError("FINGERPRINT_INVALID_OPTIONS", "x"), 2],
      [new CanonicalJsonError("CANONICAL_JSON_NAN", "/a", "x"), 2],
      [new TunerError("ABORTED", "x"), 130],
      [new SearchSpaceError([{ path: "/lr", message: "bad" }]), 2],
      [new RlvrLoopError("CHECKPOINT_INVALID", "x"), 2],
      [new TrainingDivergedError({ step: 1, epoch: 1, metric: "loss", value: Number.NaN }), 1],
      [new OrchestratorError("STAGE_FAILED", "x"), 1],
      [new OrchestratorError("ABORTED", "x"), 130],
      [systemError("EROFS", "/x"), 2],
    ];
    for (const [error, exit] of cases) expect(lookupError(error)?.entry.exitCode).toBe(exit);
  });

  it("knows nothing of plain errors, unknown codes and non-errors", () => {
    expect(lookupError(new Error("x"))).toBeUndefined();
    expect(lookupError(Object.assign(new Error("x"), { name: "TunerError", code: "NEW" }))).toBeUndefined();
    expect(lookupError("DatasetError")).toBeUndefined();
    expect(lookupError(null)).toBeUndefined();
    expect(lookupError({ name: "toString", code: "x" })).toBeUndefined();
  });

  it("uses only the four exit codes, and public wording without internal names", () => {
    const exits = new Set<number>(Object.values(EXIT_CODES));
    for (const [name, section] of Object.entries(ERROR_TABLE)) {
      for (const [code, entry] of Object.entries(section)) {
        expect(exits.has(entry.exitCode), `${name} ${code}`).toBe(true);
        expect(entry.meaning).toMatch(/^[a-z]/);
        expect(entry.meaning).not.toMatch(/\b[a-z]+[A-Z]\w*|\w\.\w+\(|:/);
      }
    }
  });

  it("finds the operating-system error behind wrapped errors", () => {
    const io = systemError("ENOTDIR", "/a/b");
    const wrapped = new OrchestratorError("IO_ERROR", "x", {
      cause: new DatasetError("FILE_READ_ERROR", "y", { cause: io }),
    });
    expect(systemCause(wrapped)).toBe(io);
    expect(systemCause(new Error("x"))).toBeUndefined();
  });
});
