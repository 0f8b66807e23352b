import { describe, expect, it } from "vitest";
import { detectRuntime } from "./runtime.js";

describe("detectRuntime", () => {
  it("reads the Node.js version, platform and architecture of this process", () => {
    const runtime = detectRuntime();
    expect(runtime).toStrictEqual({ node: process.version, platform: process.platform, arch: process.arch });
    expect(runtime.node).toMatch(/^v\d+\.\d+\.\d+/);
    expect(Object.isFrozen(runtime)).toBe(true);
  });
});
