// Free-text prompts of the tool-routing environment (`promptStyle: "free"`): paraphrases per
// (kind, level), fillers, misleading phrases and distractor layouts. Every list is finite, so the
// context set stays finite; each paraphrase is unique to its (kind, level) and no other piece of a
// prompt contains one, so the observed kind and level are recoverable from the prompt alone.

/** Paraphrases per kind (canonical kind order) and level: `[kind][level][variant]`. */
export const PARAPHRASES: readonly (readonly (readonly string[])[])[] = [
  // arithmetic
  [
    [
      "add two numbers",
      "what's the sum of two small numbers",
      "two numbers need adding up",
      "quick addition of a pair of integers",
    ],
    [
      "multiply two numbers",
      "product of a three-digit and a two-digit number",
      "times one number by another",
      "work out a multiplication",
    ],
    [
      "evaluate a multi-step expression",
      "compute a product minus a third number",
      "solve a longer arithmetic expression",
      "crunch a chained calculation",
    ],
  ],
  // unit-conversion
  [
    [
      "convert a whole quantity",
      "change whole units into smaller units",
      "how many small units in a whole amount",
      "express an integer measurement in another unit",
    ],
    [
      "convert a decimal quantity",
      "decimal measurement to a smaller unit",
      "rescale a measurement with one decimal",
      "change units for a fractional amount",
    ],
    [
      "convert a high-precision measurement",
      "precise unit change with two decimals",
      "exact conversion of a long measurement",
      "switch units for a fine-grained reading",
    ],
  ],
  // word-order
  [
    [
      "reverse a short phrase",
      "flip the order of three words",
      "read three words backwards",
      "swap around a tiny word list",
    ],
    [
      "reverse a sentence",
      "put five words in reverse order",
      "turn a five-word line back to front",
      "mirror the ordering of a short sentence",
    ],
    [
      "reverse a long passage",
      "invert the order of seven words",
      "flip a long word sequence end to end",
      "rewrite a lengthy word list backwards",
    ],
  ],
  // date-format
  [
    [
      "format a written date",
      "turn a plain written date into iso form",
      "normalise a day month year date",
      "iso version of a spelled-out date",
    ],
    [
      "format a date with an ordinal",
      "rewrite a date like march 3rd as iso",
      "standardise an ordinal calendar date",
      "ordinal date to yyyy-mm-dd",
    ],
    [
      "turn a day-of-year into a date",
      "which calendar date is day n of the year",
      "map a day number onto a calendar",
      "resolve a year-day index to iso",
    ],
  ],
  // json-extraction
  [
    [
      "extract a name and age",
      "pull name and age out as json",
      "name plus age into a json object",
      "structured name and age from text",
    ],
    [
      "extract a person record",
      "build a json record with name age and city",
      "parse who and where into json",
      "get a small person profile as json",
    ],
    [
      "extract a full contact record",
      "full json contact with email",
      "capture name age city and email as json",
      "complete contact card in json form",
    ],
  ],
];

/** Paraphrases per (kind, level). */
export const PARAPHRASES_PER_LEVEL = 4;

/** Filler around the request: `[prefix, suffix]`, the first is none. */
export const FILLERS: readonly (readonly [string, string])[] = [
  ["", ""],
  ["hi,", "thanks"],
  ["hello team,", "asap please"],
  ["hey quick one:", "no rush, whenever you get a sec"],
  ["good morning! could you", "cheers, you are the best"],
];

/**
 * Misleading phrases, each with the canonical index of the kind (or tool) its words evoke; a prompt
 * only gets a phrase evoking another kind than the one it states.
 */
export const MISLEADING: readonly (readonly [string, number])[] = [
  ["the calculator team sent this", 0],
  ["it is not really a math problem", 0],
  ["no conversion needed on our side", 1],
  ["unit tests are failing too", 1],
  ["not about word order", 2],
  ["someone said reverse proxy, ignore that", 2],
  ["not a date question but", 3],
  ["calendar sync is down btw", 3],
  ["json export later", 4],
  ["ignore the record id in the subject", 4],
];

/** How each distractor feature reads inside a sentence (`{}` is the value), by distractor position. */
const DISTRACTOR_PHRASES: readonly string[] = [
  "via {}",
  "from the {} office",
  "{} plan",
  "due {}",
  "for team {}",
  "locale {}",
];

/** The pieces of a free-text prompt. */
export interface FreePromptParts {
  /** The paraphrase of the request (kind and level). */
  readonly core: string;
  /** Index of the paraphrase: chooses the layout. */
  readonly variant: number;
  /** Text before and after the request. */
  readonly filler: readonly [string, string];
  /** A misleading phrase, or "". */
  readonly misleading: string;
  /** The distractor features' values. */
  readonly distractorValues: readonly string[];
}

/**
 * Compose a free-text prompt. The layout (where the distractors and the misleading phrase go) depends
 * on the paraphrase variant, so the distractors are woven in differently from one wording to another.
 */
export function composeFreePrompt(parts: FreePromptParts): string {
  const { core, variant, filler, misleading, distractorValues } = parts;
  const [prefix, suffix] = filler;
  const phrases = distractorValues.map((v, j) => DISTRACTOR_PHRASES[j]!.replace("{}", v));
  let pieces: string[];
  switch (variant % 4) {
    case 0:
      pieces = [
        prefix,
        core,
        distractorValues.length ? `(${distractorValues.join(", ")})` : "",
        misleading ? `- ${misleading}.` : "",
        suffix,
      ];
      break;
    case 1:
      pieces = [
        phrases.length ? `${phrases[0]}:` : "",
        prefix,
        misleading ? `${misleading},` : "",
        core,
        phrases.slice(1).join(" "),
        suffix,
      ];
      break;
    case 2:
      pieces = [prefix, misleading ? `${misleading} -` : "", core, phrases.join(", "), suffix];
      break;
    default:
      pieces = [
        distractorValues.length ? `[${distractorValues.join("/")}]` : "",
        prefix,
        core,
        misleading ? `; ${misleading};` : "",
        suffix,
      ];
  }
  return pieces.filter((p) => p !== "").join(" ");
}
