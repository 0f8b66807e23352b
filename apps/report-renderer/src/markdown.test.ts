import { describe, expect, it } from "vitest";
import { demoRecord } from "./__fixtures__/demo.js";
import { makeBaselineShippedRecord, makeMaliciousRecord, makeRecord, XSS } from "./__fixtures__/records.js";
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
      "## Shipped policy",
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
      /\*\*Verdict:\*\* Better than the logged behavior by \+0\.\d{3} \(95 % interval \+0\.\d+ to \+0\.\d+\), interval excludes zero\.$/m,
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

  it("says which policy was shipped and why, with the paired validation differences and the test value", () => {
    const r = demoRecord();
    const s = r.shipping!;
    const section = md.slice(md.indexOf("## Shipped policy"), md.indexOf("## Reproduce"));
    expect(section).toContain(
      "**Shipped: learned policy** · rule `safe`. The learned policy beats both baselines",
    );
    expect(section).toContain("| paired DR difference (validation) | value | 95 % interval | above 0 |");
    const d = s.differences.learnedMinusBehavior;
    expect(section).toContain(
      `| learned − behavior | +${d.value.toFixed(3)} | +${d.lower.toFixed(3)} – +${d.upper.toFixed(3)} | yes |`,
    );
    expect(section).toContain(`| learned − always "${s.bestSingleAction.action}" | +`);
    expect(section).toContain(
      `**Shipped policy on test:** ${s.shippedTest!.value.toFixed(3)} (95 % interval ${s.shippedTest!.lower.toFixed(3)} – `,
    );
    expect(section).not.toContain("Warning");
    expect(section).not.toContain("Forced");
    expect(section).toContain(
      "**Final model:** Best trial #1 reproduced on train with its parameters and seed (identical validation curve)",
    );
    expect(section).toContain("Objective: dm (direct-method policy gradient on a reward model cross-fitted");
    expect(md.match(/\*\*Final model:\*\*/g)).toHaveLength(1);
  });

  it("does not present the learned policy as deployed when a baseline was shipped", () => {
    const out = renderMarkdown(makeBaselineShippedRecord());
    expect(out).toContain(
      "interval excludes zero. The learned policy was not shipped: the checkpoint holds the behavior model (see Shipped policy).",
    );
    const section = out.slice(out.indexOf("## Shipped policy"), out.indexOf("## Reproduce"));
    expect(section).toContain("**Shipped: behavior model (imitates the logging policy)** · rule `safe`.");
    expect(section).toContain(
      "so a behavior model fitted on train (imitating the logging policy) is shipped.",
    );
    expect(section).toContain("**Warning:** The final training used the validation split");
    expect(section).toContain("| learned − behavior | +0.010 | −0.030 – +0.050 | no |");
    expect(section).toContain(
      "**Shipped policy on test:** 0.520 (95 % interval 0.490 – 0.550; the behavior's mean logged reward).",
    );
    const single = renderMarkdown(makeRecord({ shipped: "single-action" }));
    expect(single).toContain('the checkpoint holds the single-action policy (always "calculator")');
    expect(single).toContain('**Shipped: single action: always "calculator"**');
  });

  it("says when the learned policy was forced", () => {
    const out = renderMarkdown(makeRecord({ shipped: "learned", forced: true }));
    expect(out).toContain("**Shipped: learned policy** (forced) · rule `learned`.");
    expect(out).toContain(
      '**Forced:** The learned policy was shipped because the shipping rule is "learned"',
    );
    expect(out).not.toContain("The learned policy was not shipped");
  });

  it("renders an older record without shipping and selection, with no such section", () => {
    const out = renderMarkdown(makeRecord());
    expect(out).not.toContain("## Shipped policy");
    expect(out).not.toContain("Final model");
    expect(out).not.toContain("was not shipped");
    // a record with a selection but no shipping decision (e.g. older orchestrator) shows it under Training
    const r = makeRecord({ shipped: "learned" });
    const { shipping: _s, ...noShipping } = r;
    const out2 = renderMarkdown(noShipping as typeof r);
    expect(out2).not.toContain("## Shipped policy");
    const training = out2.slice(out2.indexOf("## Training"), out2.indexOf("## Off-policy"));
    expect(training).toContain("**Final model:** Best trial #");
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
