import { createErrorBrand, RlvrError, type RlvrErrorOptions } from "@rlvr/errors";

const BRAND = createErrorBrand("@rlvr/serve/error");

/**
 * Codes of {@link ServeError}. The first group is thrown by the package's functions; the second is
 * what the HTTP API answers with (the `error.code` of a response body), listed with its status in
 * {@link HTTP_STATUS}.
 *
 * Thrown by functions:
 * - `INVALID_OPTIONS`: an option has an invalid value (the message names the option and the value);
 * - `CHECKPOINT_UNREADABLE`: the checkpoint file is missing, unreadable or not a valid checkpoint;
 * - `LOG_UNAVAILABLE`: the decision log cannot be opened or created (folder, permissions, the SQLite
 *   binding `libsql` missing on this platform), or a journal file it indexes cannot be read;
 * - `LOG_INVALID`: the folder holds no decision log, or one of another format version, or a journal
 *   line is not a record, or not the decision the index points to (the message names file and byte);
 * - `LOG_WRITE_FAILED`: a commit to the decision log failed (the request is answered 503, nothing of
 *   it is acknowledged);
 * - `LISTEN_FAILED`: the server cannot bind its address (port in use, address not available);
 * - `OUTPUT_WRITE_FAILED`: the export file cannot be written.
 *
 * Answered by the API:
 * - `INVALID_REQUEST` (400): the body, a parameter or the context breaks the schema; `pointer` names
 *   the member;
 * - `UNKNOWN_ACTION` (400): an allowed action the served policy does not know;
 * - `BODY_TOO_LARGE` (413), `UNSUPPORTED_MEDIA_TYPE` (415);
 * - `UNAUTHORIZED` (401): an admin endpoint without the right bearer token; `ADMIN_DISABLED` (403):
 *   the server has no admin token, so admin endpoints are off;
 * - `NOT_FOUND` (404): no such route; `EVENT_NOT_FOUND` (404): no decision with that event id;
 * - `EVENT_EXISTS` (409): a decision request reuses an event id with a different request;
 * - `REWARD_EXISTS` (409): the decision already has a reward;
 * - `REWARD_TOO_LATE` (410): the reward came after the decision's wait time;
 * - `RELOAD_FAILED` (422): the checkpoint to reload is unreadable or serves other actions (the old
 *   one stays);
 * - `SHUTTING_DOWN` (503): the server is closing; `INTERNAL` (500): anything else (no details).
 */
export type ServeErrorCode =
  | "INVALID_OPTIONS"
  | "CHECKPOINT_UNREADABLE"
  | "LOG_UNAVAILABLE"
  | "LOG_INVALID"
  | "LOG_WRITE_FAILED"
  | "LISTEN_FAILED"
  | "OUTPUT_WRITE_FAILED"
  | "INVALID_REQUEST"
  | "UNKNOWN_ACTION"
  | "BODY_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNAUTHORIZED"
  | "ADMIN_DISABLED"
  | "NOT_FOUND"
  | "EVENT_NOT_FOUND"
  | "EVENT_EXISTS"
  | "REWARD_EXISTS"
  | "REWARD_TOO_LATE"
  | "RELOAD_FAILED"
  | "SHUTTING_DOWN"
  | "INTERNAL";

/** HTTP status of each {@link ServeErrorCode} when it is the answer to a request. */
export const HTTP_STATUS: Readonly<Record<ServeErrorCode, number>> = Object.freeze({
  INVALID_OPTIONS: 500,
  CHECKPOINT_UNREADABLE: 500,
  LOG_UNAVAILABLE: 503,
  LOG_INVALID: 500,
  LOG_WRITE_FAILED: 503,
  LISTEN_FAILED: 500,
  OUTPUT_WRITE_FAILED: 500,
  INVALID_REQUEST: 400,
  UNKNOWN_ACTION: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  ADMIN_DISABLED: 403,
  NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  EVENT_EXISTS: 409,
  REWARD_EXISTS: 409,
  REWARD_TOO_LATE: 410,
  RELOAD_FAILED: 422,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
});

/** Options of the {@link ServeError} constructor. */
export interface ServeErrorOptions extends RlvrErrorOptions {
  /**
   * RFC 6901 JSON pointer to the offending member of a request body (`/context/features/tier`).
   * @defaultValue `""` (the whole request)
   */
  readonly pointer?: string;
}

/**
 * The error of every function of `@rlvr/serve`, and the `error` member of every failed HTTP answer
 * (`{ "error": { "code", "message", "pointer" } }`). Check it with {@link ServeError.is}, which also
 * works across two installed copies of the package.
 */
export class ServeError extends RlvrError<ServeErrorCode> {
  /** JSON pointer to the offending request member (`""` for the whole request or none). */
  readonly pointer: string;

  /**
   * @param code - machine-readable reason, see {@link ServeErrorCode}
   * @param message - what went wrong, naming the option, file or member and the bad value
   * @param options - `cause`, `details`, `pointer`
   */
  constructor(code: ServeErrorCode, message: string, options: ServeErrorOptions = {}) {
    super(code, message, options);
    this.name = "ServeError";
    this.pointer = options.pointer ?? "";
    BRAND.mark(this);
  }

  /** Whether `value` is a {@link ServeError}, also from another installed copy of the package. */
  static override is(value: unknown): value is ServeError {
    return BRAND.test(value);
  }
}
