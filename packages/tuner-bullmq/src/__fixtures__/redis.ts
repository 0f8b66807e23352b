// Test helper: a private redis-server on a free loopback port, with no persistence, stopped by the
// test. There is no skipping: without redis-server the tests fail and say how to install it (.ci/run
// installs it on CI).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A self-signed certificate for 127.0.0.1 (test only; its key is in the repository). */
export const TLS_CERT = fileURLToPath(new URL("./tls-cert.pem", import.meta.url));
const TLS_KEY = fileURLToPath(new URL("./tls-key.pem", import.meta.url));

/** A running test Redis. */
export interface TestRedis {
  /** `redis://[:password@]127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port (a new run_id, no data). */
  restart(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address !== null) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

function assertInstalled(): void {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      "redis-server is not installed: these tests need it (Debian: apt-get install -y redis-server; .ci/run installs it)",
    );
  }
}

interface LaunchOptions {
  readonly password?: string | undefined;
  readonly tls?: boolean | undefined;
}

async function launch(port: number, dir: string, options: LaunchOptions): Promise<ChildProcess> {
  const listen = options.tls
    ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", TLS_CERT, "--tls-key-file", TLS_KEY]
    : ["--port", String(port)];
  const args = [
    ...listen,
    ...(options.tls ? ["--tls-ca-cert-file", TLS_CERT, "--tls-auth-clients", "no"] : []),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
    ...(options.password === undefined ? [] : ["--requirepass", options.password]),
  ];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start: ${output}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (ok) return child;
    if (Date.now() - started > 10_000) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not listen on ${port} within 10 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts redis-server on a free 127.0.0.1 port.
 * @param options - `password`: require it (the URL carries it); `tls`: listen with TLS only
 * ({@link TLS_CERT}; the URL is `rediss://`)
 */
export async function startRedis(options: LaunchOptions = {}): Promise<TestRedis> {
  assertInstalled();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rlvr-redis-"));
  let child = await launch(port, dir, options);
  const auth = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
  return {
    url: `${options.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}`,
    port,
    async stop() {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await terminate(child);
      child = await launch(port, dir, options);
    },
  };
}
