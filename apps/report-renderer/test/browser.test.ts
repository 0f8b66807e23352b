/// <reference lib="dom" />
// Opens the rendered reports in a real browser (Debian's chromium, driven by playwright-core) and
// checks what a person would see: no console error, no script executed, every chart an SVG with
// data marks, a layout that fits a phone-width window, a print layout. Skips, saying why, only
// when Chromium is not installed (.ci/run installs it).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRecord } from "../src/__fixtures__/demo.js";
import { makeMaliciousRecord } from "../src/__fixtures__/records.js";
import { renderHtml } from "../src/html.js";
import { CHROMIUM, launchChromium } from "./chromium.js";

const found = existsSync(CHROMIUM);
if (!found) {
  console.warn(
    `browser test skipped: Chromium not found at ${CHROMIUM}; install Debian's chromium (apt-get install -y chromium) or set RLVR_CHROMIUM`,
  );
}

/** Where the screenshots go (kept after the run for people to look at). */
const SHOTS = join(tmpdir(), "rlvr-report-browser");

describe.skipIf(!found)("reports in headless Chromium", () => {
  let context: BrowserContext;
  let profile: string;
  const pages = new Map<string, string>();

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), "rlvr-chromium-profile-"));
    mkdirSync(SHOTS, { recursive: true });
    for (const [name, record] of [
      ["demo", demoRecord()],
      ["malicious", makeMaliciousRecord()],
    ] as const) {
      const file = join(SHOTS, `${name}.report.html`);
      writeFileSync(file, await renderHtml(record));
      pages.set(name, pathToFileURL(file).href);
    }
    context = await launchChromium(profile, { width: 1100, height: 900 });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  for (const name of ["demo", "malicious"]) {
    it(`${name}: no console error, no script run, every chart an SVG with data marks`, async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pages.get(name)!, { waitUntil: "load" });

      const facts = await page.evaluate(() => {
        const all = [...document.querySelectorAll("*")];
        return {
          scripts: document.scripts.length,
          handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
          injected: document.querySelectorAll("img, iframe, object, embed, foreignObject").length,
          charts: [...document.querySelectorAll("figure.chart")].map((f) => {
            const svg = f.querySelector("svg");
            const box = svg?.getBoundingClientRect();
            return {
              id: f.id,
              svg: svg !== null,
              title: svg?.querySelector("title")?.textContent ?? "",
              marks: f.querySelectorAll(".role-mark path, .role-mark line, .role-mark rect").length,
              width: box?.width ?? 0,
              height: box?.height ?? 0,
            };
          }),
          title: document.title,
        };
      });
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([pages.get(name)]);
      expect(facts.scripts).toBe(0);
      expect(facts.handlers).toBe(0);
      expect(facts.injected).toBe(0);
      expect(facts.charts.length).toBe(6);
      for (const c of facts.charts) {
        expect(c.svg, c.id).toBe(true);
        expect(c.title.length, c.id).toBeGreaterThan(0);
        expect(c.marks, c.id).toBeGreaterThan(0);
        expect(c.width * c.height, c.id).toBeGreaterThan(0);
      }
      if (name === "malicious") expect(facts.title).toContain("<script>alert(1)</script>");

      const shot = join(SHOTS, `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      await page.close();
    });
  }

  it("fits a 360 px wide window and has a print layout", async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(pages.get("demo")!);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, "demo-narrow.png") });
    await page.emulateMedia({ media: "print" });
    expect(await page.evaluate(() => getComputedStyle(document.querySelector("nav.toc")!).display)).toBe(
      "none",
    );
    await page.close();
  });
});
