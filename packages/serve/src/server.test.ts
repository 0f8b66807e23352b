import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset } from "@rlvr/dataset";
import { createPolicy, createToolRoutingEnvironment, serializeCheckpoint } from "@rlvr/rlvr-loop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportDecisionLog, writeDecisionExport } from "./export.js";
import { replayDecisionLog } from "./replay.js";
import { createPolicyServer, type PolicyServer } from "./server.js";

const env = createToolRoutingEnvironment({ numActions: 4 });
const TOKEN = "test-admin-token-0123456789";
let dir: string;
let server: PolicyServer;
let url: string;
let clock = 1_000_000;

function checkpointFile(name: string, bias: number): string {
  const policy = createPolicy({ actions: env.actions, featurizer: { dimension: 1024 } });
  const w = policy.weights.slice();
  w[policy.featurizer.biasIndex * env.actions.length + 1] = bias; // favour the second action
  const file = join(dir, name);
  writeFileSync(
    file,
    serializeCheckpoint(createPolicy({ actions: env.actions, featurizer: policy.featurizer, weights: w })),
  );
  return file;
}

/** A JSON answer: a decision, a reward, a reload or an error. */
interface Answer {
  readonly [key: string]: unknown;
  readonly eventId: string;
  readonly action: string;
  readonly probability: number;
  readonly checkpoint: string;
  readonly error: { readonly code: string; readonly pointer: string };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rlvr-serve-test-"));
  server = await createPolicyServer({
    checkpoint: checkpointFile("a.ckpt", 2),
    log: join(dir, "log"),
    seed: 7,
    exploration: { kind: "epsilon-greedy", epsilon: 0.2 },
    rewardWaitMs: 1000,
    adminToken: TOKEN,
    bodyLimit: 4096,
    now: () => clock,
  });
  url = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("decisions and rewards", () => {
  it("decides with a known probability and the same decision for the same event id", async () => {
    const req = { context: { prompt: "add two numbers", features: { tier: "pro" } }, eventId: "req-1" };
    const a = await post("/v1/decisions", req);
    expect(a.status).toBe(200);
    expect(env.actions).toContain(a.body.action);
    expect(a.body.probability).toBeGreaterThan(0);
    expect([0.05, 0.85]).toContain(Math.round(a.body.probability * 100) / 100);
    expect(a.body.checkpoint).toBe(server.checkpoint);
    const again = await post("/v1/decisions", req);
    expect(again.body).toEqual(a.body);
    const other = await post("/v1/decisions", { ...req, context: { prompt: "other" } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("EVENT_EXISTS");
    expect(other.body.error.pointer).toBe("/eventId");
  });

  it("generates event ids, joins one reward, refuses a second, an unknown event and a late one", async () => {
    const d = await post("/v1/decisions", { context: {}, allowedActions: [env.actions[0], env.actions[2]] });
    expect(d.status).toBe(200);
    expect(d.body.eventId).toMatch(/^_\d+\.\d+$/);
    expect([env.actions[0], env.actions[2]]).toContain(d.body.action);
    const r = await post(`/v1/decisions/${d.body.eventId}/reward`, { reward: 1, rewards: { value: 1 } });
    expect(r).toEqual({ status: 200, body: { eventId: d.body.eventId, reward: 1, verified: true } });
    const twice = await post(`/v1/decisions/${d.body.eventId}/reward`, { reward: 0 });
    expect([twice.status, twice.body.error.code]).toEqual([409, "REWARD_EXISTS"]);
    const unknown = await post("/v1/decisions/nope/reward", { reward: 0 });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "EVENT_NOT_FOUND"]);
    const late = await post("/v1/decisions", { context: { prompt: "late" }, groupId: "g-late" });
    clock += 1001;
    const tooLate = await post(`/v1/decisions/${late.body.eventId}/reward`, { reward: 1 });
    expect([tooLate.status, tooLate.body.error.code]).toEqual([410, "REWARD_TOO_LATE"]);
  });

  it("answers bad input with a code and a pointer, never a stack", async () => {
    const cases: [unknown, number, string, string][] = [
      [{ context: {}, extra: 1 }, 400, "INVALID_REQUEST", "/extra"],
      [{}, 400, "INVALID_REQUEST", "/context"],
      [{ context: { features: { a: [1] } } }, 400, "INVALID_REQUEST", "/context/features/a"],
      [{ context: { prompt: 3 } }, 400, "INVALID_REQUEST", "/context/prompt"],
      [
        { context: { features: { constructor: "x" } } },
        400,
        "INVALID_REQUEST",
        "/context/features/constructor",
      ],
      ['{"context":{"features":{"\\udc00":1}}}', 400, "INVALID_REQUEST", "/context/features/\udc00"],
      ['{"context":{"prompt":"\\ud800"}}', 400, "INVALID_REQUEST", "/context/prompt"],
      ['{"context":{"features":{"x":1e999}}}', 400, "INVALID_REQUEST", "/context/features/x"],
      ["{not json", 400, "INVALID_REQUEST", ""],
      ['{"context":{},"__proto__":{"x":1}}', 400, "INVALID_REQUEST", "/__proto__"],
      ['{"context":{"__proto__":{"x":1}}}', 400, "INVALID_REQUEST", "/context/__proto__"],
      ['{"context":{"constructor":{"x":1}}}', 400, "INVALID_REQUEST", "/context/constructor"],
      ['{"context":{"features":{"__proto__":1}}}', 400, "INVALID_REQUEST", "/context/features/__proto__"],
      [{ context: {}, allowedActions: ["nope"] }, 400, "UNKNOWN_ACTION", "/allowedActions/0"],
      [{ context: {}, allowedActions: [] }, 400, "INVALID_REQUEST", "/allowedActions"],
      [{ context: {}, eventId: "_1.2" }, 400, "INVALID_REQUEST", "/eventId"],
      [{ context: {}, groupId: "a\u0000b" }, 400, "INVALID_REQUEST", "/groupId"],
      ['{"context":{},"groupId":"a\\ud800"}', 400, "INVALID_REQUEST", "/groupId"],
      [{ context: { prompt: "x".repeat(5000) } }, 413, "BODY_TOO_LARGE", ""],
    ];
    for (const [body, status, code, pointer] of cases) {
      const res = await post("/v1/decisions", body);
      expect(
        [res.status, res.body.error.code, res.body.error.pointer],
        JSON.stringify(body).slice(0, 80),
      ).toEqual([status, code, pointer]);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    const reward = await post("/v1/decisions/req-1/reward", { reward: 2 });
    expect([reward.status, reward.body.error.pointer]).toEqual([400, "/reward"]);
    const text = await fetch(`${url}/v1/decisions`, {
      method: "POST",
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    const missing = await fetch(`${url}/v2/nothing`);
    expect([missing.status, ((await missing.json()) as Answer).error.code]).toEqual([404, "NOT_FOUND"]);
  });
});

describe("admin, health and metrics", () => {
  it("reloads only with the token, and serves the new checkpoint", async () => {
    const file = checkpointFile("b.ckpt", -3);
    const none = await post("/v1/admin/reload", { checkpoint: file });
    expect([none.status, none.body.error.code]).toEqual([401, "UNAUTHORIZED"]);
    const wrong = await post("/v1/admin/reload", { checkpoint: file }, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    const before = server.checkpoint;
    const ok = await post("/v1/admin/reload", { checkpoint: file }, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ checkpoint: server.checkpoint, previous: before, changed: true });
    const bad = await post(
      "/v1/admin/reload",
      { checkpoint: join(dir, "missing.ckpt") },
      { authorization: `Bearer ${TOKEN}` },
    );
    expect([bad.status, bad.body.error.code]).toEqual([422, "RELOAD_FAILED"]);
    expect(server.checkpoint).toBe(ok.body.checkpoint);
    const d = await post("/v1/decisions", { context: {}, eventId: "after-reload" });
    expect(d.body.checkpoint).toBe(ok.body.checkpoint);
    const health = (await (await fetch(`${url}/healthz`)).json()) as unknown;
    expect(health).toEqual({ status: "ok", checkpoint: ok.body.checkpoint, actions: [...env.actions] });
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
    expect(openapi.openapi).toBe("3.1.0");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^rlvr_serve_decisions_total \d+$/m);
    expect(metrics).toMatch(/^rlvr_serve_rewards_total 1$/m);
    expect(metrics).toContain(`rlvr_serve_checkpoint_info{checkpoint="${ok.body.checkpoint}"} 1`);
    expect(metrics).toMatch(/^rlvr_serve_errors_total\{code="UNAUTHORIZED"\} 2$/m);
    expect(metrics).toMatch(/^rlvr_serve_log_unindexed_rows \d+$/m);
    expect(metrics).toMatch(/^rlvr_serve_log_indexer_failing 0$/m);
  });
});

describe("hot reload under load", () => {
  it("answers every request while checkpoints are swapped", async () => {
    const files = [checkpointFile("c.ckpt", 1), checkpointFile("d.ckpt", -1)];
    const digests = new Set<string>([server.checkpoint]);
    const decisions = Array.from({ length: 200 }, (_, i) =>
      post("/v1/decisions", { context: { prompt: `load ${i}` }, eventId: `load-${i}` }),
    );
    const reloads = Array.from({ length: 6 }, (_, i) =>
      post("/v1/admin/reload", { checkpoint: files[i % 2] }, { authorization: `Bearer ${TOKEN}` }).then(
        (r) => {
          digests.add(r.body.checkpoint as string);
          return r;
        },
      ),
    );
    const answers = await Promise.all([...decisions, ...reloads]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const served = new Set((await Promise.all(decisions)).map((d) => d.body.checkpoint));
    for (const digest of served) expect([...digests]).toContain(digest);
    expect(digests.size).toBeGreaterThanOrEqual(2);
  });
});

describe("export and replay", () => {
  it("exports rewarded decisions as a valid dataset and replays every action", async () => {
    const out = join(dir, "export.jsonl");
    const summary = writeDecisionExport({ log: join(dir, "log"), out, now: clock });
    expect(summary.rewarded).toBe(1);
    expect(summary.examples).toBe(1);
    const { dataset } = await loadDataset([out]);
    expect(dataset.examples[0]!.behaviorProb).toBeGreaterThan(0);
    const all = exportDecisionLog({ log: join(dir, "log"), now: clock + 10_000, defaultReward: 0 });
    expect(all.summary.defaulted).toBe(all.summary.decisions - 1);
    expect(all.examples.every((e) => e.behaviorProb! > 0 && e.behaviorProb! <= 1)).toBe(true);
    const replay = replayDecisionLog(join(dir, "log"));
    expect(replay.decisions).toBe(all.summary.decisions);
    expect(replay.mismatches).toEqual([]);
  });
});

describe("checkpoints the log cannot hold", () => {
  it("refuses to serve a policy with U+0000 in an action name (SQLite text ends there)", async () => {
    const file = join(dir, "nul.ckpt");
    writeFileSync(file, serializeCheckpoint(createPolicy({ actions: ["a\u0000b", "c"] })));
    const error = await createPolicyServer({ checkpoint: file, log: join(dir, "log-nul") }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(error?.code).toBe("CHECKPOINT_UNREADABLE");
    expect(error?.message).toContain('action "a\\u0000b" contains U+0000');
    expect(
      (await post("/v1/admin/reload", { checkpoint: file }, { authorization: `Bearer ${TOKEN}` })).body.error
        .code,
    ).toBe("RELOAD_FAILED");
  });
});

it("answers 503 SHUTTING_DOWN on every route while it closes", async () => {
  const own = await createPolicyServer({
    checkpoint: checkpointFile("closing.ckpt", 1),
    log: join(dir, "log-closing"),
    seed: 3,
  });
  const decide = { method: "POST" as const, url: "/v1/decisions", payload: { context: { prompt: "hello" } } };
  const first = await own.app.inject(decide);
  expect(first.statusCode).toBe(200);
  const { eventId } = first.json() as { eventId: string };
  const closed = own.close();
  const refused = await Promise.all([
    own.app.inject(decide),
    own.app.inject({ method: "POST", url: `/v1/decisions/${eventId}/reward`, payload: { reward: 1 } }),
    own.app.inject({ method: "GET", url: "/healthz" }),
    own.app.inject({ method: "GET", url: "/metrics" }),
    own.app.inject({ method: "GET", url: "/openapi.json" }),
    own.app.inject({ method: "GET", url: "/no/such/route" }),
  ]);
  for (const res of refused) {
    expect(res.statusCode).toBe(503);
    expect((res.json() as Answer).error.code).toBe("SHUTTING_DOWN");
  }
  await closed;
});
