// Reading and checking TrainingEnvironment values. Internal.
import { child } from "./_pointer.js";
import {
  checkDigest,
  checkGit,
  checkJsonObject,
  checkMembers,
  checkNullableString,
  checkPackages,
  checkRuntime,
  checkSeed,
  checkStringArray,
  createSink,
  problemsError,
  type Sink,
} from "./_validate.js";
import type { DatasetFacts, TrainingEnvironment } from "./environment.js";
import type { FingerprintErrorCode } from "./errors.js";
import type { JsonObject } from "./json.js";
import { detectRuntime } from "./runtime.js";

/** The configuration objects of an environment, in order. */
export const CONFIG_FIELDS = ["rlvrConfig", "searchSpace", "tunerSettings", "extraInputs"] as const;
/** Fields of an environment that enter the fingerprint (through `inputsOf`), in order. */
export const FINGERPRINTED_FIELDS = ["seed", "dataset", ...CONFIG_FIELDS, "packages", "runtime"] as const;
/** Every field of an environment, in order: the fingerprinted ones, then the recorded-only ones. */
export const ENVIRONMENT_FIELDS = [...FINGERPRINTED_FIELDS, "git", "label"] as const;
export const DATASET_FIELDS = ["digest", "stats", "format", "paths"] as const;

/** Environments made (or checked) here: frozen, so they never need checking again. */
const known = new WeakSet<object>();

/**
 * Reads an environment. Mode `options` fills defaults for absent fields; mode `environment`
 * requires the exact, complete shape (a stored environment, or one passed to `fingerprint`).
 */
export function readEnvironment(
  sink: Sink,
  value: unknown,
  pointer: string,
  mode: "options" | "environment",
): TrainingEnvironment | undefined {
  if (mode === "environment" && typeof value === "object" && value !== null && known.has(value)) {
    return value as TrainingEnvironment;
  }
  const before = sink.problems.length;
  const lenient = mode === "options";
  const what = lenient ? "training-environment options" : "a training environment";
  const required = lenient ? ["seed", "dataset"] : ENVIRONMENT_FIELDS;
  if (!checkMembers(sink, value, pointer, ENVIRONMENT_FIELDS, required, what)) return undefined;
  const at = (name: string) => child(pointer, name);

  const seed = value["seed"] === undefined ? undefined : checkSeed(sink, value["seed"], at("seed"));
  const dataset = readDataset(sink, value["dataset"], at("dataset"), lenient);
  const configs: Partial<Record<(typeof CONFIG_FIELDS)[number], JsonObject>> = {};
  for (const name of CONFIG_FIELDS) {
    const given = value[name];
    if (given === undefined && lenient) configs[name] = EMPTY;
    else if (given !== undefined) {
      const config = checkJsonObject(sink, given, at(name));
      if (config !== undefined) configs[name] = config;
    }
  }
  const packagesGiven = value["packages"];
  const packages =
    packagesGiven === undefined && lenient
      ? EMPTY_PACKAGES
      : checkPackages(sink, packagesGiven, at("packages"));
  const runtimeGiven = value["runtime"];
  const runtime =
    runtimeGiven === undefined && lenient ? detectRuntime() : checkRuntime(sink, runtimeGiven, at("runtime"));
  const gitGiven = value["git"];
  const git = gitGiven === undefined && lenient ? null : checkGit(sink, gitGiven, at("git"));
  const labelGiven = value["label"];
  const label =
    labelGiven === undefined && lenient
      ? null
      : checkNullableString(sink, labelGiven, at("label"), { maxLength: 1024 });

  if (sink.problems.length > before) return undefined;
  const environment: TrainingEnvironment = Object.freeze({
    seed: seed as number | string,
    dataset: dataset as DatasetFacts,
    rlvrConfig: configs.rlvrConfig as JsonObject,
    searchSpace: configs.searchSpace as JsonObject,
    tunerSettings: configs.tunerSettings as JsonObject,
    extraInputs: configs.extraInputs as JsonObject,
    packages: packages as Readonly<Record<string, string>>,
    runtime: runtime as TrainingEnvironment["runtime"],
    git: git as TrainingEnvironment["git"],
    label: label as string | null,
  });
  known.add(environment);
  return environment;
}

const EMPTY: JsonObject = Object.freeze({});
const EMPTY_PACKAGES: Readonly<Record<string, string>> = Object.freeze({});

function readDataset(
  sink: Sink,
  value: unknown,
  pointer: string,
  lenient: boolean,
): DatasetFacts | undefined {
  const required = lenient ? ["digest"] : DATASET_FIELDS;
  if (
    !checkMembers(
      sink,
      value,
      pointer,
      DATASET_FIELDS,
      required,
      "a dataset { digest, stats, format, paths }",
    )
  ) {
    return undefined;
  }
  const at = (name: string) => child(pointer, name);
  const digest = value["digest"] === undefined ? undefined : checkDigest(sink, value["digest"], at("digest"));
  const statsGiven = value["stats"];
  const stats =
    (statsGiven === undefined && lenient) || statsGiven === null
      ? null
      : statsGiven === undefined
        ? undefined
        : checkJsonObject(sink, statsGiven, at("stats"));
  const formatGiven = value["format"];
  const format =
    formatGiven === undefined && lenient
      ? null
      : checkNullableString(sink, formatGiven, at("format"), { maxLength: 256 });
  const pathsGiven = value["paths"];
  const paths = pathsGiven === undefined && lenient ? [] : checkStringArray(sink, pathsGiven, at("paths"));
  if (digest === undefined || stats === undefined || format === undefined || paths === undefined)
    return undefined;
  return Object.freeze({ digest, stats, format, paths: Object.freeze(paths) });
}

/**
 * The environment, or a FINGERPRINT_INVALID_ENVIRONMENT error saying what `what` (e.g. "the
 * environment to fingerprint") lacks.
 */
export function requireEnvironment(value: unknown, what: string): TrainingEnvironment {
  return readChecked(value, "environment", {
    code: "FINGERPRINT_INVALID_ENVIRONMENT",
    what: `${what} is not a complete training environment (one made by createTrainingEnvironment)`,
  });
}

/**
 * Reads an environment in `mode`, or throws the error `failure` listing every problem (a problem is
 * always reported when reading fails).
 */
export function readChecked(
  value: unknown,
  mode: "options" | "environment",
  failure: { code: FingerprintErrorCode; what: string },
): TrainingEnvironment {
  const sink = createSink();
  const environment = readEnvironment(sink, value, "", mode);
  if (environment === undefined || sink.problems.length > 0)
    throw problemsError(sink, failure.code, failure.what);
  return environment;
}
