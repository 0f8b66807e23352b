// Regenerates src/__fixtures__/demo.job.json, the bundled demo job, from a real run of the
// orchestrator on apps/rlvr-train/examples/sample.jsonl. Run after a change of the JobRecord schema:
//   pnpm --filter @rlvr/report-renderer run demo-record
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runJob } from "@rlvr/orchestrator";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "rlvr-demo-record-"));
try {
  const record = await runJob({
    datasets: [join(here, "../../rlvr-train/examples/sample.jsonl")],
    seed: 7,
    label: "demo",
    outDir: out,
    registryPath: null,
    tuner: { trials: 12 },
  });
  if (record.status !== "succeeded") throw new Error(`demo job ${record.status}: ${record.error?.message}`);
  const target = join(here, "../src/__fixtures__/demo.job.json");
  writeFileSync(`${target}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${target}.tmp`, target);
  console.log(`wrote ${target}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
