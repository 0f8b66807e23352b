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
  /**
   * Whether stderr is a terminal: progress is drawn as bars with an ETA there, and written as plain
   * lines otherwise.
   * @defaultValue `isTty`
   */
  readonly stderrIsTty?: boolean;
  /**
   * Cancels a running job (the binary aborts it on SIGINT): the job is recorded as cancelled, its
   * resume state kept, and the command exits 130.
   * @defaultValue undefined (not cancellable)
   */
  readonly signal?: AbortSignal;
  /**
   * Width of the terminal in columns, for progress bars.
   * @defaultValue 80
   */
  readonly columns?: number;
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `\n`, `\u001b`: how one unprintable character is shown. */
function escapeChar(ch: string): string {
  const json = JSON.stringify(ch).slice(1, -1);
  return json.length > 1 ? json : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Text from a record or a dataset (a label, an action name, a shipping reason) made safe for one
 * terminal line: C0 and C1 control characters, DEL, line and paragraph separators and bidirectional
 * controls are shown as escapes (`\n`, `\u001b`), so data cannot move the cursor, recolour or hide
 * output, or break the line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

// Our own styling: SGR colour sequences and "erase line" after a carriage return (progress bars);
// then every control character but the newline.
const TERMINAL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(\r\u001b\[K|\u001b\[[0-9;]*m)|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The one function all terminal output of the CLI goes through: every control character except the
 * newline that ends a line is shown as an escape (see {@link printable}). With `styles`, colour
 * sequences and the progress bar's "carriage return, erase line" pass (only on a terminal). JSON text
 * stays JSON with the same value: control characters can only occur inside its strings, where the
 * escape means the same character.
 */
export function terminalText(text: string, styles: boolean): string {
  return text.replace(TERMINAL, (match: string, style: string | undefined) =>
    style !== undefined && styles ? match : match.replace(UNPRINTABLE, escapeChar),
  );
}

/** The same IO with every stdout and stderr text passed through {@link terminalText}. */
export function terminalIo(io: CliIo): CliIo {
  const stdoutStyles = io.isTty;
  const stderrStyles = io.isTty || (io.stderrIsTty ?? io.isTty);
  return {
    ...io,
    stdout: (text) => io.stdout(terminalText(text, stdoutStyles)),
    stderr: (text) => io.stderr(terminalText(text, stderrStyles)),
  };
}
