// Every published package carries what a registry user needs: the license text, a README with links
// that work off the repository, repository/homepage/bugs/keywords, the supported Node range, caret
// ranges for runtime dependencies, exports that `require()` can resolve, and a prepack guard.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const license = readFileSync(join(root, "LICENSE"), "utf8");
const dirs = ["packages", "apps"].flatMap((top) =>
  readdirSync(join(root, top))
    .map((d) => `${top}/${d}`)
    .filter((d) => existsSync(join(root, d, "package.json"))),
);

describe.each(dirs)("%s", (dir) => {
  const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));

  it("has the MIT license text and a README whose links are absolute", () => {
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(root, dir, "LICENSE"), "utf8")).toBe(license);
    const readme = readFileSync(join(root, dir, "README.md"), "utf8");
    expect(readme).toContain(`# ${pkg.name}`);
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.filter((l) => !/^(https:\/\/|#)/.test(l ?? ""))).toEqual([]);
  });

  it("has repository (with its folder), homepage, bugs, keywords and the supported Node range", () => {
    expect(pkg.repository).toEqual({
      type: "git",
      url: "git+https://github.com/rlvr-dev/rlvr.git",
      directory: dir,
    });
    expect(pkg.homepage).toBe(`https://github.com/rlvr-dev/rlvr/tree/main/${dir}#readme`);
    expect(pkg.bugs).toEqual({ url: "https://github.com/rlvr-dev/rlvr/issues" });
    expect(pkg.keywords.length).toBeGreaterThan(2);
    expect(pkg.engines).toEqual(rootPkg.engines);
  });

  it("takes runtime dependencies by caret range, and exports what require() can resolve", () => {
    for (const [name, range] of Object.entries<string>(pkg.dependencies ?? {})) {
      expect(range, name).toMatch(/^(\^|workspace:\^)/);
    }
    expect(Object.keys(pkg.exports["."])).toEqual(["types", "@rlvr/source", "default"]);
  });

  it("cannot be packed with a stale dist, and is checked by publint and attw", () => {
    expect(pkg.scripts.prepack).toBe("node ../../scripts/prepack.mjs");
    expect(pkg.scripts.build).toMatch(/&& node \.\.\/\.\.\/scripts\/prepack\.mjs --stamp$/);
    expect(pkg.files).toContain("!dist/.build-stamp");
    expect(pkg.scripts.publint).toBe("publint --strict");
    expect(pkg.scripts.attw).toBe("attw --pack . --profile esm-only --quiet");
  });
});
