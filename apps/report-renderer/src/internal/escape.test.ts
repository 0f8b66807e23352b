import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, escapeMarkdown, markdownCode } from "./escape.js";

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

describe("escapeHtml", () => {
  it("leaves no markup character raw and round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const e = escapeHtml(s);
        expect(e).not.toMatch(/[<>"']/);
        expect(e.replace(/&(amp|lt|gt|quot|#39);/g, "")).not.toContain("&");
        expect(unescapeHtml(e)).toBe(s);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("escapes a script payload", () => {
    expect(escapeHtml(`<script>alert("x")</script>`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
    );
  });
});

describe("escapeMarkdown", () => {
  it("escapes every inline-significant character and never lets HTML through", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const e = escapeMarkdown(s);
        expect(e).not.toMatch(/[<>\n\r]/);
        // Every special character is preceded by a backslash.
        const stripped = e.replace(/\\[\\`*_[\]|~$]/g, "");
        expect(stripped).not.toMatch(/[\\`*_[\]|~$]/);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("keeps ordinary punctuation readable", () => {
    expect(escapeMarkdown("2025-01-01T00:00:00.000Z (v1.2)")).toBe("2025-01-01T00:00:00.000Z (v1.2)");
    expect(escapeMarkdown("[x](javascript:alert(1))")).toBe("\\[x\\](javascript:alert(1))");
  });
});

describe("markdownCode", () => {
  it("wraps any text in a code span whose content is the text", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[\r\n]/.test(s)),
        (s) => {
          const c = markdownCode(s);
          const fence = /^`+/.exec(c)![0];
          expect(c.endsWith(fence)).toBe(true);
          let inner = c.slice(fence.length, c.length - fence.length);
          // CommonMark strips one space on each side when both are present and the content is not all spaces.
          if (inner.startsWith(" ") && inner.endsWith(" ") && inner.trim() !== "") inner = inner.slice(1, -1);
          expect(inner).toBe(s === "" ? " " : s);
          // The fence is longer than any backtick run inside.
          for (const run of inner.match(/`+/g) ?? []) expect(run.length).toBeLessThan(fence.length);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
