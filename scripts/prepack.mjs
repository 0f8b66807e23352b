#!/usr/bin/env node
// `prepack` of every package (run by `npm pack`, `pnpm pack`, `pnpm publish` and `changeset publish`),
// and the last step of every `build` (`node ../../scripts/prepack.mjs --stamp`).
//
// A package is never packed with a stale dist: `build` ends by writing dist/.build-stamp, a SHA-256 of
// the build's inputs (src/, scripts/, tsconfig*.json); prepack recomputes it and, when dist is
// missing or the inputs changed since, runs the package's `build` script first (and fails if that
// fails). A fresh dist is not rebuilt, so `changeset publish`, which packs packages in parallel, never
// rewrites a dist that another package's build is reading.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.cwd();
const stampFile = join(dir, "dist", ".build-stamp");

function files(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

function inputsHash() {
  const inputs = [
    ...files(join(dir, "src")),
    ...files(join(dir, "scripts")),
    ...readdirSync(dir)
      .filter((f) => /^tsconfig.*\.json$/.test(f))
      .map((f) => join(dir, f)),
  ]
    .map((f) => relative(dir, f).split(sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const f of inputs)
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(dir, f)))
      .update("\0");
  return `sha256:${hash.digest("hex")}`;
}

if (process.argv[2] === "--stamp") {
  writeFileSync(stampFile, `${inputsHash()}\n`);
  process.exit(0);
}

const name = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
const fresh = existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === inputsHash();
if (fresh) process.exit(0);
process.stderr.write(`prepack: ${name}: dist is missing or stale, building it first\n`);
const build = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts?.build;
if (typeof build !== "string") {
  process.stderr.write(`prepack: ${name} has no build script\n`);
  process.exit(1);
}
const res = spawnSync(build, { cwd: dir, stdio: "inherit", shell: true });
if (res.status !== 0 || !existsSync(stampFile)) {
  process.stderr.write(`prepack: ${name}: build failed (exit ${res.status}); nothing packed\n`);
  process.exit(1);
}
