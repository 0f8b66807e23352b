import { describe, expect, it } from "vitest";
import { bytes, duration, fixed, int, num, paramValue, percent, signed } from "./format.js";

describe("number formatting", () => {
  it("is locale-free with a real minus sign and no negative zero", () => {
    expect(fixed(0.12345)).toBe("0.123");
    expect(fixed(-0.0001)).toBe("0.000");
    expect(fixed(-1.5, 1)).toBe("\u22121.5");
    expect(fixed(Number.NaN)).toBe("n/a");
    expect(fixed(null)).toBe("n/a");
    expect(signed(0.2)).toBe("+0.200");
    expect(signed(-0.2)).toBe("\u22120.200");
  });

  it("groups integers and shortens other numbers", () => {
    expect(int(10000)).toBe("10 000");
    expect(int(-1234567)).toBe("\u22121 234 567");
    expect(num(12)).toBe("12");
    expect(num(0.051180188765365946)).toBe("0.05118");
    expect(num(0.00012346)).toBe("1.235e-4");
    expect(num(undefined)).toBe("n/a");
    expect(percent(0.125)).toBe("12.5 %");
  });

  it("formats durations, sizes and parameter values", () => {
    expect(duration(850)).toBe("850 ms");
    expect(duration(12_300)).toBe("12.3 s");
    expect(duration(245_000)).toBe("4 min 05 s");
    expect(duration(7_380_000)).toBe("2 h 03 min");
    expect(bytes(512)).toBe("512 B");
    expect(bytes(8_390_520)).toBe("8.0 MiB");
    expect(paramValue("none")).toBe("none");
    expect(paramValue(true)).toBe("true");
    expect(paramValue(0.1)).toBe("0.1");
  });
});
