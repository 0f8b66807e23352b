/** A JSON value as {@link canonicalize} produces and `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/** A JSON object (plain data, every member a {@link JsonValue}). */
export interface JsonObject {
  readonly [member: string]: JsonValue;
}
