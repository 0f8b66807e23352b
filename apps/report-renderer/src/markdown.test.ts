import { describe, expect, it } from "vitest";
import { demoRecord } from "./__fixtures__/demo.js";
import { makeMaliciousRecord, makeRecord, XSS } from "./__fixtures__/records.js";
import { ReportError } from "./errors.js";
import { renderMarkdown } from "./markdown.js";

/** The cells of a GFM table row: split at unescaped pipes. */
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1);

describe("renderMarkdown", () => {
  const md = renderMarkdown(demoRecord(), { recordFile: "demo.job.json" });

  it("puts the summary first: verdict, then the learned policy next to the three baselines", () => {
    const headings = md.split("\n").filter((l) => l.startsWith("#"));
    expect(headings).toEqual([
      "# Job report: demo",
      "## Summary",
      "## Reproduce",
      "## Best parameters",
      "## Trials",
      "## Parameter importance",
      "## Training",
      "## Off-policy estimates on test",
      "## Actions",
      "## Dataset",
      "## Artifacts",
      "## Timings",
    ]);
    const summary = md.slice(md.indexOf("## Summary"), md.indexOf("## Reproduce"));
    expect(summary).toMatch(
      /\*\*Verdict:\*\* Better than the logged behavior by \+0\.331 \(95 % interval \+0\.\d+ to \+0\.\d+\), interval excludes zero\./,
    );
    for (const name of [
      "**learned policy**",
      "logged behavior",
      "uniform random",
      "best single action: code-interpreter",
    ]) {
      expect(summary).toContain(name);
    }
    const r = demoRecord();
    expect(summary).toContain(`**${r.evaluation!.learned.dr.value.toFixed(3)}**`);
    expect(summary).toContain(
      `${r.evaluation!.learned.dr.lower.toFixed(3)} – ${r.evaluation!.learned.dr.upper.toFixed(3)}`,
    );
  });

  it("gives what is needed to reproduce: fingerprint, dataset digest, seed, replay command", () => {
    const r = demoRecord();
    expect(md).toContain(`| fingerprint | \`${r.fingerprint}\` |`);
    expect(md).toContain(`| dataset digest | \`${r.dataset!.digest}\` |`);
    expect(md).toContain("| seed | `7` |");
    expect(md).toContain("```sh\nrlvr-train replay demo.job.json\n```");
  });

  it("sorts the trials by value and marks pruned and failed ones", () => {
    const md2 = renderMarkdown(makeRecord({ trials: 20 }), { maxTrialRows: 100 });
    const rows = md2
      .slice(md2.indexOf("## Trials"), md2.indexOf("## Parameter importance"))
      .split("\n")
      .filter((l) => /^\| \d+ \|/.test(l))
      .map(cells);
    expect(rows).toHaveLength(20);
    const states = rows.map((c) => c[2]!.trim());
    const values = rows.filter((c) => c[2]!.trim() === "complete").map((c) => Number(c[3]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(states.findIndex((s) => s.startsWith("**pruned**"))).toBeGreaterThan(
      states.lastIndexOf("complete"),
    );
    expect(states.some((s) => s === "**failed** `INVALID_VALUE`")).toBe(true);
    expect(rows[0]![1]).toContain("(best)");
  });

  it("caps the trials table and says how many were left out", () => {
    const md2 = renderMarkdown(makeRecord({ trials: 50 }), { maxTrialRows: 10 });
    expect(md2).toContain("… 40 more trials in the job record.");
  });

  it("shows importance, training curves, estimates and the checkpoint with its digests", () => {
    const r = demoRecord();
    expect(md).toMatch(/\| `optimizer\.learningRate` \| \d+\.\d % \|/);
    expect(md).toMatch(/\| reward \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| `[▁▂▃▄▅▆▇█]+` \|/);
    expect(md).toContain(`\`${r.checkpoint!.fileDigest}\` (file)`);
    expect(md).toContain("| learned policy | ");
  });

  it("keeps every table rectangular and every data string inert", () => {
    const evil = renderMarkdown(makeMaliciousRecord());
    // Outside code spans (where CommonMark shows `<` literally) no markup character is raw.
    const prose = evil.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
    expect(prose).not.toMatch(/[<>]/);
    expect(prose).not.toContain("](javascript:");
    expect(evil).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // Inside code spans the payload is literal text.
    expect(evil).toContain(`| \`${XSS}\` |`);
    const lines = evil.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!/^\| ---/.test(lines[i]!)) continue;
      const width = cells(lines[i]!).length;
      for (let j = i - 1; j < lines.length && lines[j]!.startsWith("|"); j++) {
        expect(cells(lines[j]!).length, lines[j]).toBe(width);
      }
    }
  });

  it("is deterministic, and without the volatile section identical across runs", () => {
    expect(renderMarkdown(demoRecord(), { recordFile: "demo.job.json" })).toBe(md);
    const a = makeRecord();
    const b = { ...makeRecord(), volatile: { ...a.volatile, host: "other", durationMs: 99 } };
    expect(renderMarkdown(a, { includeVolatile: false })).toBe(renderMarkdown(b, { includeVolatile: false }));
    expect(renderMarkdown(a, { includeVolatile: false })).not.toContain("## Timings");
  });

  it("renders a cancelled job with its error and no verdict", () => {
    const out = renderMarkdown(makeRecord({ status: "cancelled" }));
    expect(out).toContain(
      "> **Job cancelled during tune:** `ABORTED` the job was cancelled &lt;by the user&gt;",
    );
    expect(out).toContain(
      "**Verdict:** No verdict: the job cancelled during tune before the evaluation on test.",
    );
    expect(out).toContain("No checkpoint was written.");
  });

  it("validates its input and options", () => {
    expect(() => renderMarkdown({ foo: 1 } as never)).toThrow(/not a job record/);
    try {
      renderMarkdown(makeRecord(), { maxTrialRows: 0 });
      expect.unreachable();
    } catch (error) {
      expect(ReportError.is(error) && error.code).toBe("INVALID_ARGUMENT");
      expect((error as Error).message).toBe(
        "renderMarkdown: options.maxTrialRows must be an integer >= 1, got 0",
      );
    }
  });
});
