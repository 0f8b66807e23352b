// Writes each workspace package's version into its src/version.ts (run after `changeset version`).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
for (const top of ["packages", "apps"]) {
  for (const dir of readdirSync(join(root, top))) {
    const pkgPath = join(root, top, dir, "package.json");
    const versionPath = join(root, top, dir, "src", "version.ts");
    if (!existsSync(pkgPath) || !existsSync(versionPath)) continue;
    const { version } = JSON.parse(readFileSync(pkgPath, "utf8"));
    const text = readFileSync(versionPath, "utf8");
    const next = text.replace(
      /export const VERSION = "[^"]*";/,
      `export const VERSION = ${JSON.stringify(version)};`,
    );
    if (next !== text) writeFileSync(versionPath, next);
  }
}
