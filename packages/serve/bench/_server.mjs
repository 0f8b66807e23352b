// Child process of serve.mjs: one server on 127.0.0.1, port printed on stdout as "port N".
// `hello`: the bare Fastify hello-world (the baseline); `policy CKPT LOG`: the policy server from dist.
import Fastify from "fastify";

const [kind, checkpoint, log, durability] = process.argv.slice(2);
let url;
if (kind === "hello") {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
} else {
  const { createPolicyServer } = await import("../dist/index.js");
  const server = await createPolicyServer({ checkpoint, log, seed: 1, durability });
  url = await server.listen({ port: 0 });
  process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
}
process.stdout.write(`port ${new URL(url).port}\n`);
