import { describe, expect, it } from "vitest";
import { OrchestratorError } from "../errors.js";
import { parseActInput } from "./checkpoint.js";
import { checkManifest, diffManifests } from "./manifest.js";
import { specWithParams } from "./params.js";
import { diffJson } from "./records.js";

const fails = (f: () => unknown, words: RegExp) => {
  try {
    f();
  } catch (error) {
    expect(OrchestratorError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(words);
    return;
  }
  throw new Error("expected an error");
};

describe("command-level tools", () => {
  it("parseActInput takes bare and wrapped contexts and names the bad member", () => {
    expect(parseActInput({ prompt: "p", id: 3 })).toEqual({ id: 3, context: { prompt: "p" } });
    expect(parseActInput({ context: { features: { a: 1 } }, allowedActions: ["x"] })).toEqual({
      id: null,
      context: { features: { a: 1 } },
      allowedActions: ["x"],
    });
    fails(() => parseActInput([]), /expected a JSON object/);
    fails(() => parseActInput({ prompt: 1 }), /^\/prompt: expected a string/);
    fails(() => parseActInput({ features: { a: null } }), /^\/features\/a: /);
    fails(
      () => parseActInput({ context: { prompt: "p" }, id: 1, extra: 2, allowedActions: [1] }),
      /allowedActions/,
    );
    fails(() => parseActInput({ promt: "p" }), /^\/promt: unknown member/);
  });

  it("diffJson lists every differing leaf by pointer, exactly", () => {
    expect(diffJson({ a: [1, 2], "b/c": 1, d: "same" }, { a: [1, 3], "b/c": 2, d: "same" })).toEqual([
      { pointer: "/a/1", a: 2, b: 3 },
      { pointer: "/b~1c", a: 1, b: 2 },
    ]);
    expect(diffJson({ x: 0.3 }, { x: 0.1 + 0.2 })).toEqual([{ pointer: "/x", a: 0.3, b: 0.1 + 0.2 }]);
    expect(diffJson({ a: 1 }, { a: 2, b: 2 }, 1)).toHaveLength(1);
  });

  it("specWithParams sets dotted parameters and rejects unknown paths", () => {
    const spec = { datasets: ["d.jsonl"] };
    expect(specWithParams(spec, { "optimizer.learningRate": 0.03, epochs: 2 }).rlvr).toMatchObject({
      optimizer: { learningRate: 0.03 },
      epochs: 2,
    });
    fails(() => specWithParams(spec, { "optimizer.lr": 1 }), /optimizer\.lr/);
  });

  it("diffManifests refuses a manifest that does not verify, naming it", () => {
    expect(checkManifest({}).ok).toBe(false);
    fails(() => diffManifests({}, {}, ["a.json", "b.json"]), /^a\.json: not a trustworthy manifest/);
  });
});
