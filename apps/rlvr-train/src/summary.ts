import type { DatasetStats } from "@rlvr/orchestrator";

import { printable } from "./io.js";

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** A few indented lines describing a dataset: sizes, actions, rewards, digest. */
export function formatStats(stats: DatasetStats, digest: string): string {
  const lines: string[] = [];
  const actions = Object.entries(stats.actions);
  lines.push(
    `examples ${stats.examples} · groups ${stats.groups} · actions ${actions.length} · verified ${pct(stats.verifiedFraction)}`,
  );
  lines.push(
    `reward mean ${stats.rewardMean.toFixed(4)} ± ${stats.rewardStd.toFixed(4)} (std) · zero-variance groups ${pct(stats.fracZeroStdGroups)} · with behavior probability ${pct(stats.fracWithBehaviorProb)}`,
  );
  const sizes = Object.entries(stats.groupSizeHistogram)
    .map(([size, count]) => `${size}×${count}`)
    .join(", ");
  lines.push(`group sizes (size×groups): ${sizes}`);
  lines.push(`actions: ${actions.map(([a, n]) => `${printable(a)} ${n}`).join(", ")}`);
  lines.push(`digest ${digest}`);
  return `${lines.map((l) => `  ${l}`).join("\n")}\n`;
}
