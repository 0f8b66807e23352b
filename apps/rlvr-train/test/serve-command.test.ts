import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPolicy, createToolRoutingEnvironment, serializeCheckpoint } from "@rlvr/rlvr-loop";
import { afterAll, describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const env = createToolRoutingEnvironment({ numActions: 3 });
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const checkpoint = tmp.file("p.ckpt", serializeCheckpoint(createPolicy({ actions: env.actions })));

describe("rlvr-train serve", () => {
  it("serves until interrupted, then exits 0 with everything committed; export writes the log", async () => {
    const controller = new AbortController();
    let ready = false;
    const log = join(tmp.dir, "log");
    const running = cli(
      ["serve", "--checkpoint", checkpoint, "--log", log, "--port", "0", "--explore", "softmax"],
      {
        signal: controller.signal,
        onStderr: (text) => {
          if (text.startsWith("serving ")) ready = true;
        },
      },
    );
    while (!ready) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(result.stderr).toContain("stopped (SIGINT)");
    const out = join(tmp.dir, "out.jsonl");
    const exported = await cli(["export", "--log", log, "--out", out, "--json"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({
      decisions: 0,
      examples: 0,
      rewarded: 0,
      defaulted: 0,
      omitted: 0,
      pending: 0,
    });
  });

  it("refuses bad input with exit 2 and a message naming it", async () => {
    const missing = await cli([
      "serve",
      "--checkpoint",
      join(tmp.dir, "nope.ckpt"),
      "--log",
      join(tmp.dir, "l2"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ckpt: cannot read the checkpoint: no such file/);
    const bad = tmp.file("bad.ckpt", "not a checkpoint");
    const invalid = await cli(["serve", "--checkpoint", bad, "--log", join(tmp.dir, "l3")]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/bad\.ckpt: not a valid checkpoint/);
    const epsilon = await cli([
      "serve",
      "--checkpoint",
      checkpoint,
      "--log",
      join(tmp.dir, "l4"),
      "--epsilon",
      "0",
    ]);
    expect([epsilon.code, epsilon.stderr]).toEqual([2, expect.stringMatching(/--epsilon: must be above 0/)]);
    const durability = await cli([
      "serve",
      "--checkpoint",
      checkpoint,
      "--log",
      join(tmp.dir, "l6"),
      "--durability",
      "memory",
    ]);
    expect([durability.code, durability.stderr]).toEqual([
      2,
      expect.stringMatching(/--durability \(memory\)\. Expected one of: disk, process/),
    ]);
    const temperature = await cli([
      "serve",
      "--checkpoint",
      checkpoint,
      "--log",
      join(tmp.dir, "l5"),
      "--temperature",
      "2",
    ]);
    expect([temperature.code, temperature.stderr]).toEqual([
      2,
      expect.stringMatching(/--temperature only applies/),
    ]);
    const port = await cli([
      "serve",
      "--checkpoint",
      checkpoint,
      "--log",
      join(tmp.dir, "l6"),
      "--port",
      "70000",
    ]);
    expect([port.code, port.stderr]).toEqual([
      2,
      expect.stringMatching(/--port: expected a number in \[0, 65535\]/),
    ]);
    expect(await cli(["serve", "--log", join(tmp.dir, "l7")])).toMatchObject({ code: 2 });
  });
});

describe("rlvr-train export", () => {
  it("says when a folder holds no decision log, and rejects a bad default reward or time", async () => {
    const empty = join(tmp.dir, "empty");
    mkdirSync(empty);
    const none = await cli(["export", "--log", empty, "--out", join(tmp.dir, "x.jsonl")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/empty: no decision log \(decisions\.db\) in this folder/);
    const reward = await cli(["export", "--log", empty, "--out", "x.jsonl", "--default-reward", "2"]);
    expect([reward.code, reward.stderr]).toEqual([
      2,
      expect.stringMatching(/--default-reward: expected a number in \[0, 1\]/),
    ]);
    const time = await cli(["export", "--log", empty, "--out", "x.jsonl", "--as-of", "yesterday"]);
    expect([time.code, time.stderr]).toEqual([
      2,
      expect.stringMatching(/--as-of: expected an RFC 3339 time/),
    ]);
    writeFileSync(
      join(empty, "decisions.db"),
      "not sqlite at all, just text that is long enough to look like a file",
    );
    const garbage = await cli(["export", "--log", empty, "--out", join(tmp.dir, "y.jsonl")]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/decisions\.db/);
  });
});
