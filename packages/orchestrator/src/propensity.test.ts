import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { smallSpec, tempDir, writeTraceLogs } from "./__fixtures__/data.js";
import {
  fingerprintJob,
  jobFileJsonSchema,
  OrchestratorError,
  resolveJobSpec,
  validateJobSpec,
} from "./index.js";

describe("propensityPointer in the job spec", () => {
  it("defaults to null and is kept when given", () => {
    expect(resolveJobSpec({ datasets: ["a.json"] }).propensityPointer).toBeNull();
    expect(resolveJobSpec({ datasets: ["a.json"], propensityPointer: null }).propensityPointer).toBeNull();
    expect(
      resolveJobSpec({ datasets: ["a.json"], propensityPointer: "/metadata/routing~1v2/p" })
        .propensityPointer,
    ).toBe("/metadata/routing~1v2/p");
  });

  it("reports a malformed pointer and a native format with the member's JSON pointer", () => {
    expect(validateJobSpec({ datasets: ["a"], propensityPointer: "metadata/p" })).toEqual([
      '/propensityPointer: is not a JSON pointer (RFC 6901): it must start with "/", e.g. "/metadata/behaviorProbability" (got "metadata/p")',
    ]);
    expect(validateJobSpec({ datasets: ["a"], propensityPointer: "/a~2" }).join()).toMatch(
      /^\/propensityPointer: .*"~" at character 3 must be followed by 0 or 1/,
    );
    expect(validateJobSpec({ datasets: ["a"], propensityPointer: 3 }).join()).toMatch(/\/propensityPointer/);
    expect(validateJobSpec({ datasets: ["a"], format: "jsonl", propensityPointer: "/p" }).join()).toMatch(
      /\/propensityPointer: applies to the learning-trace, legacy-rlvr and completions formats only; jsonl/,
    );
    expect(() => resolveJobSpec({ datasets: ["a"], propensityPointer: "p" })).toThrow(OrchestratorError);
  });

  it("is in the job file's JSON Schema, and the published file matches", () => {
    const schema = jobFileJsonSchema() as { properties: Record<string, unknown> };
    expect(schema.properties["propensityPointer"]).toMatchObject({
      anyOf: [{ type: "string" }, { type: "null" }],
    });
    const file = readFileSync(new URL("../schema/job-file.json", import.meta.url), "utf8");
    expect(JSON.parse(file)).toEqual(JSON.parse(JSON.stringify(jobFileJsonSchema())));
  });

  it("reaches the loader; the propensities enter the content digest, so the fingerprint follows", async () => {
    const dir = tempDir();
    const data = writeTraceLogs(dir, 400);
    const without = await fingerprintJob(smallSpec(data, dir));
    const withP = await fingerprintJob(
      smallSpec(data, dir, { propensityPointer: "/metadata/behaviorProbability" }),
    );
    expect(without.dataset.format).toBe("learning-trace");
    expect(without.dataset.stats.fracWithBehaviorProb).toBe(0);
    expect(withP.dataset.stats.fracWithBehaviorProb).toBe(1);
    expect(withP.dataset.digest).not.toBe(without.dataset.digest);
    expect(withP.fingerprint).not.toBe(without.fingerprint);
    // not an input of its own: only through the digest
    expect(JSON.stringify(withP.environment)).not.toContain("propensityPointer");
    const error = await fingerprintJob(smallSpec(data, dir, { propensityPointer: "/metadata/p" })).catch(
      (e: unknown) => e,
    );
    expect(OrchestratorError.is(error) && error.code).toBe("DATASET_INVALID");
  });
});
