import { beforeAll, describe, expect, it } from "vitest";
import { demoRecord } from "./__fixtures__/demo.js";
import { makeMaliciousRecord, makeRecord } from "./__fixtures__/records.js";
import { compareRuns, type RenderedComparison, renderComparison } from "./compare.js";
import { ReportError } from "./errors.js";

describe("compareRuns", () => {
  it("reports the fingerprint-input diff and whether the learned values differ beyond their intervals", () => {
    const a = makeRecord({ learningRate: 0.05, learnedShift: 0.18 });
    const b = makeRecord({ learningRate: 0.1, learnedShift: 0.19 });
    const c = makeRecord({ learningRate: 0.05, learnedShift: 0.01, status: "succeeded" });
    const [ra, rb, rc] = compareRuns([a, b, c]);
    expect(ra!.inputDiff).toEqual([]);
    expect(rb!.inputDiff).toEqual([
      { pointer: "/rlvrConfig/learningRate", kind: "changed", a: 0.05, b: 0.1 },
    ]);
    expect(rb!.significance).toBe("within-intervals");
    expect(rb!.difference).toBeCloseTo(0.01, 12);
    expect(rc!.inputDiff).toEqual([]);
    expect(rc!.significance).toBe("beyond-intervals");
    expect(rc!.difference).toBeCloseTo(-0.17, 12);
  });

  it("has nothing to compare for a run without evaluation", () => {
    const [, r] = compareRuns([makeRecord(), makeRecord({ status: "failed" })]);
    expect(r!.significance).toBe("unavailable");
    expect(r!.difference).toBeNaN();
  });
});

describe("renderComparison", () => {
  let out: RenderedComparison;
  beforeAll(async () => {
    out = await renderComparison([demoRecord(), makeRecord({ learningRate: 0.1 }), makeMaliciousRecord()]);
  });

  it("lays the runs side by side in Markdown with the input diff", () => {
    const md = out.markdown;
    expect(md.startsWith("# Run comparison\n")).toBe(true);
    const dr = demoRecord().evaluation!.learned.dr;
    expect(md).toMatch(
      new RegExp(
        `\\| #1 demo \\| \`job-[0-9a-f]{16}\` \\| succeeded \\| ${dr.value.toFixed(3)} \\| ${dr.lower.toFixed(3)} – ${dr.upper.toFixed(3)} \\| 0\\.432 \\| reference \\|`,
      ),
    );
    expect(md).toContain("### #2 demo against #1 demo");
    expect(md).toContain("| `/dataset/digest` | changed |");
    expect(md).toMatch(/vs #1: (differs beyond the intervals|within the intervals \(not distinguishable\))/);
    expect(md).not.toMatch(/<script|<img|<svg/);
  });

  it("renders one self-contained HTML page with an interval chart", () => {
    const html = out.html;
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('id="chart-compare-estimates"');
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("<caption>#2 demo against #1 demo: ");
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
  });

  it("needs two valid records and names the bad one", async () => {
    await expect(renderComparison([makeRecord()])).rejects.toThrow(/at least two job records, got 1/);
    const error = await renderComparison([makeRecord(), { nope: true } as never]).catch((e: unknown) => e);
    expect(ReportError.is(error) && error.code).toBe("INVALID_RECORD");
    expect((error as Error).message).toMatch(/^record #2: not a job record/);
  });
});
