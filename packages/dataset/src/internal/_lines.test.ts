import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../__fixtures__/helpers.js";
import { readLines } from "./_lines.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function collect(content: string | Uint8Array, stopAfter = Number.POSITIVE_INFINITY) {
  const file = tmp.unique(".jsonl");
  tmp.write(file.slice(tmp.dir.length + 1), content);
  const lines: [number, string, boolean][] = [];
  const bad: [number, string][] = [];
  const summary = await readLines(file, {
    line: (text, n, terminated) => lines.push([n, text, terminated]),
    bad: (n, kind) => bad.push([n, kind]),
    stopped: () => lines.length >= stopAfter,
  });
  return { lines, bad, summary };
}

describe("readLines", () => {
  it("splits lines, keeps \\r, strips a leading BOM, flags an unterminated last line", async () => {
    const { lines, summary } = await collect("\ufeffa\r\nb\n\nc");
    expect(lines).toEqual([
      [1, "a\r", true],
      [2, "b", true],
      [3, "", true],
      [4, "c", false],
    ]);
    expect(summary.lines).toBe(4);
  });

  it("keeps a BOM that is not at the start of the file", async () => {
    const { lines } = await collect("a\n\ufeffb\n");
    expect(lines[1]![1]).toBe("\ufeffb");
  });

  it("joins lines and multi-byte characters across 1 MiB chunk boundaries", async () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 3.5 * 2 ** 20; i++) {
      const line = `${i}:${"é😀x".repeat(i % 50)}`;
      parts.push(line);
      size += Buffer.byteLength(line) + 1;
    }
    const { lines } = await collect(`${parts.join("\n")}\n`);
    expect(lines.length).toBe(parts.length);
    expect(lines.every(([n, text]) => text === parts[n - 1])).toBe(true);
  });

  it("reports invalid UTF-8 by line and keeps reading the other lines", async () => {
    const bytes = Buffer.concat([Buffer.from("ok1\nbad"), Buffer.from([0xff, 0xfe]), Buffer.from("\nok3\n")]);
    const { lines, bad } = await collect(bytes);
    expect(bad).toEqual([[2, "utf8"]]);
    expect(lines.map(([n, t]) => [n, t])).toEqual([
      [1, "ok1"],
      [3, "ok3"],
    ]);
  });

  it("reads lines longer than the read buffer, also as the unterminated last line", async () => {
    const long = "y".repeat(3 * 2 ** 20 + 17);
    const { lines, bad } = await collect(`a\n${long}\nb\n${long}`);
    expect(bad).toEqual([]);
    expect(lines.map(([n, t, term]) => [n, t.length, term])).toEqual([
      [1, 1, true],
      [2, long.length, true],
      [3, 1, true],
      [4, long.length, false],
    ]);
  });

  it("cuts decode pieces at line ends: lines around and above the 16 KiB piece size, one bad line among them", async () => {
    const piece = 2 ** 14;
    const parts: (string | Buffer)[] = [];
    const expected: string[] = [];
    for (const length of [piece - 2, piece - 1, piece, piece + 1, 3 * piece + 5, 10, 2 * piece]) {
      for (const filler of ["a", "é", "😀"]) {
        const line = `${length}${filler.repeat(Math.ceil(length / Buffer.byteLength(filler)))}`;
        parts.push(Buffer.from(`${line}\n`));
        expected.push(line);
      }
    }
    const badAt = 9; // line 10: a long line with an invalid byte in its middle
    parts.splice(
      badAt,
      0,
      Buffer.concat([Buffer.from("z".repeat(piece)), Buffer.from([0xc3]), Buffer.from("z\n")]),
    );
    const { lines, bad } = await collect(Buffer.concat(parts as Buffer[]));
    expect(bad).toEqual([[badAt + 1, "utf8"]]);
    expect(lines.length).toBe(expected.length);
    expect(lines.every(([n, text], i) => n === (i < badAt ? i + 1 : i + 2) && text === expected[i])).toBe(
      true,
    );
  });

  it("stops when asked", async () => {
    const { lines } = await collect("a\nb\nc\nd\n", 2);
    expect(lines.length).toBe(2);
  });
});
