// Renders the bundled demo job's HTML report and saves a screenshot of its first screens to
// docs/img/report-demo.png (the picture in docs/reports.md):
//   pnpm --filter @rlvr/report-renderer run screenshot
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { demoRecord } from "../src/__fixtures__/demo.ts";
import { renderHtml } from "../src/index.ts";
import { launchChromium } from "../test/chromium.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "rlvr-report-shot-"));
try {
  const file = join(work, "demo.report.html");
  writeFileSync(
    file,
    await renderHtml(demoRecord(), { recordFile: "demo.job.json", includeVolatile: false }),
  );
  const context = await launchChromium(join(work, "profile"), { width: 1000, height: 1500 });
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href);
  const target = join(here, "../../../docs/img/report-demo.png");
  mkdirSync(join(target, ".."), { recursive: true });
  await page.screenshot({ path: target, fullPage: false });
  await context.close();
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
