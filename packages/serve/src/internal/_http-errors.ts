import { validateExample } from "@rlvr/dataset";
import { ServeError, type ServeErrorCode } from "../errors.js";

const escapeToken = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1");

interface AjvErrorLike {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** A ServeError for the first Ajv error of a Fastify validation failure. */
function fromValidation(errors: readonly AjvErrorLike[], where: string): ServeError {
  const e = errors[0]!;
  let pointer = e.instancePath;
  let message: string;
  if (e.keyword === "required") {
    pointer += `/${escapeToken(String(e.params.missingProperty))}`;
    message = "required member is missing";
  } else if (e.keyword === "additionalProperties") {
    pointer += `/${escapeToken(String(e.params.additionalProperty))}`;
    message = "unknown member (not in the schema)";
  } else if (e.keyword === "type") {
    message = `expected ${String(e.params.type).split(",").join(" or ")}`;
  } else {
    message = e.message ?? `breaks the ${e.keyword} rule`;
  }
  const prefix = where === "body" ? "" : `${where} `;
  return new ServeError("INVALID_REQUEST", `${prefix}${pointer || "/"}: ${message}`, {
    pointer: where === "body" ? pointer : "",
  });
}

/** Fastify's body errors by their code: our code and message. */
const FASTIFY_ERRORS: Readonly<Record<string, readonly [ServeErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ["BODY_TOO_LARGE", "the request body is larger than the server's limit"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["UNSUPPORTED_MEDIA_TYPE", "send JSON with Content-Type: application/json"],
  FST_ERR_CTP_EMPTY_JSON_BODY: ["INVALID_REQUEST", "the request body is empty; expected a JSON object"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["INVALID_REQUEST", "the Content-Length does not match the body"],
};

/**
 * Any error raised while answering a request as a {@link ServeError}: validation failures with the
 * member's pointer, body and media-type problems with their codes, and everything unexpected as
 * `INTERNAL` with no detail (the cause is kept for logs, never sent).
 * @internal
 */
export function _toServeError(error: unknown): ServeError {
  if (ServeError.is(error)) return error;
  const e = error as {
    validation?: AjvErrorLike[];
    validationContext?: string;
    code?: string;
    statusCode?: number;
    message?: string;
  };
  if (Array.isArray(e?.validation) && e.validation.length > 0)
    return fromValidation(e.validation, e.validationContext ?? "body");
  const known = e?.code === undefined ? undefined : FASTIFY_ERRORS[e.code];
  if (known !== undefined) return new ServeError(known[0], known[1], { cause: error });
  if (error instanceof SyntaxError || (e?.statusCode === 400 && typeof e.message === "string")) {
    return new ServeError("INVALID_REQUEST", `the request body is not valid JSON: ${e.message}`, {
      cause: error,
    });
  }
  return new ServeError("INTERNAL", "internal error", { cause: error });
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Whether a context that passed the request schema (a string prompt, flat string / number / boolean
 * features) may break one of the dataset's further rules: a surrogate code unit (lone or not), a
 * forbidden key, a non-finite number. Only such contexts go through the full dataset check, which
 * costs more than the rest of a decision's validation.
 */
function suspicious(context: { prompt?: string; features?: Record<string, unknown> }): boolean {
  if (context.prompt !== undefined && SURROGATE.test(context.prompt)) return true;
  const features = context.features;
  if (features === undefined) return false;
  for (const key in features) {
    if (FORBIDDEN_KEYS.has(key) || SURROGATE.test(key)) return true;
    const v = features[key];
    if (typeof v === "string" ? SURROGATE.test(v) : typeof v === "number" && !Number.isFinite(v)) return true;
  }
  return false;
}

/**
 * Check a request's context as the dataset package checks an example's context (finite numbers, no
 * forbidden keys, no lone surrogates, ...); throws `INVALID_REQUEST` with the member's pointer.
 * @internal
 */
export function _checkContext(context: { prompt?: string; features?: Record<string, unknown> }): void {
  if (!suspicious(context)) return;
  const issues = validateExample(
    { id: "x", groupId: "x", context, action: "x", reward: 0, verified: false },
    { maxErrors: 1 },
  );
  const issue = issues[0];
  if (issue === undefined) return;
  const expected = issue.expected === undefined ? "" : `; expected ${issue.expected}`;
  throw new ServeError("INVALID_REQUEST", `${issue.pointer || "/"}: ${issue.message}${expected}`, {
    pointer: issue.pointer,
  });
}
