import { readFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { VERSION as DATASET_VERSION, type DatasetFormat, formatIssue } from "@rlvr/dataset";
import {
  buildManifest,
  createTrainingEnvironment,
  detectGitState,
  detectRuntime,
  diffFingerprintInputs,
  VERSION as FINGERPRINT_VERSION,
  fingerprint,
  type Manifest,
  verifyManifest,
} from "@rlvr/env-fingerprint";
import { defineCommand } from "citty";
import { optionalString, parseSeed } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import type { CliIo } from "../io.js";
import { readJobConfig } from "../job-config.js";
import { readDatasetSummary } from "../read-dataset.js";
import { VERSION } from "../version.js";
import { writeFileAtomic } from "../write-file-atomic.js";
import { FORMAT_OPTIONS } from "./validate.js";

/** Seed used when neither `--seed` nor the job file gives one. */
export const DEFAULT_SEED = 0;

/** `rlvr-train fingerprint` */
export const fingerprintCommand = defineCommand({
  meta: {
    name: "fingerprint",
    description:
      "Fingerprint a training environment (dataset content, seed, config, versions, runtime), compare two manifests (--diff) or check one (--verify).",
  },
  args: {
    dataset: { type: "string", description: "Dataset file", valueHint: "file" },
    format: { type: "enum", options: [...FORMAT_OPTIONS], default: "auto", description: "Dataset format" },
    seed: {
      type: "string",
      description: `Seed (default: the job file's, else ${DEFAULT_SEED})`,
      valueHint: "S",
    },
    config: {
      type: "string",
      description: "Job file (seed, label, rlvr, searchSpace, tuner)",
      valueHint: "job.json",
    },
    output: {
      type: "string",
      description: "Also write the manifest to this file (atomically)",
      valueHint: "file",
    },
    diff: {
      type: "boolean",
      description: "Compare two manifests given as positional arguments: --diff a.json b.json",
    },
    verify: {
      type: "boolean",
      description: "Recompute and check the fingerprint of manifest(s) given as arguments",
    },
    json: { type: "boolean", description: "Print JSON on stdout" },
  },
  async run({ args, data }) {
    const io = data as CliIo;
    if (args.diff && args.verify) throw new CliError("USAGE", "--diff and --verify cannot be combined");
    if (args.diff) return diff(io, args._, args.json === true);
    if (args.verify) return verify(io, args._, args.json === true);
    if (args._.length > 0) {
      throw new CliError(
        "USAGE",
        `unexpected argument '${args._[0]}' (did you mean --dataset ${args._[0]}?)`,
      );
    }
    const dataset = optionalString(args.dataset, "--dataset");
    if (dataset === undefined)
      throw new CliError("USAGE", "--dataset <file> is required (or use --diff / --verify)");
    const configFile = optionalString(args.config, "--config");
    const seedText = optionalString(args.seed, "--seed");
    const output = optionalString(args.output, "--output");

    const config = configFile === undefined ? {} : await readJobConfig(configFile, io.cwd);
    const seed = seedText !== undefined ? parseSeed(seedText, "--seed") : (config.seed ?? DEFAULT_SEED);
    const summary = await readDatasetSummary([dataset], io.cwd, {
      format: args.format as DatasetFormat | "auto",
    });
    const report = summary.reports[0];
    if (report === undefined) throw new CliError("USAGE", "no dataset file given");
    if (!summary.valid) {
      throw new CliError(
        "BAD_INPUT",
        `${dataset}: invalid dataset (${report.issues.length} error(s)); nothing written`,
        {
          details: report.issues.map(formatIssue),
        },
      );
    }
    const environment = createTrainingEnvironment({
      seed,
      dataset: { digest: report.digest, stats: report.stats, format: report.format },
      ...(config.rlvr === undefined ? {} : { rlvrConfig: config.rlvr }),
      ...(config.searchSpace === undefined ? {} : { searchSpace: config.searchSpace }),
      ...(config.tuner === undefined ? {} : { tunerSettings: config.tuner }),
      packages: {
        "@rlvr/dataset": DATASET_VERSION,
        "@rlvr/env-fingerprint": FINGERPRINT_VERSION,
        "rlvr-train": VERSION,
      },
      runtime: detectRuntime(),
      git: detectGitState(io.cwd),
    });
    const manifest = buildManifest(environment, {
      datasetPaths: [dataset],
      host: hostname(),
      user: safeUser(),
      createdAt: new Date().toISOString(),
      ...(config.label === undefined ? {} : { label: config.label }),
    });
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    if (output !== undefined)
      await writeFileAtomic(isAbsolute(output) ? output : resolve(io.cwd, output), text);
    if (args.json) io.stdout(text);
    else {
      io.stdout(`${fingerprint(environment)}\n`);
      io.stdout(
        `  dataset ${dataset} (${report.format}): ${report.stats.examples} examples, ${report.digest}\n`,
      );
      io.stdout(
        `  seed ${seed} · node ${environment.runtime.node} ${environment.runtime.platform}/${environment.runtime.arch}\n`,
      );
      if (output !== undefined) io.stdout(`  manifest written to ${output}\n`);
    }
    return ExitCode.ok;
  },
});

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

async function readManifest(file: string, cwd: string): Promise<unknown> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      "BAD_INPUT",
      `${file}: cannot read manifest: ${code === "ENOENT" ? "no such file" : code}`,
      {
        cause: error,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError("BAD_INPUT", `${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function diff(io: CliIo, files: readonly string[], json: boolean): Promise<number> {
  if (files.length !== 2) {
    throw new CliError("USAGE", `--diff takes exactly two manifest files, got ${files.length}`);
  }
  const [fa, fb] = files as [string, string];
  const a = await readManifest(fa, io.cwd);
  const b = await readManifest(fb, io.cwd);
  for (const [file, m] of [
    [fa, a],
    [fb, b],
  ] as const) {
    const check = verifyManifest(m);
    if (!check.ok) {
      throw new CliError("BAD_INPUT", `${file}: not a trustworthy manifest`, { details: check.problems });
    }
  }
  const differences = diffFingerprintInputs(a as Manifest, b as Manifest);
  if (json) {
    io.stdout(`${JSON.stringify({ identical: differences.length === 0, differences }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (differences.length === 0) {
    io.stdout(`identical fingerprint inputs (${(a as Manifest).fingerprint})\n`);
    return ExitCode.ok;
  }
  io.stdout(`${differences.length} fingerprint input(s) differ:\n`);
  for (const d of differences) {
    const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
    io.stdout(`  ${d.pointer}: ${show(d.a)} → ${show(d.b)}\n`);
  }
  return ExitCode.ok;
}

async function verify(io: CliIo, files: readonly string[], json: boolean): Promise<number> {
  if (files.length === 0) throw new CliError("USAGE", "--verify takes one or more manifest files");
  const results = [];
  for (const file of files) {
    const check = verifyManifest(await readManifest(file, io.cwd));
    results.push({ file, ...check });
  }
  if (json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else {
    for (const r of results) {
      if (r.ok) io.stdout(`✓ ${r.file}: ${r.actual}\n`);
      else {
        io.stderr(`✗ ${r.file}: manifest does not verify\n`);
        for (const p of r.problems) io.stderr(`  ${p}\n`);
      }
    }
  }
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.badInput;
}
