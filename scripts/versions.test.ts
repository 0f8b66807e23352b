import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const dirs = ["packages", "apps"].flatMap((top) =>
  readdirSync(join(root, top)).map((d) => join(root, top, d)),
);

describe("workspace packages", () => {
  for (const dir of dirs) {
    const pkgPath = join(dir, "package.json");
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
    it(`${pkg.name}: src/version.ts matches package.json`, () => {
      const text = readFileSync(join(dir, "src", "version.ts"), "utf8");
      expect(text).toContain(`export const VERSION = ${JSON.stringify(pkg.version)};`);
    });
    it(`${pkg.name}: package.json follows the publishing rules`, () => {
      expect(pkg.type).toBe("module");
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.engines?.node).toBeTruthy();
      expect(Object.keys(pkg.exports["."])[0]).toBe("types");
      expect(pkg.files).toContain("dist");
    });
  }
});
