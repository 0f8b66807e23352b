import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_TABLE, OrchestratorError } from "@rlvr/orchestrator";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/errors.js";
import { terminalText } from "../src/io.js";
import { describeError, publicMessage } from "../src/report-error.js";
import { appDir } from "./helpers.js";

describe("the error table in the CLI", () => {
  it("docs/cli.md lists every row of the table with its exit code", () => {
    const doc = readFileSync(join(appDir, "..", "..", "docs", "cli.md"), "utf8");
    for (const [name, section] of Object.entries(ERROR_TABLE)) {
      for (const [code, entry] of Object.entries(section)) {
        expect(doc).toContain(`| \`${name}\` | \`${code}\` | ${entry.exitCode} | ${entry.meaning} |`);
      }
    }
  });

  it("takes exit codes from the table and wording without internal names", () => {
    const stage = new OrchestratorError("STAGE_FAILED", "runJob: tune: no trial completed", {
      stage: "tune",
    });
    expect(describeError(stage)).toMatchObject({ exitCode: 1, message: "no trial completed" });
    expect(describeError(new CliError("USAGE", "bad")).exitCode).toBe(2);
    expect(describeError(new CliError("INTERRUPTED", "stop")).exitCode).toBe(130);
    const unknown = describeError(new TypeError("x is undefined"));
    expect(unknown).toMatchObject({ exitCode: 1, message: "internal error: x is undefined", key: undefined });
  });

  it("shows the operating-system error behind a failure: its path and reason, exit 2", () => {
    const io = Object.assign(new Error("EROFS: read-only file system, open '/ro/x'"), {
      code: "EROFS",
      syscall: "open",
      path: "/ro/x",
    });
    const wrapped = new OrchestratorError("STAGE_FAILED", "runJob: fingerprint: EROFS", { cause: io });
    expect(describeError(wrapped)).toMatchObject({ exitCode: 2, message: "/ro/x: read-only file system" });
    expect(describeError(io)).toMatchObject({ exitCode: 2, message: "/ro/x: read-only file system" });
  });

  it("removes function and method names, keeps JSON pointers and file names", () => {
    expect(publicMessage("loadDataset: 1 of 1 file invalid")).toBe("1 of 1 file invalid");
    expect(publicMessage("LinearSoftmaxPolicy.logProbs: unknown action x")).toBe("unknown action x");
    expect(publicMessage("runJob: tune: no trial completed; first error: train: diverged")).toBe(
      "no trial completed; first error: diverged",
    );
    expect(publicMessage("data.jsonl:3: /behaviorProb: out of range")).toBe(
      "data.jsonl:3: /behaviorProb: out of range",
    );
  });
});

describe("terminal text", () => {
  it("leaves no control character but the line ends, keeps our styles only when asked", () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    const control = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        for (const line of terminalText(text, false).split("\n")) expect(control.test(line)).toBe(false);
      }),
      { seed: 42, numRuns: 500 },
    );
    expect(terminalText("\u001b[31mred\u001b[39m\n", true)).toBe("\u001b[31mred\u001b[39m\n");
    expect(terminalText("\u001b[31mred\u001b[39m\n", false)).toBe("\\u001b[31mred\\u001b[39m\n");
    expect(terminalText("\u001b]0;title\u0007", true)).toBe("\\u001b]0;title\\u0007");
    expect(terminalText("a\rb\u0085\u202e", false)).toBe("a\\rb\\u0085\\u202e");
  });

  it("keeps JSON text JSON with the same values", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (text) => {
        const json = JSON.stringify({ text }, null, 2);
        expect(JSON.parse(terminalText(json, false))).toEqual({ text });
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
