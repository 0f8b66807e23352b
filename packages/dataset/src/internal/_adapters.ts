// Record converters by format: one source record (a parsed JSON value) in, one checked RlvrExample
// out, or nothing (invalid: issues reported; or excluded: counted). A new adapter is one file and one
// row of CONVERTERS (and one row of the format table in formats.ts).
import type { DatasetFormat } from "../formats.js";
import type { ResolvedReadOptions } from "../options.js";
import { completionsConverter } from "./_adapter-completions.js";
import { type ConvertState, createConvertState, type RecordConverter } from "./_adapter-shared.js";
import { legacyConverter, traceConverter } from "./_adapter-trace.js";
import { checkRlvrExample } from "./_checks.js";

export { type ConvertState, createConvertState, type RecordConverter };

const rlvrConverter = (): RecordConverter => (raw, at, sink, surrogates) =>
  checkRlvrExample(raw, at, sink, surrogates) ? raw : undefined;

const CONVERTERS: Record<DatasetFormat, (o: ResolvedReadOptions, state: ConvertState) => RecordConverter> = {
  rlvr: rlvrConverter,
  jsonl: rlvrConverter,
  "learning-trace": traceConverter,
  "legacy-rlvr": legacyConverter,
  completions: completionsConverter,
};

/** The record converter of a format. */
export function createConverter(
  format: DatasetFormat,
  o: ResolvedReadOptions,
  state: ConvertState,
): RecordConverter {
  return CONVERTERS[format](o, state);
}
