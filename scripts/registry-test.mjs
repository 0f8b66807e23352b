#!/usr/bin/env node
// The packages as a user gets them. Starts verdaccio (a local npm registry) on a free loopback port
// with a temporary config and storage (our packages are never proxied; everything else comes from
// the npm registry through an uplink), releases every package from a temporary clone of this
// repository with a clean build (`pnpm changeset version`, then `pnpm release`), and then, in empty
// temporary folders with a fresh HOME (default npm and pnpm settings, empty caches):
//   - `pnpm dlx rlvr-train demo` and `npx rlvr-train demo` exit 0 and print the result;
//   - an ESM, a CommonJS (`require`) and a TypeScript consumer (`node16` and `bundler` resolution)
//     of single packages work;
//   - the report renderer's install holds no SQLite binding, no tuner and no rlvr-loop;
//   - the install size of every package with its dependencies (printed, for docs/benchmarks.md).
// It stops what it starts (also on failure or Ctrl-C), never modifies this repository, and exits 1
// with the failing command's output. Run by .ci/run after `npm test`; `node scripts/registry-test.mjs`.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pinnedPnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
const keep = process.argv.includes("--keep"); // keep the temporary folder, for a post-mortem
const tmp = mkdtempSync(join(tmpdir(), "rlvr-registry-test-"));
const results = [];
let verdaccio;
let verdaccioLog = "";

function cleanup() {
  // SIGKILL: its storage is thrown away anyway, and a SIGTERM it may ignore would leak it
  if (verdaccio && verdaccio.exitCode === null) verdaccio.kill("SIGKILL");
  if (!keep) rmSync(tmp, { recursive: true, force: true });
}
// also on an unexpected exception: never leave the registry running
process.on("exit", () => {
  if (verdaccio && verdaccio.exitCode === null) verdaccio.kill("SIGKILL");
});
process.on("uncaughtException", (error) => fail(`unexpected error: ${error?.stack ?? error}`));
process.on("unhandledRejection", (error) => fail(`unexpected error: ${error?.stack ?? error}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

const log = (text) => process.stdout.write(`registry-test: ${text}\n`);

function fail(what, res) {
  process.stderr.write(`\nregistry-test: FAILED: ${what}\n`);
  if (res) {
    process.stderr.write(`--- exit ${res.status}${res.signal ? ` (${res.signal})` : ""}\n`);
    process.stderr.write(`--- stdout\n${res.stdout ?? ""}\n--- stderr\n${res.stderr ?? ""}\n`);
  }
  if (verdaccioLog) process.stderr.write(`--- verdaccio (last lines)\n${verdaccioLog.slice(-3000)}\n`);
  cleanup();
  process.exit(1);
}

/** Runs a command to completion; fails the test on a non-zero exit unless `allowFail`. */
function run(cmd, args, { cwd, env, what, timeoutMs = 600_000, allowFail = false, input } = {}) {
  const started = performance.now();
  const res = spawnSync(cmd, args, {
    cwd,
    env,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    input: input ?? "",
  });
  const seconds = (performance.now() - started) / 1000;
  if (res.error) fail(`${what ?? cmd}: ${res.error.message}`, res);
  if (res.status !== 0 && !allowFail) fail(`${what ?? [cmd, ...args].join(" ")}`, res);
  return { ...res, seconds };
}

function check(what, ok, res) {
  if (!ok) fail(what, res);
  results.push(what);
  log(`ok   ${what}`);
}

/** fetch with retries: a keep-alive socket that the registry closed fails the first try. */
async function request(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

// ---- pnpm: the pinned version on PATH, else installed into the temporary folder from the registry
function findPnpm() {
  const which = spawnSync("sh", ["-c", "command -v pnpm"], { encoding: "utf8" });
  const path = which.stdout.trim();
  if (path && spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim() === pinnedPnpm) return path;
  const dir = join(tmp, "tools");
  run("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", `pnpm@${pinnedPnpm}`], {
    what: `install pnpm@${pinnedPnpm}`,
  });
  return join(dir, "node_modules", ".bin", "pnpm");
}
const pnpm = findPnpm();

// ---- the registry
const port = await freePort();
const registry = `http://127.0.0.1:${port}/`;
const vdir = join(tmp, "verdaccio");
mkdirSync(vdir, { recursive: true });
const ours = ["@rlvr/*", "rlvr-train"];
writeFileSync(
  join(vdir, "config.yaml"),
  [
    `storage: ${join(vdir, "storage")}`,
    "auth:",
    "  htpasswd:",
    `    file: ${join(vdir, "htpasswd")}`,
    "    max_users: 10",
    "uplinks:",
    "  npmjs:",
    "    url: https://registry.npmjs.org/",
    "    timeout: 60s",
    "packages:",
    // our packages only ever come from this registry, never from the uplink
    ...ours.flatMap((p) => [`  '${p}':`, "    access: $all", "    publish: $authenticated"]),
    "  '**':",
    "    access: $all",
    "    publish: $authenticated",
    "    proxy: npmjs",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n"),
);
const verdaccioBin = join(root, "node_modules", "verdaccio", "bin", "verdaccio");
if (!existsSync(verdaccioBin)) fail(`verdaccio is not installed (${verdaccioBin}); run pnpm install`);
verdaccio = spawn(
  process.execPath,
  [verdaccioBin, "--config", join(vdir, "config.yaml"), "--listen", `127.0.0.1:${port}`],
  { cwd: vdir, stdio: ["ignore", "pipe", "pipe"] },
);
verdaccio.stdout.on("data", (d) => {
  verdaccioLog = (verdaccioLog + d).slice(-20_000);
});
verdaccio.stderr.on("data", (d) => {
  verdaccioLog = (verdaccioLog + d).slice(-20_000);
});
verdaccio.on("exit", (code) => {
  if (code !== 0 && code !== null) verdaccioLog += `\n(verdaccio exited with ${code})`;
});
for (let i = 0; ; i++) {
  try {
    const res = await fetch(`${registry}-/ping`);
    if (res.ok) break;
  } catch {
    // not up yet
  }
  if (i > 300 || verdaccio.exitCode !== null) fail("verdaccio did not start");
  await new Promise((r) => setTimeout(r, 100));
}
log(`verdaccio on ${registry}`);
const user = await request(`${registry}-/user/org.couchdb.user:ci`, {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ name: "ci", password: "ci-password", type: "user", roles: [] }),
});
const { token } = await user.json();
if (!token) fail(`could not create a registry user (${user.status})`);

// A fresh HOME per role: default npm/pnpm settings, nothing cached, only the registry changed.
function homeEnv(name) {
  const home = join(tmp, "home", name);
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, ".npmrc"),
    `registry=${registry}\nupdate-notifier=false\nfund=false\naudit=false\n`,
  );
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    npm_config_registry: registry,
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    NO_COLOR: "1",
    CI: "1",
    TMPDIR: tmpdir(),
  };
  return env;
}

// ---- release: a temporary clone, `pnpm changeset version`, `pnpm release` (clean build: no dist,
// no turbo cache in a new clone); the working tree's uncommitted changes are copied over so that a
// developer tests what they have.
const clone = join(tmp, "repo");
run("git", ["clone", "--quiet", "--no-hardlinks", root, clone], { what: "git clone" });
const dirty = run("git", ["ls-files", "--modified", "--others", "--exclude-standard"], { cwd: root }).stdout;
for (const file of dirty.split("\n").filter(Boolean)) {
  if (existsSync(join(root, file))) cpSync(join(root, file), join(clone, file));
}
const releaseEnv = { ...homeEnv("release"), HOME: process.env.HOME ?? "" };
// the clone installs like the repository does (the machine's store and settings); only the
// publish goes to the local registry
delete releaseEnv.npm_config_registry;
for (const k of ["XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"])
  delete releaseEnv[k];
run(pnpm, ["install", "--frozen-lockfile", "--reporter=append-only"], {
  cwd: clone,
  env: releaseEnv,
  what: "pnpm install (clone)",
});
run("git", ["add", "-A"], { cwd: clone });
run("git", ["-c", "user.name=ci", "-c", "user.email=ci@localhost", "commit", "-qm", "wip", "--allow-empty"], {
  cwd: clone,
  what: "commit copied changes in the clone",
});
const version = run(pnpm, ["changeset", "version"], {
  cwd: clone,
  env: releaseEnv,
  what: "pnpm changeset version",
});
// the clone's own .npmrc points publishing at the local registry (read by pnpm and npm alike)
writeFileSync(
  join(clone, ".npmrc"),
  `registry=${registry}\n${registry.replace(/^http:/, "")}:_authToken=${token}\n`,
);
// TURBO_FORCE: a clean build, never outputs restored from a turbo cache
const publishEnv = { ...releaseEnv, npm_config_registry: registry, TURBO_FORCE: "true" };
const release = run(pnpm, ["release"], {
  cwd: clone,
  env: publishEnv,
  what: "pnpm release",
  timeoutMs: 900_000,
});
const pkgDirs = ["packages", "apps"].flatMap((top) =>
  spawnSync("ls", [join(clone, top)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map((d) => join(clone, top, d)),
);
const published = pkgDirs.map((d) => JSON.parse(readFileSync(join(d, "package.json"), "utf8")));
for (const p of published) {
  const res = await request(`${registry}${p.name.replace("/", "%2f")}`);
  const doc = res.ok ? await res.json() : null;
  if (doc?.versions?.[p.version] === undefined)
    fail(`${p.name}@${p.version} is not on the registry`, release);
}
check(
  `changeset version + release published ${published.map((p) => `${p.name}@${p.version}`).join(", ")} (${release.seconds.toFixed(0)} s)`,
  version.status === 0,
);

// ---- the CLI, as a new user runs it
const dlxEnv = homeEnv("dlx");
const dlxDir = join(tmp, "dlx");
mkdirSync(dlxDir);
const dlx = run(pnpm, ["dlx", "rlvr-train", "demo"], {
  cwd: dlxDir,
  env: dlxEnv,
  what: "pnpm dlx rlvr-train demo",
});
check(
  `pnpm dlx rlvr-train demo (cold: ${dlx.seconds.toFixed(1)} s)`,
  dlx.stdout.includes("✓ succeeded demo") && existsSync(join(dlxDir, "rlvr-demo", "demo.job.json")),
  dlx,
);
rmSync(join(dlxDir, "rlvr-demo"), { recursive: true });
const dlxWarm = run(pnpm, ["dlx", "rlvr-train", "demo"], {
  cwd: dlxDir,
  env: dlxEnv,
  what: "pnpm dlx (warm)",
});
check(
  `pnpm dlx rlvr-train demo again (downloaded already: ${dlxWarm.seconds.toFixed(1)} s)`,
  dlxWarm.seconds < 30,
  dlxWarm,
);

const npxDir = join(tmp, "npx");
mkdirSync(npxDir);
const npx = run("npx", ["--yes", "rlvr-train", "demo"], {
  cwd: npxDir,
  env: homeEnv("npx"),
  what: "npx rlvr-train demo",
});
check(
  `npx rlvr-train demo (cold: ${npx.seconds.toFixed(1)} s)`,
  npx.stdout.includes("✓ succeeded demo"),
  npx,
);

// ---- single packages from ESM, CommonJS and TypeScript
const consumerEnv = homeEnv("consumer");
const consumer = join(tmp, "consumer");
mkdirSync(consumer);
writeFileSync(
  join(consumer, "package.json"),
  JSON.stringify({ name: "consumer", private: true, type: "module" }),
);
const libs = [
  "@rlvr/dataset",
  "@rlvr/env-fingerprint",
  "@rlvr/tuner",
  "@rlvr/rlvr-loop",
  "@rlvr/orchestrator",
];
// @types/node as any TypeScript project on Node has it (the declarations use node: modules)
run("npm", ["install", "--no-audit", "--no-fund", ...libs, "@rlvr/report-renderer", "@types/node@20"], {
  cwd: consumer,
  env: consumerEnv,
  what: "npm install (consumer)",
});
writeFileSync(
  join(consumer, "esm.mjs"),
  `import { canonicalize } from "@rlvr/env-fingerprint";
import { validateExample } from "@rlvr/dataset";
import { createStudy } from "@rlvr/tuner";
import { createRegistry, sanitizeLabel } from "@rlvr/orchestrator";
import { renderMarkdown } from "@rlvr/report-renderer";
const issues = validateExample({ id: "a", groupId: "g", context: { prompt: "p" }, action: "x", reward: 1, verified: true });
const study = createStudy({ space: { x: { type: "float", low: 0, high: 1 } }, seed: 1 });
const best = await study.optimize((p) => (p.x - 0.5) ** 2, { trials: 5 });
const registry = createRegistry(":memory:");
registry.close();
console.log(canonicalize({ b: 1, a: [issues.length] }), sanitizeLabel("../x y"), typeof renderMarkdown, best.trials.length);
`,
);
const esm = run("node", ["esm.mjs"], { cwd: consumer, env: consumerEnv, what: "ESM consumer" });
check("ESM consumer (import)", esm.stdout.trim() === '{"a":[0],"b":1} %2E.%2Fx%20y function 5', esm);

writeFileSync(
  join(consumer, "cjs.cjs"),
  `const { canonicalize } = require("@rlvr/env-fingerprint");
const { validateExample } = require("@rlvr/dataset");
console.log(canonicalize({ b: 1, a: 2 }), typeof validateExample);
`,
);
const cjs = run("node", ["cjs.cjs"], { cwd: consumer, env: consumerEnv, what: "CommonJS consumer" });
check(
  `CommonJS consumer (require, Node ${process.versions.node})`,
  cjs.stdout.trim() === '{"a":2,"b":1} function',
  cjs,
);

writeFileSync(
  join(consumer, "use.ts"),
  `import { canonicalize } from "@rlvr/env-fingerprint";
import { type RlvrExample, validateExample } from "@rlvr/dataset";
import type { JobRecord } from "@rlvr/orchestrator";
import { createStudy } from "@rlvr/tuner";
import { renderMarkdown } from "@rlvr/report-renderer";
import { train } from "@rlvr/rlvr-loop";
const e: RlvrExample = { id: "a", groupId: "g", context: { prompt: "p" }, action: "x", reward: 1, verified: true };
export const text: string = canonicalize(e);
export const valid: boolean = validateExample(e).length === 0;
export const render: (r: JobRecord) => string = (r) => renderMarkdown(r);
export const study = createStudy({ space: { x: { type: "float", low: 0, high: 1 } }, seed: 1 });
export const t: typeof train = train;
// @ts-expect-error: a wrong type is an error, so the types are really there
export const wrong: number = canonicalize(e);
`,
);
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
for (const [name, options] of [
  ["node16", { module: "node16", moduleResolution: "node16" }],
  ["bundler", { module: "preserve", moduleResolution: "bundler" }],
]) {
  writeFileSync(
    join(consumer, `tsconfig.${name}.json`),
    JSON.stringify({
      compilerOptions: {
        ...options,
        target: "es2022",
        strict: true,
        noEmit: true,
        types: ["node"],
        skipLibCheck: false,
      },
      files: ["use.ts"],
    }),
  );
  const res = run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], {
    cwd: consumer,
    env: consumerEnv,
    what: `TypeScript consumer (${name})`,
    allowFail: true,
  });
  check(`TypeScript consumer (moduleResolution ${name})`, res.status === 0, res);
}

// ---- lean dependencies and install sizes (each package alone, npm, production dependencies)
const sizes = [];
for (const p of published) {
  const dir = join(tmp, "size", p.name.replace("/", "__"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "size", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", p.name], {
    cwd: dir,
    env: consumerEnv,
    what: `npm install ${p.name}`,
  });
  const du = run("du", ["-sk", "node_modules"], { cwd: dir }).stdout.split("\t")[0];
  const count = run("npm", ["ls", "--all", "--parseable"], { cwd: dir, env: consumerEnv, allowFail: true })
    .stdout.split("\n")
    .filter((l) => l.includes("node_modules")).length;
  sizes.push({ name: p.name, mb: Number(du) / 1024, count, dir });
}
log("install size of each package with its dependencies (npm, Linux x64):");
for (const s of sizes)
  log(`  ${s.name.padEnd(24)} ${s.mb.toFixed(1).padStart(6)} MB  ${String(s.count).padStart(4)} packages`);
const renderer = sizes.find((s) => s.name === "@rlvr/report-renderer");
if (renderer && !process.argv.includes("--no-lean-check")) {
  const tree = run("npm", ["ls", "--all", "--parseable"], {
    cwd: renderer.dir,
    env: consumerEnv,
    allowFail: true,
  }).stdout;
  const heavy = ["libsql", "@libsql/", "@rlvr/tuner", "@rlvr/rlvr-loop", "@rlvr/orchestrator"].filter((n) =>
    tree.includes(`node_modules/${n}`),
  );
  check(
    `the report renderer installs no SQLite, tuner or rlvr-loop (${heavy.join(", ") || "none"})`,
    heavy.length === 0,
  );
}

cleanup();
log(`${results.length} passed, 0 failed`);
