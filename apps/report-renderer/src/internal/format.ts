// Locale-independent number formatting (never toLocaleString: output must not depend on the host).

const MINUS = "\u2212";

/** `x` with `digits` decimals, "−" for negatives, "n/a" for a missing or non-finite value. */
export function fixed(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  const s = x.toFixed(digits);
  // -0.000 reads as a sign error; print 0.000.
  if (/^-0(\.0*)?$/.test(s)) return s.slice(1);
  return s.startsWith("-") ? `${MINUS}${s.slice(1)}` : s;
}

/** `x` with a sign always shown ("+0.123", "−0.045"). */
export function signed(x: number, digits = 3): string {
  const s = fixed(x, digits);
  return s.startsWith(MINUS) || s === "n/a" ? s : `+${s}`;
}

/** A short human form of any number: integers as is (thin-space groups), others with `sig` significant digits. */
export function num(x: number | null | undefined, sig = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return int(x);
  const abs = Math.abs(x);
  let s: string;
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) s = x.toExponential(sig - 1);
  else s = String(Number(x.toPrecision(sig)));
  return s.startsWith("-") ? `${MINUS}${s.slice(1)}` : s;
}

/** An integer with groups of three digits separated by a space ("10 000"). */
export function int(x: number): string {
  const sign = x < 0 ? MINUS : "";
  const digits = String(Math.abs(Math.trunc(x)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** A fraction as a percentage ("12.5 %"). */
export function percent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  return `${fixed(100 * x, digits)} %`;
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "n/a";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const totalS = Math.round(s);
  const m = Math.floor(totalS / 60);
  if (m < 60) return `${m} min ${String(totalS % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A byte count as "512 B", "1.5 KiB", "3.2 MiB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return "n/a";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A parameter value as text: numbers through {@link num}, others as JSON-ish text. */
export function paramValue(v: unknown): string {
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || v === null) return String(v);
  return JSON.stringify(v) ?? "undefined";
}
