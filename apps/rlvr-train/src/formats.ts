/** `--format` values accepted by `validate`, `fingerprint`, `run` and the stage commands. */
export const FORMAT_OPTIONS = [
  "auto",
  "rlvr",
  "jsonl",
  "learning-trace",
  "legacy-rlvr",
  "completions",
] as const;
