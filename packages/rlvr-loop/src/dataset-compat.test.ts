import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset, validateExample } from "@rlvr/dataset";
import { afterAll, describe, expect, it } from "vitest";
import { learningTraceToJson } from "./generate-logs.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { createTraceWorld } from "./trace-world.js";

// The generated logs must be readable by @rlvr/dataset in both formats.
const dir = mkdtempSync(join(tmpdir(), "rlvr-loop-compat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("generated logs and @rlvr/dataset", () => {
  const logs = createToolRoutingEnvironment().generateLogs({
    n: 60,
    seed: 8,
    id: "compat",
    createdAt: "2025-01-01T00:00:00.000Z",
  });

  it("every generated example is a valid RlvrExample", () => {
    for (const e of logs.dataset.examples) expect(validateExample(e)).toEqual([]);
  });

  it("the JSONL and learning-trace files load to the same decisions", async () => {
    const jsonl = join(dir, "logs.jsonl");
    const trace = join(dir, "logs.learning-trace.json");
    writeFileSync(jsonl, `${logs.dataset.examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
    writeFileSync(trace, JSON.stringify(logs.trace));
    const a = await loadDataset(jsonl);
    const b = await loadDataset(trace);
    expect(a.dataset.examples).toHaveLength(60);
    expect(
      b.dataset.examples.map((e) => [e.id, e.groupId, e.action, e.reward, e.verified, e.context.prompt]),
    ).toEqual(
      a.dataset.examples.map((e) => [e.id, e.groupId, e.action, e.reward, e.verified, e.context.prompt]),
    );
  });

  it("learningTraceToJson round-trips trace-world logs through loadDataset, with and without propensities", async () => {
    const world = createTraceWorld({ distractors: 1 });
    for (const omitPropensities of [false, true]) {
      const logs = world.generateTraceLogs({
        n: 80,
        seed: 3,
        omitPropensities,
        createdAt: "2025-01-01T00:00:00.000Z",
      });
      const file = join(dir, `trace-${omitPropensities}.json`);
      writeFileSync(file, learningTraceToJson(logs.trace));
      const loaded = await loadDataset(file);
      expect(loaded.formats).toEqual(["learning-trace"]);
      expect(loaded.dataset.examples).toHaveLength(80);
      loaded.dataset.examples.forEach((e, i) => {
        const o = logs.dataset.examples[i]!;
        expect([e.id, e.groupId, e.action, e.reward, e.verified]).toEqual([
          o.id,
          o.groupId,
          o.action,
          o.reward,
          o.verified,
        ]);
        expect(e.context).toEqual({
          prompt: o.context.prompt,
          features: { ...o.context.features, source: "tool-routing" },
        });
        const meta = (e.metadata as { traceMetadata: { behaviorProb?: number } }).traceMetadata;
        expect(meta.behaviorProb).toBe(omitPropensities ? undefined : o.behaviorProb);
      });
    }
  });
});
