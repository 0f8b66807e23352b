// Writes `count` runs with metric series to the registry at argv[2], as fast as it can, so that two
// of these processes at once contend for the database lock.
import { createRegistry } from "@rlvr/orchestrator";

const [path, prefix, count] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const registry = createRegistry(path);
for (let i = 0; i < count; i++) {
  const id = `${prefix}-${i}`;
  registry.startRun({
    id, label: prefix, fingerprint: `sha256:${"0".repeat(64)}`, datasetDigest: "d", params: { i }, host: "h", pid: process.pid, outDir: "/o",
  });
  registry.addMetrics(id, Array.from({ length: 50 }, (_, s) => ({ name: "loss", step: s, value: s / 10 })));
  registry.heartbeat(id);
}
registry.close();
process.stdout.write("ok\n");
