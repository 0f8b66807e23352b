// Child process of the crash-and-resume test: runs the study into a journal until it is killed.
// Run as: node --import tsx --conditions=@rlvr/source crash-child.mjs <journal>
import { createJournalStorage, createStudy, createTpeSampler } from "@rlvr/tuner";
import { objective, PENDING_WINDOW, SEED, SPACE, TRIALS } from "./resume-objective.mjs";

const journal = process.argv[2];
const study = createStudy({
  space: SPACE,
  seed: SEED,
  sampler: createTpeSampler({ nStartupTrials: 4 }),
  pendingWindow: PENDING_WINDOW,
  storage: createJournalStorage(journal),
  loadIfExists: true,
});
await study.optimize(objective, { trials: TRIALS, concurrency: 2 });
study.close();
