// Runs a job from a JSON spec given as argv[2] and prints one line per finished trial, so that the
// parent test can kill it with SIGKILL in the middle of tuning.
import { runJob } from "@rlvr/orchestrator";

const spec = JSON.parse(process.argv[2]);
await runJob(spec, {
  heartbeatMs: 50,
  onEvent: (e) => {
    if (e.type === "trial-end") process.stdout.write(`trial-end ${e.trial}\n`);
  },
});
process.stdout.write("done\n");
