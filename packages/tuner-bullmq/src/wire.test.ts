import { describe, expect, it } from "vitest";
import { checkPayload, checkReply, checkRequest, checkResult, parseChecked } from "./wire.js";

const payload = {
  v: 1,
  kind: "rlvr-trial",
  runId: "job-1.a_b",
  runner: "rlvr-job",
  input: { settings: { epochs: 3 }, data: "sha256:00" },
  task: { number: 3, seed: 4_000_000_000, params: { lr: 0.1, layers: 2, opt: "adam", bias: true } },
};

describe("wire schemas", () => {
  it("accepts the messages of this version", () => {
    expect(checkPayload(payload).ok).toBe(true);
    expect(
      checkResult({
        v: 1,
        kind: "rlvr-trial-result",
        outcome: { state: "complete", value: 1.5 },
        reports: [[0, 2]],
      }).ok,
    ).toBe(true);
    expect(checkRequest({ v: 1, reply: "w:run-3:1", jobId: "run-3", kind: "prune", seq: 0 }).ok).toBe(true);
    expect(checkReply({ v: 1, ok: true, prune: false }).ok).toBe(true);
  });

  it("names the member that is wrong", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...payload, runId: "a:b" }, /\/runId: must match pattern/],
      [{ ...payload, task: { ...payload.task, number: -1 } }, /\/task\/number: must be >= 0/],
      [{ ...payload, task: { ...payload.task, params: { x: [1] } } }, /\/task\/params\/x/],
      [{ ...payload, module: "/tmp/evil.mjs" }, /\/module: unknown member/],
      [{ ...payload, v: 2 }, /\/v: must be equal to constant/],
    ];
    for (const [value, reason] of cases) {
      const checked = checkPayload(value);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.reason).toMatch(reason);
    }
    expect(checkRequest({ v: 1, reply: "../../etc", jobId: "x", kind: "prune", seq: 0 }).ok).toBe(false);
    expect(checkResult({ v: 1, kind: "rlvr-trial-result", outcome: { state: "done" }, reports: [] }).ok).toBe(
      false,
    );
  });

  it("parses JSON text and reports text that is not JSON", () => {
    expect(parseChecked('{"v":1,"ok":true}', checkReply).ok).toBe(true);
    expect(parseChecked("{nope", checkReply)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not JSON/),
    });
  });
});
