// Crash test of the decision log (issue 14): under load, kill -9 the `rlvr-train serve` process; after
// a restart on the same log, every decision and reward a client saw acknowledged is in the log, the
// export reads the whole log as a valid dataset, and the log replays exactly.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadDataset } from "@rlvr/dataset";
import { createPolicy, createRng, createToolRoutingEnvironment, serializeCheckpoint } from "@rlvr/rlvr-loop";
import { exportDecisionLog, replayDecisionLog } from "@rlvr/serve";
import { afterAll, expect, it } from "vitest";
import { appDir, binArgs, cli, tempDir } from "./helpers.js";

const env = createToolRoutingEnvironment({ numActions: 5 });
const tmp = tempDir();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  tmp.cleanup();
});

/** Start `rlvr-train serve` from sources on a free port; resolves to the child and its base URL. */
function serve(
  checkpoint: string,
  log: string,
  durability: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    binArgs([
      "serve",
      "--checkpoint",
      checkpoint,
      "--log",
      log,
      "--port",
      "0",
      "--epsilon",
      "0.3",
      "--durability",
      durability,
    ]),
    { cwd: appDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      const url = /listening on (\S+)/.exec(line)?.[1];
      if (url === undefined) reject(new Error(`unexpected first line: ${line}`));
      else resolve({ child, url });
    });
  });
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

it.each(["disk", "process"])(
  "durability %s: keeps every acknowledged decision and reward through kill -9, and the export still reads",
  async (durability) => {
    const checkpoint = join(tmp.dir, `policy-${durability}.ckpt`);
    writeFileSync(checkpoint, serializeCheckpoint(createPolicy({ actions: env.actions })));
    const log = join(tmp.dir, `log-${durability}`);
    const first = await serve(checkpoint, log, durability);

    const decided = new Map<string, { action: unknown; probability: unknown }>();
    const rewarded = new Map<string, number>();
    const rng = createRng(5);
    const tasks = Array.from({ length: 64 }, () => env.sample(rng));
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const n = next++;
        const eventId = `c-${n}`;
        try {
          const d = await post(`${first.url}/v1/decisions`, {
            context: tasks[n % tasks.length]!.context,
            eventId,
          });
          if (d.status !== 200) continue;
          decided.set(eventId, { action: d.json.action, probability: d.json.probability });
          const reward = (n % 7) / 6;
          const r = await post(`${first.url}/v1/decisions/${eventId}/reward`, { reward });
          if (r.status === 200) rewarded.set(eventId, reward);
        } catch {
          // the server died: this request was never acknowledged
        }
      }
    };
    const load = Array.from({ length: 16 }, worker);
    while (decided.size < 1500) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill("SIGKILL"); // under load: requests are in flight and batches may be mid-commit
    await new Promise((resolve) => first.child.once("exit", resolve));
    stop = true;
    await Promise.all(load);
    expect(decided.size).toBeGreaterThanOrEqual(1500);

    // the log opens again after the crash, and the restarted server knows the acknowledged decisions
    const second = await serve(checkpoint, log, durability);
    const [someId, some] = [...decided.entries()][0]!;
    const repeat = await post(`${second.url}/v1/decisions`, { context: tasks[0]!.context, eventId: someId });
    expect(repeat.status).toBe(200);
    expect({ action: repeat.json.action, probability: repeat.json.probability }).toEqual(some);
    const fresh = await post(`${second.url}/v1/decisions`, { context: tasks[1]!.context });
    expect(fresh.status).toBe(200);
    // SIGHUP reloads the checkpoint file in place, without stopping the server
    second.child.kill("SIGHUP");
    let metrics = "";
    for (let i = 0; i < 100 && !/^rlvr_serve_reloads_total 1$/m.test(metrics); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${second.url}/metrics`)).text();
    }
    expect(metrics).toMatch(/^rlvr_serve_reloads_total 1$/m);
    second.child.kill("SIGTERM");
    await new Promise((resolve) => second.child.once("exit", resolve));

    const all = exportDecisionLog({ log, now: Date.now() + 1e9, defaultReward: 0 });
    const byId = new Map(all.examples.map((e) => [e.id, e]));
    let missingDecisions = 0;
    let missingRewards = 0;
    for (const [id, d] of decided) {
      const e = byId.get(id);
      if (e === undefined || e.action !== d.action || e.behaviorProb !== d.probability) missingDecisions++;
    }
    for (const [id, reward] of rewarded) {
      const e = byId.get(id);
      if (e === undefined || e.reward !== reward || e.metadata?.defaultReward === true) missingRewards++;
    }
    console.log(
      `crash test (${durability}): ${decided.size} decisions and ${rewarded.size} rewards acknowledged before kill -9; ` +
        `log after restart: ${all.summary.decisions} decisions, ${all.summary.rewarded} rewards; missing ${missingDecisions} / ${missingRewards}`,
    );
    expect(missingDecisions).toBe(0);
    expect(missingRewards).toBe(0);

    // nothing half-written breaks the export: the CLI writes it, the dataset package reads it back
    const out = join(tmp.dir, `export-${durability}.jsonl`);
    const exported = await cli([
      "export",
      "--log",
      log,
      "--out",
      out,
      "--default-reward",
      "0",
      "--as-of",
      "2999-01-01T00:00:00Z",
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const { dataset } = await loadDataset([out]);
    expect(dataset.examples.length).toBe(all.summary.decisions);
    expect(replayDecisionLog(log).mismatches).toEqual([]);
  },
  120_000,
);
