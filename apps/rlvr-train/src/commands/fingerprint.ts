import { hostname, userInfo } from "node:os";
import { dirname } from "node:path";
import {
  checkManifest,
  createManifest,
  DEFAULT_LABEL,
  diffManifests,
  fingerprintJob,
  type JobMode,
} from "@rlvr/orchestrator";
import { defineCommand } from "citty";
import { optionalString } from "../args.js";
import { CliError, ExitCode } from "../errors.js";
import { checkOutputFolder, readUserJson, userPath } from "../files.js";
import { type CliIo, printable } from "../io.js";
import { buildJobSpec, JOB_ARGS } from "../job-args.js";
import { VERSION } from "../version.js";
import { writeFileAtomic } from "../write-file-atomic.js";

/** `rlvr-train fingerprint` */
export const fingerprintCommand = defineCommand({
  meta: {
    name: "fingerprint",
    description:
      "Print the fingerprint and job id a job would get (dataset content, seed, configs, versions, runtime) without running it, compare two manifests (--diff) or check them (--verify).",
  },
  args: {
    dataset: JOB_ARGS.dataset,
    config: JOB_ARGS.config,
    format: JOB_ARGS.format,
    "propensity-pointer": JOB_ARGS["propensity-pointer"],
    seed: JOB_ARGS.seed,
    label: JOB_ARGS.label,
    trials: JOB_ARGS.trials,
    mode: {
      type: "enum",
      options: ["full", "tune", "train"],
      description: "Job mode: full (run), tune or train (default: the job file's, else full)",
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
    const output = optionalString(args.output, "--output");
    const spec = await buildJobSpec(args, io.cwd);
    const mode: JobMode | undefined = typeof args.mode === "string" ? args.mode : spec.mode;
    const fp = await fingerprintJob(
      { ...spec, ...(mode === undefined ? {} : { mode }) },
      {
        baseDir: io.cwd,
        packages: { "rlvr-train": VERSION },
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      },
    );
    // Dataset file names and label are in the environment already; add who ran it, where and when.
    const manifest = createManifest(fp.environment, {
      host: hostname(),
      user: safeUser(),
      createdAt: new Date().toISOString(),
    });
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    if (output !== undefined) {
      const path = userPath(io.cwd, output);
      await checkOutputFolder(dirname(path), "--output");
      await writeFileAtomic(path, text);
    }
    if (args.json) {
      io.stdout(text);
      return ExitCode.ok;
    }
    const { dataset, environment } = fp;
    io.stdout(`${fp.fingerprint}\n`);
    io.stdout(`  job id ${fp.jobId} (label ${JSON.stringify(spec.label ?? DEFAULT_LABEL)})\n`);
    io.stdout(
      `  dataset ${dataset.files.map(printable).join(", ")} (${dataset.format}): ${dataset.stats.examples} examples, ${dataset.digest}\n`,
    );
    io.stdout(
      `  seed ${environment.seed} · node ${environment.runtime.node} ${environment.runtime.platform}/${environment.runtime.arch}\n`,
    );
    if (output !== undefined) io.stdout(`  manifest written to ${output}\n`);
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

const readManifest = (file: string, cwd: string) => readUserJson(file, cwd, "manifest");

async function diff(io: CliIo, files: readonly string[], json: boolean): Promise<number> {
  if (files.length !== 2) {
    throw new CliError("USAGE", `--diff takes exactly two manifest files, got ${files.length}`);
  }
  const [fa, fb] = files as [string, string];
  const a = await readManifest(fa, io.cwd);
  const b = await readManifest(fb, io.cwd);
  const differences = diffManifests(a, b, [fa, fb]);
  if (json) {
    io.stdout(`${JSON.stringify({ identical: differences.length === 0, differences }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (differences.length === 0) {
    io.stdout(`identical fingerprint inputs (${checkManifest(a).expected})\n`);
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
    const check = checkManifest(await readManifest(file, io.cwd));
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
