// The faults of issue 11 that the CLI must survive: terminal escape injection, SIGTERM, environment
// errors with their real cause, dataset issues printed once, internal names, warnings.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { summaryWarnings } from "../src/commands/validate.js";
import { createProgress } from "../src/progress.js";
import { appDir, cli, example, jsonl, samplePath, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Every line of `text` is free of C0 and C1 control characters (the newline that ends it aside). */
function expectClean(text: string, what: string): void {
  for (const line of text.split("\n"))
    expect(CONTROL.test(line), `${what}: ${JSON.stringify(line)}`).toBe(false);
}

const hostileUnit = fc.constantFrom(
  "\u001b",
  "\u0007",
  "\r",
  "\n",
  "\t",
  "\u0000",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u202e",
  "[",
  "2",
  "J",
  "]",
  "0",
  ";",
  "a",
);
const hostile = fc.string({ unit: hostileUnit, minLength: 1, maxLength: 10 });
/** A hostile text that can be a file name (no NUL, no slash) and is not a dotted path. */
const hostileName = hostile.map((s) => `f${s.split("\u0000").join("")}`);

const small = (actions: readonly [string, string]) =>
  jsonl(Array.from({ length: 16 }, (_, i) => example(i, { action: actions[i % 3 === 0 ? 0 : 1] })));

let n = 0;
const fresh = (name: string) => join(tmp.dir, `${name}-${n++}`);

describe("control characters never reach the terminal raw", () => {
  it("validate, with hostile file names, action names and bad values", async () => {
    await fc.assert(
      fc.asyncProperty(hostileName, hostile, hostile, async (name, action, bad) => {
        const good = tmp.file(`${name}.jsonl`, small([action, "b"]));
        const invalid = tmp.file(`${name}.bad.jsonl`, jsonl([example(0, { reward: bad, [bad]: 1 })]));
        // no line is broken by a newline in the data: the valid file gives its 6 lines
        const single = await cli(["validate", good]);
        expect(single.stdout.split("\n"), single.stdout).toHaveLength(7);
        for (const argv of [
          ["validate", good],
          ["validate", invalid],
          ["validate", good, invalid],
        ]) {
          const r = await cli(argv);
          expectClean(r.stdout, "stdout");
          expectClean(r.stderr, "stderr");
        }
      }),
      { seed: 42, numRuns: 25 },
    );
  });

  it("run, runs list, fingerprint and act, with hostile labels, actions and ids", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, async (label, action, id) => {
        const out = fresh("hostile");
        const data = tmp.file(`h-${n}.jsonl`, small([action, `${action}b`]));
        const run = await cli(["run", "--dataset", data, "--out", out, "--trials", "1", "--label", label]);
        expect(run.code, run.stderr).toBe(0);
        const list = await cli(["runs", "list", "--out", out]);
        const fp = await cli(["fingerprint", "--dataset", data, "--label", label]);
        const ckpt = join(out, readdirSync(out).find((f) => f.endsWith(".ckpt")) ?? "none.ckpt");
        const input = tmp.file(`ctx-${n}.jsonl`, jsonl([{ id, prompt: id }, { [id]: 1 }]));
        const act = await cli(["act", "--checkpoint", ckpt, "--input", input]);
        for (const r of [run, list, fp, act]) {
          expectClean(r.stdout, "stdout");
          expectClean(r.stderr, "stderr");
        }
        // --json output stays JSON with the same values
        const json = await cli(["runs", "list", "--out", out, "--json"]);
        expectClean(json.stdout, "json");
        expect((JSON.parse(json.stdout) as { label: string }[])[0]?.label).toBe(label);
      }),
      { seed: 7, numRuns: 4 },
    );
  });
});

describe("environment errors exit 2 naming the path and the real cause", () => {
  const data = () => tmp.file("env.jsonl", small(["search", "calculator"]));

  it("--out that is a file: not a directory, and nothing written", async () => {
    const file = tmp.file("a-file", "x");
    for (const out of [file, join(file, "sub")]) {
      const r = await cli(["run", "--dataset", data(), "--out", out, "--trials", "1"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(out);
      expect(r.stderr).toContain("not a directory");
      expect(r.stderr).not.toMatch(/internal error|ENOENT|ENOTDIR|fingerprint:/);
    }
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("--out where no folder can be made (/sys, /proc): the system's reason, at once", async () => {
    for (const [out, why] of [
      ["/sys/rlvr-test-out", "operation not permitted"],
      ["/proc/rlvr-test-out", "no such file or directory"],
    ] as const) {
      const r = await cli(["run", "--dataset", data(), "--out", out, "--trials", "1"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(out);
      expect(r.stderr).toContain(why);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("act --output on a file system that refuses the write", async () => {
    const out = fresh("act-env");
    const run = await cli(["run", "--dataset", data(), "--out", out, "--trials", "1", "--label", "e"]);
    expect(run.code, run.stderr).toBe(0);
    const input = tmp.file("ctx.jsonl", jsonl([{ prompt: "task 1" }]));
    const target = "/sys/rlvr-test-act.jsonl";
    const r = await cli(["act", "--checkpoint", join(out, "e.ckpt"), "--input", input, "--output", target]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("/sys");
    expect(r.stderr).toMatch(/operation not permitted|permission denied|read-only file system/);
    expect(r.stderr).not.toContain("internal error");
  });
});

describe("messages", () => {
  it("run prints each dataset issue once, and no internal function name", async () => {
    const bad = tmp.file(
      "twice.jsonl",
      jsonl([example(0), example(1, { reward: 5 }), example(2, { reward: -1 })]),
    );
    const r = await cli(["run", "--dataset", bad, "--out", fresh("twice")]);
    expect(r.code).toBe(2);
    for (const line of [":2: /reward: ", ":3: /reward: "]) {
      expect(r.stderr.split(line).length - 1, r.stderr).toBe(1);
    }
    expect(r.stderr).not.toMatch(/loadDataset|runJob|validateDatasetFiles/);
  });

  it("no internal name reaches the terminal from act or a failed job", async () => {
    const out = fresh("names");
    const data = tmp.file("names.jsonl", small(["search", "calculator"]));
    const run = await cli(["run", "--dataset", data, "--out", out, "--trials", "1", "--label", "n"]);
    expect(run.code, run.stderr).toBe(0);
    const input = tmp.file(
      "names-ctx.jsonl",
      jsonl([{ context: { prompt: "x" }, allowedActions: ["nope"] }]),
    );
    const act = await cli(["act", "--checkpoint", join(out, "n.ckpt"), "--input", input]);
    expect(act.code).toBe(2);
    expect(act.stderr).toContain("names-ctx.jsonl:1");
    expect(act.stderr).not.toMatch(/\b[a-z]+[A-Z]\w*: |[A-Z]\w+\.\w+: /);
  });

  it("prints a warning event of the job as `warning: <message>` on stderr", () => {
    let err = "";
    const io = {
      stdout: () => {},
      stderr: (t: string) => {
        err += t;
      },
      env: {},
      cwd: tmp.dir,
      isTty: false,
    };
    const progress = createProgress(io, "plain");
    const event = {
      type: "warning",
      stage: "load",
      code: "NO_SIGNAL",
      message: "loadDataset: every reward is equal",
    };
    progress.onEvent(event as unknown as Parameters<typeof progress.onEvent>[0]);
    expect(err).toBe("warning: every reward is equal\n");
  });

  it("validate prints the warnings about the files together", () => {
    const summary = {
      valid: true,
      reports: [{ file: "a.jsonl", warnings: ["1 blank line was skipped"] }],
      warnings: ["a.jsonl: 1 blank line was skipped", "every reward is equal: nothing to learn"],
    };
    expect(summaryWarnings(summary as unknown as Parameters<typeof summaryWarnings>[0])).toEqual([
      "every reward is equal: nothing to learn",
    ]);
  });
});

describe("SIGTERM", () => {
  const bin = join(appDir, "dist", "bin.js");

  it("the built binary turns SIGTERM into a cancelled record and registry entry, exit 130; --resume finishes", async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
    const out = fresh("sigterm");
    const args = [bin, "run", "--dataset", samplePath, "--out", out, "--trials", "40", "--label", "t"];
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
    const child = spawn(process.execPath, args, { cwd: tmp.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let sent = false;
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      if (!sent && stderr.includes("trial #0")) sent = child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted (SIGTERM)");
    const record = JSON.parse(readFileSync(join(out, "t.job.json"), "utf8")) as { status: string };
    expect(record.status).toBe("cancelled");
    const runs = await cli(["runs", "list", "--out", out, "--json"]);
    expect((JSON.parse(runs.stdout) as { status: string }[]).map((r) => r.status)).toEqual(["cancelled"]);
    const resumed = await cli([
      "run",
      "--dataset",
      samplePath,
      "--out",
      out,
      "--trials",
      "40",
      "--label",
      "t",
      "--resume",
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await cli(["runs", "list", "--out", out, "--json"]);
    expect((JSON.parse(after.stdout) as { status: string }[]).map((r) => r.status)).toEqual(["succeeded"]);
  });
});
