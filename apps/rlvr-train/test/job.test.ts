import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type JobRecord, validateJobRecord } from "@rlvr/orchestrator";
import { afterAll, describe, expect, it } from "vitest";
import { summarize } from "../src/job-runner.js";
import { appDir, binArgs, cli, example, jsonl, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const readRecord = (path: string) => JSON.parse(readFileSync(path, "utf8")) as JobRecord;
/** A small dataset (100 groups of 2) that trains in a fraction of a second. */
const small = tmp.file("small.jsonl", jsonl(Array.from({ length: 200 }, (_, i) => example(i))));

describe("rlvr-train demo", () => {
  it("runs the whole job on the bundled sample with no arguments; the policy beats both baselines on test", async () => {
    const cwd = join(tmp.dir, "demo");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(cwd);
    const r = await cli(["demo"], { cwd });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    // nothing outside the output folder
    expect(readdirSync(cwd)).toEqual(["rlvr-demo"]);
    const out = join(cwd, "rlvr-demo");
    for (const f of ["demo.job.json", "demo.report.md", "demo.report.html", "demo.ckpt"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const record = readRecord(join(out, "demo.job.json"));
    const check = validateJobRecord(record);
    expect(check.issues).toEqual([]);
    expect(record.status).toBe("succeeded");
    expect(record.label).toBe("demo");
    expect(record.tuning?.trials).toHaveLength(20);
    const ev = record.evaluation;
    if (ev === null) throw new Error("no evaluation");
    expect(ev.learned.dr.value).toBeGreaterThan(ev.baselines.behavior.value);
    expect(ev.learned.dr.value).toBeGreaterThan(ev.baselines.bestSingleAction.estimates.dr.value);
    expect(ev.beats).toEqual({ behavior: true, bestSingleAction: true });
    // the summary: value with interval vs. the baselines, fingerprint, paths
    expect(r.stdout).toContain(`learned policy      ${ev.learned.dr.value.toFixed(4)} [`);
    expect(r.stdout).toContain("behavior policy");
    expect(r.stdout).toContain(`(${ev.baselines.bestSingleAction.action})`);
    expect(r.stdout).toContain(record.fingerprint);
    expect(r.stdout).toContain(join("rlvr-demo", "demo.job.json"));
    expect(r.stdout).toContain(join("rlvr-demo", "demo.ckpt"));
    // the shipping decision: the learned policy beats both baselines on validation, so it is shipped
    expect(record.spec.shipping).toEqual({ policy: "safe" });
    expect(record.shipping?.shipped).toBe("learned");
    expect(record.shipping?.forced).toBe(false);
    expect(r.stdout).toContain(`  shipped: learned policy — ${record.shipping?.reason}`);
    expect(r.stdout).not.toContain("--ship learned");
    // plain progress lines (stderr is not a terminal): every stage, every trial
    expect(r.stderr).toContain("[4/8] tune ...");
    expect(r.stderr.match(/^ {2}trial #\d+ \(\d+\/20\)/gm)).toHaveLength(20);
    expect(r.stderr).not.toContain("\r");
    // the reports come from the report renderer
    expect(readFileSync(join(out, "demo.report.md"), "utf8")).toContain(record.jobId);
    expect(readFileSync(join(out, "demo.report.html"), "utf8")).toMatch(/^<!doctype html>/i);
  });

  it("takes no positional argument and rejects --dataset", async () => {
    const cwd = tmp.dir;
    expect((await cli(["demo", "extra"], { cwd })).code).toBe(2);
    const r = await cli(["demo", "--dataset", small], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--dataset'");
    expect(existsSync(join(cwd, "rlvr-demo"))).toBe(false);
  });
});

describe("rlvr-train run", () => {
  it("prints the record as JSON with --json and no progress", async () => {
    const out = join(tmp.dir, "json");
    const r = await cli(["run", "--dataset", small, "--out", out, "--trials", "2", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const record = JSON.parse(r.stdout) as JobRecord;
    expect(validateJobRecord(record).valid).toBe(true);
    expect(readFileSync(join(out, "job.job.json"), "utf8")).toBe(r.stdout);
    expect(record.tuning?.trials).toHaveLength(2);
  });

  it("sanitises the label into file names and writes nothing outside --out", async () => {
    const base = join(tmp.dir, "label");
    const out = join(base, "a", "b");
    const r = await cli(["run", "--dataset", small, "--out", out, "--trials", "2", "--label", "../../x"], {
      cwd: base,
    });
    expect(r.code).toBe(0);
    expect(readdirSync(base)).toEqual(["a"]);
    expect(readdirSync(join(base, "a"))).toEqual(["b"]);
    expect(readdirSync(out).filter((f) => !f.startsWith("."))).toEqual([
      "%2E.%2F..%2Fx.ckpt",
      "%2E.%2F..%2Fx.job.json",
      "%2E.%2F..%2Fx.report.html",
      "%2E.%2F..%2Fx.report.md",
    ]);
    expect(readRecord(join(out, "%2E.%2F..%2Fx.job.json")).label).toBe("../../x");
  });

  it("reads the job file and lets flags override it; paths in it are relative to it", async () => {
    const dir = join(tmp.dir, "config");
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(dir);
    writeFileSync(small.replace("small.jsonl", "config/data.jsonl"), readFileSync(small));
    writeFileSync(
      join(dir, "job.json"),
      JSON.stringify({
        datasets: ["data.jsonl"],
        label: "from-file",
        seed: 3,
        tuner: { trials: 3 },
        outDir: "out",
      }),
    );
    const r = await cli(["run", "--config", join(dir, "job.json"), "--trials", "2"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const record = readRecord(join(dir, "out", "from-file.job.json"));
    expect(record.spec.seed).toBe(3);
    expect(record.tuning?.trials).toHaveLength(2);
  });

  it("exits 2 on usage errors and bad job files, before writing anything", async () => {
    const out = join(tmp.dir, "usage");
    const bad = async (args: string[], words: RegExp) => {
      const r = await cli(["run", ...args, "--out", out]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(words);
      expect(r.stdout).toBe("");
    };
    await bad([], /no dataset given/);
    await bad(["--dataset", small, "--trials", "0"], /--trials/);
    await bad(["--dataset", small, "--concurrency", "x"], /--concurrency/);
    await bad(["--dataset", small, "--seed", "4294967296"], /--seed/);
    await bad(["--dataset", small, "--sed", "1"], /unknown option '--sed'/);
    await bad(["--dataset", small, "--ship", "always"], /--ship: expected safe or learned, got "always"/);
    await bad(["--dataset", small, "--ship", ""], /option --ship needs a value/);
    await bad(["--dataset", join(tmp.dir, "missing.jsonl")], /not found/);
    const job = tmp.file("typo.json", JSON.stringify({ tuner: { trails: 3 } }));
    await bad(["--dataset", small, "--config", job], /\/tuner\/trails: unknown member/);
    expect(existsSync(out)).toBe(false);
  });

  it("--ship learned forces the learned policy into the checkpoint; the summary says what was shipped and why", async () => {
    const run = async (label: string, extra: string[]) => {
      const out = join(tmp.dir, "ship");
      const r = await cli([
        "run",
        "--dataset",
        small,
        "--out",
        out,
        "--trials",
        "2",
        "--label",
        label,
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(0);
      return { r, record: readRecord(join(out, `${label}.job.json`)) };
    };
    const safe = await run("safe", []);
    const learned = await run("learned", ["--ship", "learned"]);
    expect(safe.record.spec.shipping).toEqual({ policy: "safe" });
    expect(learned.record.spec.shipping).toEqual({ policy: "learned" });
    const s = safe.record.shipping!;
    const l = learned.record.shipping!;
    expect(s.rule).toBe("safe");
    expect(l.rule).toBe("learned");
    expect(l.shipped).toBe("learned");
    // forced exactly when the safe rule would not have shipped the learned policy
    // the baseline to beat: the best single action when it demonstrably beats the behavior, else the behavior
    const versus =
      s.differences.bestSingleActionMinusBehavior.lower > 0
        ? s.differences.learnedMinusBestSingleAction
        : s.differences.learnedMinusBehavior;
    const beats = versus.lower > 0;
    expect(s.forced).toBe(false);
    expect(l.forced).toBe(!beats);
    expect(s.shipped === "learned").toBe(beats);
    // the rule is a fingerprint input: the two jobs differ, their validation numbers do not
    expect(learned.record.fingerprint).not.toBe(safe.record.fingerprint);
    expect(l.differences).toEqual(s.differences);
    expect(learned.r.stdout).toContain(
      `  shipped: learned policy${l.forced ? " (forced: the shipping rule is learned)" : ""} — ${l.reason}`,
    );
    expect(safe.r.stdout).toMatch(
      /^ {2}shipped: (learned policy|behavior model \(imitates the logging policy\)|single action, always "\w+") — /m,
    );
    if (s.shipped !== "learned") {
      expect(safe.r.stdout).toContain(
        "the checkpoint does not hold the learned policy (use --ship learned to force it)",
      );
      expect(safe.r.stdout).toMatch(/^ {2}shipped policy {6}\d\.\d{4} \[\S+, \S+\] on test$/m);
    }
    // the small dataset trains on train+validation by default: the bounds are optimistic, and the summary says so
    expect(s.validationSeenInTraining).toBe(safe.record.spec.finalTraining === "train+validation");
    if (s.validationSeenInTraining)
      expect(safe.r.stdout).toContain("warning: the final training used the validation split");
    // control characters from the record (reason, action, label) are printed as escapes
    const evil = {
      ...safe.record,
      label: "x\u001b[2J",
      shipping: {
        ...s,
        shipped: "single-action" as const,
        action: "a\u001b]0;t\u0007",
        reason: "why\u001b[31m\nnext\u202e",
      },
    };
    const io = { stdout: () => {}, stderr: () => {}, env: {}, cwd: tmp.dir, isTty: false };
    const text = summarize(io, evil, {
      record: join(tmp.dir, "x.job.json"),
      markdown: null,
      html: null,
      checkpoint: null,
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none is printed
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(text).toContain("x\\u001b[2J");
    expect(text).toContain(
      'shipped: single action, always "a\\u001b]0;t\\u0007" — why\\u001b[31m\\nnext\\u202e',
    );
  });

  it("records a job cancelled through its signal and exits 130; --resume then finishes it", async () => {
    const out = join(tmp.dir, "cancel");
    const controller = new AbortController();
    const args = ["run", "--dataset", small, "--out", out, "--trials", "4", "--label", "c"];
    const r = await cli(args, {
      signal: controller.signal,
      onStderr: (t) => {
        if (t.includes("trial #0")) controller.abort();
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain("cancelled");
    expect(r.stdout).toContain("--resume");
    expect(readRecord(join(out, "c.job.json")).status).toBe("cancelled");
    const resumed = await cli([...args, "--resume"]);
    expect(resumed.code).toBe(0);
    const record = readRecord(join(out, "c.job.json"));
    expect(record.status).toBe("succeeded");
    expect(record.volatile.resumed).toBe(true);
  });

  it("exits 1 with a failed record and no checkpoint when the job itself fails", async () => {
    const out = join(tmp.dir, "failing");
    // valid input whose every trial fails: the weight decay is drawn below zero, which training rejects
    const job = tmp.file(
      "failing.json",
      JSON.stringify({ searchSpace: { "optimizer.weightDecay": { type: "float", low: -2, high: -1 } } }),
    );
    const r = await cli([
      "run",
      "--dataset",
      small,
      "--config",
      job,
      "--out",
      out,
      "--trials",
      "2",
      "--label",
      "f",
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("✗ failed");
    expect(r.stdout).toContain(
      "failed in the tune stage (STAGE_FAILED): no tuning trial completed (0 pruned, 2 failed",
    );
    expect(r.stdout).not.toContain("runJob");
    const record = readRecord(join(out, "f.job.json"));
    expect(record.status).toBe("failed");
    expect(record.error?.stage).toBe("tune");
    expect(record.tuning).toBeNull();
    expect(validateJobRecord(record).valid).toBe(true);
    expect(existsSync(join(out, "f.ckpt"))).toBe(false);
    expect(existsSync(join(out, "f.report.md"))).toBe(true);
  });

  it("exits 130 and writes nothing when cancelled before the job starts", async () => {
    const out = join(tmp.dir, "early");
    const r = await cli(["run", "--dataset", small, "--out", out], { signal: AbortSignal.abort() });
    expect(r.code).toBe(130);
    expect(existsSync(out)).toBe(false);
  });

  it("draws progress bars with an ETA when stderr is a terminal", async () => {
    const out = join(tmp.dir, "tty");
    const r = await cli(["run", "--dataset", small, "--out", out, "--trials", "3"], { stderrIsTty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("\r\u001b[K");
    expect(r.stderr).toMatch(/█|░/);
    expect(r.stderr).toContain("ETA");
  });

  it("the binary turns SIGINT into a cancelled record and exit 130", async () => {
    const out = join(tmp.dir, "sigint");
    const child = spawn(
      process.execPath,
      binArgs(["run", "--dataset", small, "--out", out, "--trials", "60"]),
      {
        cwd: appDir,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let stdout = "";
    let sent = false;
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      if (!sent && stderr.includes("trial #0")) sent = child.kill("SIGINT"); // once: a second one quits at once
    });
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted");
    expect(stdout).toContain("cancelled");
    expect(readRecord(join(out, "job.job.json")).status).toBe("cancelled");
  });
});
