// Headless Chromium for the browser test and the screenshot script: Debian's chromium (or
// RLVR_CHROMIUM), driven by playwright-core, with no network chatter and a throwaway profile.
import { type BrowserContext, chromium } from "playwright-core";

/** The Chromium binary: `RLVR_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM = process.env["RLVR_CHROMIUM"] ?? "/usr/bin/chromium";

/** Launches headless Chromium with its profile in `profileDir` and the given window size. */
export function launchChromium(
  profileDir: string,
  viewport: { readonly width: number; readonly height: number },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { ...viewport },
  });
}
