// The content of the built-in tool-routing environment: tool names, prompts, distractor features,
// competences, and the tasks of each kind with the verifier that checks them.
import type { Rng } from "../rng.js";
import { uniformIndex } from "../rng.js";
import type { TaskKind } from "../tool-routing-environment.js";
import type { Verifier } from "../verifiers.js";
import * as verifiers from "../verifiers.js";

/** Names of the tools (actions), in order of creation. */
export const TOOL_NAMES = [
  "calculator",
  "code-interpreter",
  "text-editor",
  "date-parser",
  "json-parser",
  "web-search",
  "knowledge-base",
  "spreadsheet",
  "shell",
  "llm-direct",
  "regex-engine",
  "translator",
];

/** How a request of each kind reads at each level (the prompt the policy sees). */
export const PROMPTS: Record<TaskKind, readonly [string, string, string]> = {
  arithmetic: ["add two numbers", "multiply two numbers", "evaluate a multi-step expression"],
  "unit-conversion": [
    "convert a whole quantity",
    "convert a decimal quantity",
    "convert a high-precision measurement",
  ],
  "word-order": ["reverse a short phrase", "reverse a sentence", "reverse a long passage"],
  "date-format": ["format a written date", "format a date with an ordinal", "turn a day-of-year into a date"],
  "json-extraction": ["extract a name and age", "extract a person record", "extract a full contact record"],
};

export const DISTRACTORS: readonly (readonly [string, readonly string[]])[] = [
  ["channel", ["email", "chat", "api", "phone", "web", "sms", "slack", "portal", "kiosk", "fax"]],
  ["region", ["north", "south", "east", "west", "central", "coastal", "alpine", "island", "metro", "rural"]],
  [
    "tier",
    ["free", "basic", "plus", "pro", "team", "business", "enterprise", "partner", "internal", "trial"],
  ],
  [
    "weekday",
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "holiday", "eve", "night"],
  ],
  ["team", ["red", "blue", "green", "amber", "violet", "teal", "orange", "gray", "black", "white"]],
  ["locale", ["en", "de", "fr", "es", "it", "nl", "pt", "sv", "pl", "ja"]],
];

/** Competence of a kind's specialist tool at each level. */
export const PRIMARY = [0.95, 0.85, 0.45];
/** Competence of a kind's second tool at each level (the best on hard tasks). */
export const SECONDARY = [0.55, 0.6, 0.8];

const WORDS = [
  "amber",
  "basil",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "grove",
  "harbor",
  "iris",
  "juniper",
  "kettle",
  "lantern",
  "meadow",
  "nectar",
  "orbit",
  "pepper",
  "quartz",
  "raven",
  "saffron",
  "timber",
  "umbra",
  "velvet",
  "willow",
  "xenon",
  "yarrow",
  "zephyr",
  "anchor",
  "bramble",
  "canyon",
  "dune",
];
const NAMES = [
  "Ada",
  "Boris",
  "Chen",
  "Dalia",
  "Emeka",
  "Farah",
  "Goran",
  "Hana",
  "Ivo",
  "Jun",
  "Kemal",
  "Lena",
];
const CITIES = ["Oslo", "Lima", "Kyoto", "Accra", "Quito", "Porto", "Perth", "Tunis", "Riga", "Hanoi"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const UNITS: readonly (readonly [string, string, number])[] = [
  ["km", "m", 1000],
  ["kg", "g", 1000],
  ["h", "min", 60],
  ["min", "s", 60],
  ["ft", "in", 12],
  ["m", "cm", 100],
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface Payload {
  question: string;
  reference: unknown;
  correct: string;
  wrong: (rng: Rng) => string;
}

const between = (rng: Rng, lo: number, hi: number): number => lo + uniformIndex(rng, hi - lo + 1);

function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

const JSON_SCHEMAS: readonly Record<string, unknown>[] = [0, 1, 2].map((level) => {
  const properties: Record<string, unknown> = { name: { type: "string" }, age: { type: "integer" } };
  if (level >= 1) properties.city = { type: "string" };
  if (level >= 2) properties.email = { type: "string" };
  return Object.freeze({
    type: "object",
    required: Object.keys(properties),
    properties,
    additionalProperties: false,
  });
});

/** A task of `kind` at `level`: the question, its reference, the correct and a wrong output. */
export function makePayload(kind: TaskKind, level: number, rng: Rng): Payload {
  switch (kind) {
    case "arithmetic": {
      let question: string;
      let answer: number;
      if (level === 0) {
        const a = between(rng, 10, 99);
        const b = between(rng, 10, 99);
        question = `What is ${a} + ${b}?`;
        answer = a + b;
      } else if (level === 1) {
        const a = between(rng, 100, 999);
        const b = between(rng, 10, 99);
        question = `What is ${a} * ${b}?`;
        answer = a * b;
      } else {
        const a = between(rng, 100, 999);
        const b = between(rng, 100, 999);
        const c = between(rng, 100, 999);
        question = `What is ${a} * ${b} - ${c}?`;
        answer = a * b - c;
      }
      return {
        question,
        reference: answer,
        correct: String(answer),
        wrong: (r) => String(answer + ([-100, -10, -1, 1, 10, 100][uniformIndex(r, 6)] ?? 1)),
      };
    }
    case "unit-conversion": {
      const [from, to, factor] = UNITS[uniformIndex(rng, UNITS.length)]!;
      const scale = [1, 10, 100][level]!;
      const n =
        level === 0 ? between(rng, 1, 99) : level === 1 ? between(rng, 10, 999) : between(rng, 100, 99999);
      const value = (n / scale).toFixed(level);
      const answer = (n * factor) / scale;
      return {
        question: `Convert ${value} ${from} to ${to}.`,
        reference: answer,
        correct: String(answer),
        wrong: (r) => String(uniformIndex(r, 2) === 0 ? answer * 10 : answer / 10),
      };
    }
    case "word-order": {
      const count = [3, 5, 7][level]!;
      const pool = [...WORDS];
      const words: string[] = [];
      for (let i = 0; i < count; i++) words.push(pool.splice(uniformIndex(rng, pool.length), 1)[0]!);
      const reversed = [...words].reverse().join(" ");
      return {
        question: `Reverse the word order of: "${words.join(" ")}"`,
        reference: reversed,
        correct: reversed.charAt(0).toUpperCase() + reversed.slice(1),
        wrong: (r) =>
          uniformIndex(r, 2) === 0 ? words.join(" ") : [...words].reverse().slice(0, -1).join(" "),
      };
    }
    case "date-format": {
      const year = between(rng, 1990, 2030);
      const month = between(rng, 1, 12);
      const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const day = between(rng, 1, days);
      const iso = `${year}-${pad2(month)}-${pad2(day)}`;
      let phrase: string;
      if (level === 0) phrase = `${day} ${MONTHS[month - 1]} ${year}`;
      else if (level === 1) phrase = `${MONTHS[month - 1]} ${ordinal(day)}, ${year}`;
      else {
        const doy = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86400000) + 1;
        phrase = `day ${doy} of ${year}`;
      }
      return {
        question: `Write ${phrase} as an ISO 8601 date.`,
        reference: iso,
        correct: iso,
        wrong: () => `${pad2(month)}/${pad2(day)}/${year}`,
      };
    }
    case "json-extraction": {
      const name = NAMES[uniformIndex(rng, NAMES.length)]!;
      const age = between(rng, 18, 90);
      const record: Record<string, string | number> = { name, age };
      let text = `${name} is ${age} years old`;
      if (level >= 1) {
        const city = CITIES[uniformIndex(rng, CITIES.length)]!;
        record.city = city;
        text += ` and lives in ${city}`;
      }
      if (level >= 2) {
        const email = `${name.toLowerCase()}${between(rng, 1, 99)}@example.org`;
        record.email = email;
        text += `; write to ${email}`;
      }
      return {
        question: `Extract a JSON record from: "${text}."`,
        reference: { schema: JSON_SCHEMAS[level], record },
        correct: JSON.stringify(record),
        wrong: () =>
          Object.entries(record)
            .map(([k, v]) => `${k}=${v}`)
            .join("; "),
      };
    }
  }
}

/** The verifier of each task kind. */
export function kindVerifiers(): Record<TaskKind, Verifier<string, unknown>> {
  const exact = verifiers.createExactMatchVerifier();
  return {
    arithmetic: verifiers.createNumericVerifier({ absoluteTolerance: 1e-9 }) as Verifier<string, unknown>,
    "unit-conversion": verifiers.createNumericVerifier({
      absoluteTolerance: 1e-12,
      relativeTolerance: 1e-9,
    }) as Verifier<string, unknown>,
    "word-order": verifiers.createNormalizedTextVerifier() as Verifier<string, unknown>,
    "date-format": verifiers.createCompositeVerifier<string, unknown>({
      name: "iso_date",
      components: [
        {
          name: "format",
          weight: 0.5,
          verifier: verifiers.createRegexVerifier({ pattern: ISO_DATE }),
          reference: () => undefined,
        },
        { name: "value", weight: 0.5, verifier: exact },
      ],
    }),
    "json-extraction": verifiers.createCompositeVerifier<string, unknown>({
      name: "json_record",
      components: [
        {
          name: "schema",
          weight: 0.5,
          verifier: verifiers.createJsonSchemaVerifier(),
          reference: (ref) => (ref as { schema: unknown }).schema,
        },
        {
          name: "value",
          weight: 0.5,
          verifier: exact,
          outcome: verifiers.parseJsonOrUndefined,
          reference: (ref) => (ref as { record: unknown }).record,
        },
      ],
    }),
  };
}
