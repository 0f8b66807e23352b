import { beforeAll, describe, expect, it } from "vitest";
import { demoRecord } from "./__fixtures__/demo.js";
import { makeBaselineShippedRecord, makeMaliciousRecord, makeRecord } from "./__fixtures__/records.js";
import { renderHtml } from "./html.js";
import { REPORT_CSP } from "./internal/page.js";

/** Every start tag with its attribute values blanked (values are escaped text). */
const tagsOf = (html: string) =>
  [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
const figuresOf = (html: string) => [
  ...html.matchAll(/<figure class="chart" id="chart-([\w-]+)"[\s\S]*?<\/figure>/g),
];

describe("renderHtml", () => {
  let demo = "";
  let evil = "";
  beforeAll(async () => {
    demo = await renderHtml(demoRecord(), { recordFile: "demo.job.json" });
    evil = await renderHtml(makeMaliciousRecord());
  });

  it("is one self-contained page: no script, no external resource, a CSP that forbids both", () => {
    for (const html of [demo, evil]) {
      expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<(link|iframe|object|embed|img|image|foreignObject)\b/i);
      for (const tag of tagsOf(html)) {
        expect(tag).not.toMatch(/\son\w+\s*=/i);
        expect(tag).not.toMatch(/\s(src|xlink:href)\s*=/i);
        const href = /\shref=/.test(tag);
        if (href) expect(tag.startsWith("<a ")).toBe(true);
      }
      // Links only to anchors in the page.
      for (const m of html.matchAll(/<a href="([^"]*)"/g)) expect(m[1]!.startsWith("#")).toBe(true);
      expect(html).not.toMatch(/url\(|@import/);
    }
  });

  it("draws every chart as an SVG with an accessible name and data marks", () => {
    const figures = figuresOf(demo);
    expect(figures.map((f) => f[1])).toEqual([
      "estimates",
      "tuning-history",
      "parameters",
      "training-curves",
      "validation",
      "actions",
    ]);
    for (const [fig] of figures) {
      expect(fig).toMatch(/<svg role="img" focusable="false"[^>]*><title>[^<]+<\/title><desc>[^<]+<\/desc>/);
      expect(fig).toMatch(/<figcaption><strong>[^<]+\.<\/strong>/);
      const marks =
        fig.match(/class="mark-(symbol|line|rule|rect)[^"]*role-mark[^"]*"[^>]*>(<path|<line)/g) ?? [];
      expect(marks.length, fig.slice(0, 120)).toBeGreaterThan(0);
    }
  });

  it("has the same content as the Markdown, with captioned tables and one h1", () => {
    expect(demo.match(/<h1[ >]/g)).toHaveLength(1);
    const tables = demo.match(/<table>/g)?.length ?? 0;
    expect(demo.match(/<table><caption>/g)?.length).toBe(tables);
    expect(tables).toBeGreaterThanOrEqual(8);
    for (const id of [
      "summary",
      "shipped",
      "reproduce",
      "best-parameters",
      "trials",
      "importance",
      "training",
      "estimates",
      "actions",
      "dataset",
      "artifacts",
      "timings",
    ]) {
      expect(demo).toContain(`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">`);
      expect(demo).toContain(`<a href="#${id}">`);
    }
    expect(demo).toContain(
      '<p class="verdict better"><strong>Verdict:</strong> Better than the logged behavior by +0.370',
    );
    expect(demo).toContain("<pre><code>rlvr-train replay demo.job.json</code></pre>");
    expect(demo).toContain(demoRecord().fingerprint);
  });

  it("has a Shipped policy section after the summary; a shipped baseline is said in the verdict", async () => {
    const order = [...demo.matchAll(/<section id="([\w-]+)"/g)].map((x) => x[1]);
    expect(order.slice(0, 3)).toEqual(["summary", "shipped", "reproduce"]);
    const section = demo.slice(
      demo.indexOf('<section id="shipped"'),
      demo.indexOf('<section id="reproduce"'),
    );
    expect(section).toContain("<strong>Shipped: learned policy</strong> · rule <code>safe</code>.");
    expect(section).toContain(
      "<caption>Paired DR differences on the validation split, 95 % intervals</caption>",
    );
    expect(section).toContain("<strong>Shipped policy on test:</strong>");
    expect(section).toContain("<strong>Final model:</strong> Best trial #1 reproduced");
    const baseline = await renderHtml(makeBaselineShippedRecord());
    expect(baseline).toContain("The learned policy was not shipped: the checkpoint holds the behavior model");
    expect(baseline).toContain('<p class="warn" role="note"><strong>Warning:</strong>');
    expect(baseline).toContain("<strong>Shipped: behavior model (imitates the logging policy)</strong>");
    const old = await renderHtml(makeRecord({ trials: 3, steps: 10 }));
    expect(old).not.toContain('id="shipped"');
    expect(old).not.toContain("Final model");
  });

  it("renders every data string as text", () => {
    expect(evil).not.toContain("<script>alert(1)</script>");
    expect(evil).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(evil).not.toMatch(/<img|<svg onload/);
    expect(evil).toContain("<title>Job report: evil &lt;script&gt;");
  });

  it("is deterministic; without the volatile section equal across runs of one job", async () => {
    expect(await renderHtml(demoRecord(), { recordFile: "demo.job.json" })).toBe(demo);
    const a = makeRecord({ trials: 4, steps: 20 });
    const b = { ...a, volatile: { ...a.volatile, host: "elsewhere", startedAt: "2030-01-01T00:00:00.000Z" } };
    const [ha, hb] = [
      await renderHtml(a, { includeVolatile: false }),
      await renderHtml(b, { includeVolatile: false }),
    ];
    expect(ha).toBe(hb);
    expect(ha).not.toContain('id="timings"');
  });

  it("stays small for a large job by downsampling long series, and says so", async () => {
    const big = await renderHtml(makeRecord({ trials: 200, steps: 10_000, epochs: 40 }));
    expect(Buffer.byteLength(big)).toBeLessThan(2 * 1024 * 1024);
    expect(big).toContain("Each series downsampled from 10 000 to 400 points");
    const trialsTable = big.slice(big.indexOf('id="trials"'), big.indexOf('id="importance"'));
    expect(trialsTable.match(/<span class="state /g)).toHaveLength(200);
  });

  it("renders a failed job without charts that need missing data", async () => {
    const html = await renderHtml(makeRecord({ status: "failed" }));
    expect(html).toContain('<p class="alert" role="alert"><strong>Job failed during tune:</strong>');
    expect(html).toContain('<p class="verdict unavailable">');
    expect(figuresOf(html).map((f) => f[1])).toEqual(["actions"]);
  });
});
