import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { appDir } from "./helpers.js";

/** The packages of ours the CLI may import: the orchestrator is its one door, plus the reports and serving. */
const ALLOWED = new Set(["@rlvr/orchestrator", "@rlvr/report-renderer", "@rlvr/serve"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every `@rlvr/...` package a source imports (static, dynamic, type-only and re-exports). */
function rlvrImports(text: string): string[] {
  const found = text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](@rlvr\/[^/"']+)/g);
  return [...found].map((m) => m[1] as string);
}

describe("one door", () => {
  it("finds imports the way the CLI writes them", () => {
    const text = `import { a } from "@rlvr/dataset";\nimport type { B } from '@rlvr/tuner/x';\nconst c = await import("@rlvr/rlvr-loop");\nexport { d } from "@rlvr/orchestrator";`;
    expect(rlvrImports(text)).toEqual([
      "@rlvr/dataset",
      "@rlvr/tuner",
      "@rlvr/rlvr-loop",
      "@rlvr/orchestrator",
    ]);
  });

  it("the CLI imports no package of ours but the orchestrator, the report renderer and serve", () => {
    const bad: string[] = [];
    for (const file of sources(join(appDir, "src"))) {
      for (const name of rlvrImports(readFileSync(file, "utf8"))) {
        if (!ALLOWED.has(name)) bad.push(`${relative(appDir, file)}: ${name}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("depends on no package of ours but those", () => {
    const pkg = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    const ours = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith("@rlvr/"));
    expect(ours.filter((d) => !ALLOWED.has(d))).toEqual([]);
  });
});
