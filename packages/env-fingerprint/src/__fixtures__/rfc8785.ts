// Test vectors of RFC 8785 (JSON Canonicalization Scheme) and of its reference implementation's
// test data (github.com/cyberphone/json-canonicalization, folder testdata/), copied verbatim.

/**
 * RFC 8785 Appendix B: IEEE 754 binary64 bit patterns and their canonical serialization.
 * `null` marks the values the RFC says must be rejected (NaN, Infinity).
 */
export const APPENDIX_B: readonly (readonly [hex: string, expected: string | null])[] = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"], // minus zero
  ["0000000000000001", "5e-324"], // min pos number
  ["8000000000000001", "-5e-324"], // min neg number
  ["7fefffffffffffff", "1.7976931348623157e+308"], // max pos number
  ["ffefffffffffffff", "-1.7976931348623157e+308"], // max neg number
  ["4340000000000000", "9007199254740992"], // max pos int
  ["c340000000000000", "-9007199254740992"], // max neg int
  ["4430000000000000", "295147905179352830000"], // ~2**68
  ["7fffffffffffffff", null], // NaN
  ["7ff0000000000000", null], // Infinity
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"], // round to even
];

/** RFC 8785 §3.2.2: the input of the whole-transformation example. */
export const SECTION_3_2_2_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;

/** RFC 8785 §3.2.2 (and §3.2.4): its canonical form, as JSON text. */
export const SECTION_3_2_2_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

/** RFC 8785 §3.2.4: the UTF-8 bytes of that canonical form, as the RFC prints them. */
export const SECTION_3_2_4_HEX = `
  7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
  75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
  5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
  65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
  5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
  30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`;

/** RFC 8785 §3.2.3: the property-sorting test data. */
export const SECTION_3_2_3_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;

/** RFC 8785 §3.2.3: the values in the order the RFC says the members must come out. */
export const SECTION_3_2_3_ORDER = [
  "Carriage Return",
  "One",
  "Control",
  "Latin Small Letter O With Diaeresis",
  "Euro Sign",
  "Emoji: Grinning Face",
  "Hebrew Letter Dalet With Dagesh",
];

/** RFC 8785 §3.2.3: the UTF-16 code units of the sorted member names, as the RFC lists them. */
export const SECTION_3_2_3_NAME_UNITS = [[0x000d], [0x0031], [0x0080], [0x00f6], [0x20ac], [0xd83d, 0xde00], [0xfb33]];

/**
 * cyberphone/json-canonicalization testdata: input file text and output file text. Outputs that
 * contain raw control or non-ASCII characters are written with JavaScript escapes, which produce
 * exactly those characters.
 */
export const REFERENCE_TESTDATA: readonly { name: string; input: string; output: string }[] = [
  {
    // testdata/output/arrays.json is not in the reference store; the expected text follows from the
    // rules (array order kept, members "1" < "10" < "d" by code unit).
    name: "arrays",
    input: '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]',
    output: '[56,{"1":[],"10":null,"d":true}]',
  },
  {
    name: "french",
    input:
      '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
    output:
      '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French","p\u00eache":"but canonicalization MUST","sin":"ingnore locale"}',
  },
  {
    name: "simpleString",
    input: '    "this is a test string 1235"',
    output: '"this is a test string 1235"',
  },
  {
    name: "structures",
    input: String.raw`{
  "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}`,
    output: String.raw`{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}`,
  },
  {
    name: "unicode",
    input: String.raw`{
  "Unnormalized Unicode":"\u1e0d\u0307"
}
`,
    output: '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  },
  {
    name: "values",
    input: String.raw`{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
    output: String.raw`{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
  },
  {
    name: "weird",
    input: String.raw`{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}
`,
    output:
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
];

/** The number examples the brief and RFC 8785 §3.2.2.3 / Appendix B name, as JavaScript numbers. */
export const NUMBER_EXAMPLES: readonly (readonly [value: number, expected: string])[] = [
  [1e21, "1e+21"],
  [1e-7, "1e-7"],
  [-0, "0"],
  [333333333.33333329, "333333333.3333333"],
  [4.5, "4.5"],
  [2e-3, "0.002"],
  [0.000001, "0.000001"],
  [1e23, "1e+23"],
  [1e30, "1e+30"],
  [1e-27, "1e-27"],
  [100, "100"],
  [1e20, "100000000000000000000"],
  [-1.5, "-1.5"],
  [9007199254740993, "9007199254740992"],
];
