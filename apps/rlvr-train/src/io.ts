/** Where the CLI writes and what it may read from its surroundings; injected so tests run it in-process. */
export interface CliIo {
  /** Results go here (a summary, JSON). */
  readonly stdout: (text: string) => void;
  /** Diagnostics go here (errors, warnings, progress). */
  readonly stderr: (text: string) => void;
  /** Environment variables (`NO_COLOR`, `RLVR_DEBUG`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory that relative paths resolve against. */
  readonly cwd: string;
  /** Whether stdout is a terminal (colour is only used on a terminal). */
  readonly isTty: boolean;
}

/** Colours for terminal output; identity functions when colour is off. */
export interface Palette {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
}

/**
 * Colour is used only on a terminal and never when `NO_COLOR` is set to a non-empty value
 * (https://no-color.org) or `TERM=dumb`.
 */
export function createPalette(io: CliIo): Palette {
  const on = io.isTty && !io.env.NO_COLOR && io.env.TERM !== "dumb";
  const wrap = (open: number, close: number) => (s: string) =>
    on ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Removes ANSI escape sequences (for `NO_COLOR` and for non-terminal output). */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
