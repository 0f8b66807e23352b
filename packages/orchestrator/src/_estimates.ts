import type { PolicyEstimatesRecord } from "@rlvr/job-record";
import type { PolicyEstimates } from "@rlvr/rlvr-loop";

/** The record form of a policy's estimates (plain JSON numbers). */
export function estimatesRecord(e: PolicyEstimates): PolicyEstimatesRecord {
  return JSON.parse(
    JSON.stringify({
      ips: e.ips,
      snips: e.snips,
      dm: e.dm,
      dr: e.dr,
      effectiveSampleSize: e.effectiveSampleSize,
    }),
  ) as PolicyEstimatesRecord;
}
