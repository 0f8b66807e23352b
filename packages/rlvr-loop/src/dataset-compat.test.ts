import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset, validateExample } from "@rlvr/dataset";
import { afterAll, describe, expect, it } from "vitest";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";

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
});
