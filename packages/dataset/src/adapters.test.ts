import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, jsonl, tempDir } from "./__fixtures__/helpers.js";
import { DatasetError } from "./errors.js";
import { canonicalJson } from "./internal/_canonical-json.js";
import { formatIssue } from "./issues.js";
import { loadDataset, validateDatasetFile } from "./read.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const write = (content: string, ext: string) => tmp.write(`a-${n++}${ext}`, content);

const trace = JSON.parse(readFileSync(fixture("learning-trace.json"), "utf8"));
const legacy = JSON.parse(readFileSync(fixture("legacy-rlvr.json"), "utf8"));

describe("learning-trace adapter", () => {
  it("maps requestId → groupId, toolName → action, verificationPassed → verified, keeps the dataset identity", async () => {
    const { dataset, excluded, warnings } = await loadDataset(fixture("learning-trace.json"));
    expect(dataset).toMatchObject({
      id: "trace-ds",
      label: "learning traces, week 5",
      createdAt: "2025-01-31T12:00:00.000Z",
    });
    expect(dataset.examples.map((e) => [e.id, e.groupId, e.action, e.reward, e.verified, e.source])).toEqual([
      ["trace-1", "req-1", "READ_FILE", 0.95, true, "user"],
      ["trace-2", "req-1", "SHELL_EXEC", 0.45, true, "user"],
      ["trace-4", "req-3", "READ_FILE", 0.2, false, "api"],
    ]);
    expect(excluded).toEqual({ rewardHackingConfirmed: 1 });
    expect(warnings.map((w) => w.message).join("\n")).toMatch(
      /1 example labelled rewardHackingSignal "suspected" kept/,
    );
  });

  it("takes the context from metadata.context and source, never from toolInput", async () => {
    const { dataset } = await loadDataset(fixture("learning-trace.json"));
    const [first, , last] = dataset.examples;
    expect(first!.context).toEqual({
      prompt: "How many lines does README.md have?",
      features: { channel: "cli", source: "user" },
    });
    expect(last!.context).toEqual({ features: { source: "api" } });
    expect(JSON.stringify(dataset.examples.map((e) => e.context))).not.toMatch(
      /README\.md"|wc -l|package\.json/,
    );
    expect(first!.metadata).toMatchObject({
      toolInput: { path: "README.md" },
      toolOutput: { lines: 42 },
      durationMs: 25,
      correlationId: "corr-1",
      labels: { rewardHackingSignal: "none" },
      traceMetadata: { context: { prompt: "How many lines does README.md have?" } },
    });
  });

  it("points non-finite numbers in the trace's own metadata at the trace's metadata", async () => {
    const doc = structuredClone(trace);
    doc.examples[0].metadata = { score: 1 };
    const text = JSON.stringify(doc, null, 2).replace('"score": 1', '"score": 1e999');
    const r = await validateDatasetFile(write(text, ".json"));
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual([["NOT_FINITE", "/examples/0/metadata/score"]]);
  });

  it("reads the { dataset } wrapper to the same examples", async () => {
    const a = await loadDataset(fixture("learning-trace.json"));
    const b = await loadDataset(fixture("learning-trace-wrapped.json"));
    expect(b.digest).toBe(a.digest);
    const bad = structuredClone(trace);
    bad.examples[0].reward = 3;
    const r = await validateDatasetFile(write(JSON.stringify({ dataset: bad }, null, 2), ".json"));
    expect(r.issues[0]).toMatchObject({ code: "OUT_OF_RANGE", pointer: "/dataset/examples/0/reward" });
  });

  it("applies the suspected policy: keep, exclude, reject", async () => {
    const exclude = await loadDataset(fixture("learning-trace.json"), { trace: { suspected: "exclude" } });
    expect(exclude.dataset.examples.map((e) => e.id)).toEqual(["trace-1", "trace-4"]);
    expect(exclude.excluded).toEqual({ rewardHackingConfirmed: 1, rewardHackingSuspected: 1 });
    const reject = await validateDatasetFile(fixture("learning-trace.json"), {
      trace: { suspected: "reject" },
    });
    expect(reject.valid).toBe(false);
    expect(reject.issues).toEqual([
      expect.objectContaining({
        code: "REWARD_HACKING_SUSPECTED",
        pointer: "/examples/1/labels/rewardHackingSignal",
      }),
    ]);
    expect(reject.issues[0]!.line).toBeGreaterThan(1);
  });

  it("reports a dataset where every example is excluded as empty", async () => {
    const all = structuredClone(trace);
    for (const e of all.examples) e.labels.rewardHackingSignal = "confirmed";
    const r = await validateDatasetFile(write(JSON.stringify(all), ".json"));
    expect(r.issues).toEqual([
      expect.objectContaining({ code: "EMPTY_DATASET", message: "no example left: all 4 were excluded" }),
    ]);
  });

  it("validates the trace shape strictly, with pointers into the source", async () => {
    const bad = structuredClone(trace);
    bad.examples[0].labels.rewardHackingSignal = "maybe";
    bad.examples[1].toolInput = "ls";
    bad.examples[2].unknown = 1;
    delete bad.examples[3].verificationPassed;
    bad.createdAt = -5;
    const r = await validateDatasetFile(write(JSON.stringify(bad, null, 2), ".json"));
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual([
      ["OUT_OF_RANGE", "/createdAt"],
      ["INVALID_VALUE", "/examples/0/labels/rewardHackingSignal"],
      ["WRONG_TYPE", "/examples/1/toolInput"],
      ["UNKNOWN_FIELD", "/examples/2/unknown"],
      ["MISSING_FIELD", "/examples/3/verificationPassed"],
    ]);
    expect(r.issues[1]!.expected).toBe('one of "none", "suspected", "confirmed"');
  });

  it("points context problems at the source field", async () => {
    const bad = structuredClone(trace);
    bad.examples[0].metadata.context.prompt = 42;
    bad.examples[1].metadata.context.features = { nested: { x: 1 } };
    const r = await validateDatasetFile(write(JSON.stringify(bad, null, 2), ".json"));
    expect(r.issues.map((i) => [i.code, i.pointer])).toEqual([
      ["WRONG_TYPE", "/examples/0/metadata/context/prompt"],
      ["WRONG_TYPE", "/examples/1/metadata/context/features/nested"],
    ]);
  });

  it("numbers examples without an id within their request", async () => {
    const noIds = structuredClone(trace);
    for (const e of noIds.examples) delete e.id;
    const { dataset } = await loadDataset(write(JSON.stringify(noIds), ".json"));
    expect(dataset.examples.map((e) => e.id)).toEqual(["req-1#0", "req-1#1", "req-3#0"]);
  });

  it("can take the context from other fields, and refuses fields written after the action", async () => {
    const { dataset } = await loadDataset(fixture("learning-trace.json"), {
      trace: {
        context: { prompt: null, features: null, featureFields: { req: "/requestId", src: "/source" } },
      },
    });
    expect(dataset.examples[0]!.context).toEqual({ features: { req: "req-1", src: "user" } });
    for (const pointer of [
      "/toolInput/path",
      "/toolOutput",
      "/labels/taskOutcome",
      "/metadata/labels",
      "/reward",
    ]) {
      const p = validateDatasetFile(fixture("learning-trace.json"), {
        trace: { context: { prompt: pointer } },
      });
      await expect(p).rejects.toThrow(/would leak it into the context/);
    }
    await expect(
      validateDatasetFile(fixture("learning-trace.json"), { trace: { context: { prompt: "no-slash" } } }),
    ).rejects.toSatisfy((e: unknown) => DatasetError.is(e) && e.code === "BAD_OPTIONS");
  });
});

describe("legacy-rlvr adapter", () => {
  it("maps scenarioId to the group (else the example is its own group), toolName to the action", async () => {
    const { dataset } = await loadDataset(fixture("legacy-rlvr.json"));
    expect(dataset).toMatchObject({
      id: "train-1",
      label: "baseline",
      createdAt: "2025-01-31T12:00:00.000Z",
      metadata: { origin: "autonomy/learning/training" },
    });
    expect(dataset.examples.map((e) => [e.id, e.groupId, e.action, e.reward, e.verified])).toEqual([
      ["ex-1", "req-1", "READ_FILE", 0.8, true],
      // metadata.verificationPassed wins over the reward threshold
      ["ex-2", "req-1", "SHELL_EXEC", 0.3, true],
      ["ex-3", "ex-3", "READ_FILE", 0.6, true],
    ]);
    expect(dataset.examples[0]!.context).toEqual({ features: { source: "user" } });
  });

  it("derives verified from the documented threshold", async () => {
    const { dataset } = await loadDataset(fixture("legacy-rlvr.json"), {
      legacy: { verifiedThreshold: 0.7 },
    });
    expect(dataset.examples.map((e) => e.verified)).toEqual([true, true, false]);
    await expect(
      loadDataset(fixture("legacy-rlvr.json"), { legacy: { verifiedThreshold: 2 } }),
    ).rejects.toThrow(/legacy\.verifiedThreshold must be a number in \[0, 1\]/);
  });

  it("excludes examples labelled as confirmed reward hacking and validates strictly", async () => {
    const doc = structuredClone(legacy);
    doc.examples[0].metadata = { labels: { rewardHackingSignal: "confirmed" } };
    const r = await loadDataset(write(JSON.stringify(doc), ".json"));
    expect(r.excluded).toEqual({ rewardHackingConfirmed: 1 });
    doc.examples[1].reward = 1.2;
    doc.examples[2].toolName = "";
    const bad = await validateDatasetFile(write(JSON.stringify(doc, null, 2), ".json"));
    expect(bad.issues.map(formatIssue).map((s) => s.replace(/^.*?: /, ""))).toEqual([
      "/examples/1/reward: out of range (got 1.2, expected number in [0, 1])",
      '/examples/2/toolName: empty string (got "", expected string of 1 to 256 characters)',
    ]);
  });
});

describe("completions adapter", () => {
  const hashOf = (prompt: unknown) =>
    `prompt-${createHash("sha256").update(canonicalJson(prompt)).digest("hex").slice(0, 32)}`;

  it("groups by prompt (hash, or group_id / prompt_id) and numbers completions within the group", async () => {
    const { dataset } = await loadDataset(fixture("completions.jsonl"));
    const g = hashOf("What is 17 * 3? Answer with a number.");
    expect(dataset.examples.map((e) => [e.id, e.groupId, e.action, e.reward, e.verified])).toEqual([
      [`${g}#0`, g, "51", 1, true],
      [`${g}#1`, g, "54", 0, false],
      ["p-2#0", "p-2", "LIST_DIR", 1, true],
      ["p-3#0", "p-3", "summary-a", 0.7, true],
    ]);
    expect(dataset.examples[0]!.metadata).toEqual({ model: "policy-v3" });
    expect(dataset.examples[2]!.context.prompt).toBe("system: Pick a tool.\nuser: List the files.");
    expect(dataset.examples[3]!.rewards).toEqual({ faithful: 1, concise: 0.4 });
  });

  it("keeps numbering across files of one load, so shards do not collide", async () => {
    const a = write(jsonl([{ prompt: "p", completion: "x", reward: 1 }]), ".jsonl");
    const b = write(jsonl([{ prompt: "p", completion: "y", reward: 0 }]), ".jsonl");
    const { dataset } = await loadDataset([a, b]);
    expect(dataset.examples.map((e) => e.id)).toEqual([`${hashOf("p")}#0`, `${hashOf("p")}#1`]);
  });

  it("rescales rewards from rewardRange and sets verified by threshold", async () => {
    const file = write(
      jsonl([
        { prompt: "p", completion: "a", reward: -1 },
        { prompt: "p", completion: "b", reward: 0.5 },
      ]),
      ".jsonl",
    );
    const { dataset } = await loadDataset(file, {
      completions: { rewardRange: [-1, 1], verifiedThreshold: 0.75 },
    });
    expect(dataset.examples.map((e) => [e.reward, e.verified])).toEqual([
      [0, false],
      [0.75, true],
    ]);
    const r = await validateDatasetFile(file);
    expect(r.issues[0]).toMatchObject({
      code: "OUT_OF_RANGE",
      line: 1,
      pointer: "/reward",
      expected: "number in [0, 1]",
    });
  });

  it("explains why a long completion cannot be an action", async () => {
    const r = await validateDatasetFile(
      write(jsonl([{ prompt: "p", completion: "x".repeat(300), reward: 1 }]), ".jsonl"),
    );
    expect(r.issues[0]).toMatchObject({ code: "INVALID_VALUE", pointer: "/completion" });
    expect(r.issues[0]!.message).toMatch(/300 characters.*completion_id/);
  });

  it("reports shape problems with pointers into the line", async () => {
    const lines = [
      { prompt: "p", completion: ["not a message"], reward: 1 },
      { prompt: "p", completion: "a", reward: "1" },
      { prompt: "p", completion: "a" },
      { prompt: "p", completion: "a", reward: 1, group_id: { x: 1 } },
      { prompt: "p", completion: "a", reward: 1, rewards: { r: 9 } },
      { prompt: "p", completion: "a", reward: 1, features: { f: [1] } },
    ];
    const text = `${jsonl(lines)}{"prompt":"p","completion":"a","reward":1,"constructor":1}\n`;
    const r = await validateDatasetFile(write(text, ".jsonl"), { format: "completions" });
    expect(r.issues.map((i) => [i.line, i.code, i.pointer])).toEqual([
      [1, "WRONG_TYPE", "/completion"],
      [2, "WRONG_TYPE", "/reward"],
      [3, "MISSING_FIELD", "/reward"],
      [4, "WRONG_TYPE", "/group_id"],
      [5, "OUT_OF_RANGE", "/rewards/r"],
      [6, "WRONG_TYPE", "/features/f"],
      [7, "FORBIDDEN_KEY", "/constructor"],
    ]);
  });
});
