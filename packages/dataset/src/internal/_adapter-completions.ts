// The completions adapter: prompt/completion/reward JSON lines (one scored completion per line),
// checked field by field, rewards rescaled to [0, 1], everything else kept as metadata.
import { createHash } from "node:crypto";
import { IssueCode } from "../issues.js";
import type { ResolvedReadOptions } from "../options.js";
import { MAX_ID_LENGTH, type RlvrContext, type RlvrExample } from "../schema.js";
import { refuseRecord, renamer, withPropensity } from "./_adapter-shared.js";
import type { ConvertState, RecordConverter } from "./_adapters.js";
import { FORBIDDEN_KEYS } from "./_ajv.js";
import { canonicalJson } from "./_canonical-json.js";
import { checkRlvrExample } from "./_checks.js";
import { hash64 } from "./_hash64.js";
import { codePoints } from "./_text.js";

/** Members of a completions record that the adapter maps; all others go to `metadata`. */
export const COMPLETIONS_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "group_id",
  "prompt_id",
  "completion_id",
  "prompt",
  "completion",
  "reward",
  "rewards",
  "verified",
  "weight",
  "source",
  "features",
]);

const MESSAGES = "a string or a non-empty array of {role, content} messages with string content";

function messagesText(v: unknown, separator: "all" | "last"): string | undefined {
  if (typeof v === "string") return v;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const parts: string[] = [];
  for (const m of v) {
    if (typeof m !== "object" || m === null) return undefined;
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== "string" || typeof content !== "string") return undefined;
    parts.push(separator === "all" ? `${role}: ${content}` : content);
  }
  return separator === "all" ? parts.join("\n") : parts.at(-1);
}

/** The completions converter. */
export function completionsConverter(o: ResolvedReadOptions, state: ConvertState): RecordConverter {
  const { rewardMin, rewardMax, verifiedThreshold } = o.completions;
  const span = rewardMax - rewardMin;
  return (raw, at, sink, surrogates) => {
    const report = (code: IssueCode, pointer: string, message: string, value: unknown, expected: string) =>
      sink.report(code, at.file, at.line, at.base + pointer, message, value, expected);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      report(
        IssueCode.WRONG_TYPE,
        "",
        "a completions record must be an object",
        raw,
        "object with prompt, completion and reward",
      );
      return undefined;
    }
    const r = raw as Record<string, unknown>;
    const from = sink.issues.length;
    let ok = true;
    const idField = (name: string): string | undefined => {
      const v = r[name];
      if (v === undefined) return undefined;
      if (
        (typeof v === "string" && v.length > 0 && codePoints(v) <= MAX_ID_LENGTH) ||
        Number.isSafeInteger(v)
      ) {
        return String(v);
      }
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        `/${name}`,
        `${name} must be a string or an integer`,
        v,
        `string of 1 to ${MAX_ID_LENGTH} characters, or integer`,
      );
      return undefined;
    };
    for (const name of ["prompt", "completion", "reward"]) {
      if (r[name] === undefined) {
        ok = false;
        report(
          IssueCode.MISSING_FIELD,
          `/${name}`,
          `missing required field "${name}"`,
          undefined,
          name === "reward" ? "number" : MESSAGES,
        );
      }
    }
    const promptText = r["prompt"] === undefined ? undefined : messagesText(r["prompt"], "all");
    if (r["prompt"] !== undefined && promptText === undefined) {
      ok = false;
      report(IssueCode.WRONG_TYPE, "/prompt", "prompt has the wrong shape", r["prompt"], MESSAGES);
    }
    const completionText = r["completion"] === undefined ? undefined : messagesText(r["completion"], "last");
    if (r["completion"] !== undefined && completionText === undefined) {
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        "/completion",
        "completion has the wrong shape",
        r["completion"],
        MESSAGES,
      );
    }
    const completionId = idField("completion_id");
    const groupField =
      r["group_id"] !== undefined ? "group_id" : r["prompt_id"] !== undefined ? "prompt_id" : undefined;
    const groupValue = groupField === undefined ? undefined : idField(groupField);
    const ownId = idField("id");
    const completionLength = completionText === undefined ? 0 : codePoints(completionText);
    if (completionId === undefined && completionLength > MAX_ID_LENGTH) {
      ok = false;
      report(
        IssueCode.INVALID_VALUE,
        "/completion",
        `completion is ${completionLength} characters long; an action is a label of at most ${MAX_ID_LENGTH}: add a completion_id naming each distinct completion`,
        completionText,
        `completion of at most ${MAX_ID_LENGTH} characters, or a completion_id`,
      );
    }
    let reward = r["reward"];
    if (typeof reward === "number") {
      if (!Number.isFinite(reward)) {
        ok = false;
        report(
          IssueCode.NOT_FINITE,
          "/reward",
          "not a finite number",
          reward,
          `number in [${rewardMin}, ${rewardMax}]`,
        );
      } else if (reward < rewardMin || reward > rewardMax) {
        ok = false;
        report(
          IssueCode.OUT_OF_RANGE,
          "/reward",
          "out of range",
          reward,
          `number in [${rewardMin}, ${rewardMax}]`,
        );
      } else reward = (reward - rewardMin) / span;
    } else if (reward !== undefined) {
      ok = false;
      report(
        IssueCode.WRONG_TYPE,
        "/reward",
        `wrong type: ${reward === null ? "null" : typeof reward}`,
        reward,
        `number in [${rewardMin}, ${rewardMax}]`,
      );
    }
    const metadata: Record<string, unknown> = {};
    let hasMetadata = false;
    for (const key in r) {
      if (COMPLETIONS_FIELDS.has(key)) continue;
      if (FORBIDDEN_KEYS.has(key)) {
        ok = false;
        report(
          IssueCode.FORBIDDEN_KEY,
          `/${key}`,
          `forbidden key "${key}"`,
          r[key],
          "no __proto__, constructor or prototype keys",
        );
        continue;
      }
      metadata[key] = r[key];
      hasMetadata = true;
    }
    if (!ok) return refuseRecord(raw, o, at, sink, from);
    const groupId =
      groupValue ??
      `prompt-${createHash("sha256").update(canonicalJson(r["prompt"]), "utf8").digest("hex").slice(0, 32)}`;
    hash64(groupId);
    const k = state.occurrences.addCurrent(0) - 1;
    const context: RlvrContext = { prompt: promptText! };
    if (r["features"] !== undefined) context.features = r["features"] as Record<string, string>;
    const example: RlvrExample = {
      id: ownId ?? `${groupId}#${k}`,
      groupId,
      context,
      action: completionId ?? completionText!,
      reward: reward as number,
      verified:
        r["verified"] === undefined ? (reward as number) >= verifiedThreshold : (r["verified"] as boolean),
    };
    if (r["rewards"] !== undefined) example.rewards = r["rewards"] as Record<string, number>;
    if (r["weight"] !== undefined) example.weight = r["weight"] as number;
    if (r["source"] !== undefined) example.source = r["source"] as string;
    if (hasMetadata) example.metadata = metadata;
    const rename = renamer([
      ["/context/prompt", "/prompt"],
      ["/context/features", "/features"],
      ["/action", completionId === undefined ? "/completion" : "/completion_id"],
      ["/groupId", groupField === undefined ? "/prompt" : `/${groupField}`],
      ["/metadata", ""],
    ]);
    return withPropensity(raw, example, o, at, sink, () =>
      checkRlvrExample(example, at, sink, surrogates, rename),
    );
  };
}
