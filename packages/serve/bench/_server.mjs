// Child process of serve.mjs: one server on 127.0.0.1, port printed on stdout as "port N".
// `hello`: the bare Fastify hello-world (the baseline); `post`: `POST /v1/decisions` with the policy
// server's request and response schemas and a constant answer (no decision, no log: what Fastify
// costs for such a request); `policy CKPT LOG DURABILITY`: the policy server from dist.
import Fastify from "fastify";

const [kind, checkpoint, log, durability] = process.argv.slice(2);
let url;
if (kind === "hello") {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
} else if (kind === "post") {
  const { DecisionRequestSchema, DecisionResponseSchema } = await import("../dist/index.js");
  const app = Fastify({ logger: false, ajv: { customOptions: { allowUnionTypes: true } } });
  let n = 0;
  const schema = { body: DecisionRequestSchema, response: { 200: DecisionResponseSchema } };
  app.post("/v1/decisions", { schema }, async () => ({
    eventId: `_1.${n++}`,
    action: "summarize",
    probability: 0.9166666666666666,
    explored: false,
    checkpoint: `sha256:${"0".repeat(64)}`,
  }));
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
} else {
  const { createPolicyServer } = await import("../dist/index.js");
  const server = await createPolicyServer({ checkpoint, log, seed: 1, durability });
  url = await server.listen({ port: 0 });
  process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
}
process.stdout.write(`port ${new URL(url).port}\n`);
