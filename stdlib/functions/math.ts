// Mathematical functions (raql.md §6.2): absolute value, powers, logarithms,
// rounding, RELDIFF, trigonometry, GREATEST/LEAST and HASH.

import { NType, T } from "../../grammar/types.js";
import { DIMENSIONLESS, Units, normalizeUnits } from "../../grammar/units.js";
import { compareValues, hashValue } from "../compare.js";
import type { FunctionEntry, StatelessImpl, TypingCall, TypingResult, UnitRule } from "../entry.js";
import { inlineWrap, numKind, toFloat, wrapBig, wrapSmall } from "../ints.js";
import { anyNullable, arg, expectNumeric, unifyArgs } from "../typing.js";
import type { Value } from "../values.js";
import { constNumber, convertTo, floatUnary, numericBinary, numericUnary, result } from "./common.js";

function scaleUnits(units: Units | undefined, factor: number): Units | undefined {
  if (units === undefined) return undefined;
  if (units.length === 0) return DIMENSIONLESS;
  return normalizeUnits(units.map((d) => ({ ...d, exponent: d.exponent * factor }))).units;
}

/** num -> type of x */
function typeSameNumeric(call: TypingCall): NType {
  const a = expectNumeric(call, 0);
  return a.type;
}

/** num -> float, `nullable` forced for functions that return NULL on invalid input. */
function typeToFloat(alwaysNullable: boolean, unitFactor?: number) {
  return (call: TypingCall): NType | TypingResult => {
    const a = expectNumeric(call, 0);
    convertTo(call, 0, T.float);
    const type = result(T.float, alwaysNullable || a.type.nullable);
    if (unitFactor === undefined) return type;
    const units = scaleUnits(a.units, unitFactor);
    return units === undefined ? type : { type, units };
  };
}

function unary(
  name: string,
  names: string[],
  typing: FunctionEntry["typing"],
  units: UnitRule,
  impl: StatelessImpl,
  signature: string,
  nullRule: FunctionEntry["nullRule"],
  doc: string,
  examples: string[],
): FunctionEntry {
  return {
    name,
    names,
    syntax: { kind: "function", arities: [1] },
    state: "stateless",
    deterministic: true,
    nullRule,
    signature,
    doc,
    examples,
    typing,
    units,
    impl,
  };
}

const identity = {
  small: (a: number) => a,
  big: (a: bigint) => a,
  inlineSmall: (a: string) => a,
  inlineBig: (a: string) => a,
};

/** Rounds halves away from zero (Math.round rounds them up). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const abs = numericUnary({
  float: (a) => Math.abs(a),
  small: (a, k) => (k.signed ? wrapSmall(Math.abs(a), true, k.width) : a),
  big: (a, k) => (k.signed && a < 0n ? wrapBig(-a, true, k.width) : a),
  inlineFloat: (a) => `Math.abs(${a})`,
  inlineSmall: (a, k) => (k.signed ? inlineWrap(`Math.abs(${a})`, k) : a),
  inlineBig: (a, k) => (k.signed ? inlineWrap(`(${a} < 0n ? -${a} : ${a})`, k) : a),
});

const sq = numericUnary({
  float: (a) => a * a,
  small: (a, k) => wrapSmall(Math.imul(a, a), k.signed, k.width),
  big: (a, k) => wrapBig(a * a, k.signed, k.width),
  inlineFloat: (a) => `(${a} ** 2)`,
});

/** The largest multiple of q that is ≤ x; a non-positive q leaves x unchanged. */
const truncate = numericBinary({
  float: (x, q) => (q > 0 ? q * Math.floor(x / q) : x),
  small: (x, q) => {
    if (q <= 0) return x;
    const r = x % q;
    return x - (r < 0 ? r + q : r);
  },
  big: (x, q) => {
    if (q <= 0n) return x;
    const r = x % q;
    return x - (r < 0n ? r + q : r);
  },
});

function typeTruncate(call: TypingCall): NType {
  expectNumeric(call, 0);
  if (call.args.length < 2 || call.args[1] === null) {
    convertTo(call, 0, T.float);
    return result(T.float, anyNullable(call));
  }
  expectNumeric(call, 1);
  const q = constNumber(call.args[1]);
  if (q !== undefined && !(q > 0)) call.fail(1, "typeMismatch", { what: arg(call, 1).text, expected: "strictly positive" }, [`got: ${q}`]);
  return result(unifyArgs(call, [0, 1]), anyNullable(call));
}

/** `min(|a−b|, max(a,b)) / max(|a−b|, max(a,b))`, 0 when a = b (raql.md §6.2). */
export function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  const d = Math.abs(a - b);
  const m = Math.max(a, b);
  return Math.min(d, m) / Math.max(d, m);
}

function typeRelDiff(call: TypingCall): NType {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  convertTo(call, 0, T.float);
  convertTo(call, 1, T.float);
  return result(T.float, anyNullable(call));
}

function typeExtremum(call: TypingCall): NType {
  return result(unifyArgs(call, call.args.map((_, i) => i)), anyNullable(call));
}

function extremum(greatest: boolean): StatelessImpl {
  return {
    kind: "stateless",
    apply: (args) => {
      let best = args[0] as Value;
      for (let i = 1; i < args.length; i++) {
        const c = compareValues(args[i] as Value, best);
        if (greatest ? c > 0 : c < 0) best = args[i] as Value;
      }
      return best;
    },
    // Integers only: Math.max/min and `>` would disagree with the NaN order of compareValues.
    // Wide integers are bigints; with two of them a conditional keeps the first on ties, as `apply` does.
    inline: (args, call) => {
      const kind = numKind(call.resultType).kind;
      if (kind === "small") return `Math.${greatest ? "max" : "min"}(${args.join(", ")})`;
      if (kind === "big" && args.length === 2) return `(${args[1]} ${greatest ? ">" : "<"} ${args[0]} ? ${args[1]} : ${args[0]})`;
      return undefined;
    },
  };
}

const TRIG: [string, (x: number) => number, string, string][] = [
  ["cos", Math.cos, "cosine", "COS 0 = 1.0"],
  ["sin", Math.sin, "sine", "SIN 0 = 0.0"],
  ["tan", Math.tan, "tangent", "TAN 0 = 0.0"],
  ["acos", Math.acos, "arc cosine (NaN outside [-1, 1])", "ACOS 1 = 0.0"],
  ["asin", Math.asin, "arc sine (NaN outside [-1, 1])", "ASIN 0 = 0.0"],
  ["atan", Math.atan, "arc tangent", "ATAN 0 = 0.0"],
  ["cosh", Math.cosh, "hyperbolic cosine", "COSH 0 = 1.0"],
  ["sinh", Math.sinh, "hyperbolic sine", "SINH 0 = 0.0"],
  ["tanh", Math.tanh, "hyperbolic tangent", "TANH 0 = 0.0"],
];

export const entries: readonly FunctionEntry[] = [
  unary("abs", ["abs"], typeSameNumeric, "same-as-first", abs, "num -> type of x", "prop", "Absolute value (ABS of the smallest signed integer wraps to itself).", [
    "ABS(-2.5) = 2.5",
  ]),
  unary(
    "sq",
    ["sq", "square"],
    (call) => {
      const a = expectNumeric(call, 0);
      const units = scaleUnits(a.units, 2);
      return units === undefined ? a.type : { type: a.type, units };
    },
    "none",
    sq,
    "num -> type of x",
    "prop",
    "Square: x·x, wrapping around for integers.",
    ["SQ 3 = 9", "SQUARE(-1.5) = 2.25"],
  ),
  unary("sqrt", ["sqrt"], typeToFloat(true, 0.5), "none", floatUnary(Math.sqrt, "Math.sqrt", true), "num -> float", "always", "Square root; NULL for a negative x.", [
    "SQRT 16 = 4.0",
    "SQRT(-1) = NULL",
  ]),
  unary("exp", ["exp"], typeToFloat(false), "dimensionless-arg", floatUnary(Math.exp, "Math.exp", false), "num -> float", "prop", "e to the power x.", ["EXP 0 = 1.0"]),
  unary("log", ["log"], typeToFloat(true), "dimensionless-arg", floatUnary(Math.log, "Math.log", true), "num -> float", "always", "Natural logarithm; NULL for a negative x, -inf for 0.", [
    "LOG 1 = 0.0",
    "LOG(-1) = NULL",
  ]),
  unary("log10", ["log10"], typeToFloat(true), "dimensionless-arg", floatUnary(Math.log10, "Math.log10", true), "num -> float", "always", "Base-10 logarithm; NULL for a negative x.", [
    "LOG10 1000 = 3.0",
  ]),
  unary(
    "ceil",
    ["ceil"],
    typeSameNumeric,
    "same-as-first",
    numericUnary({ ...identity, float: Math.ceil, inlineFloat: (a) => `Math.ceil(${a})` }),
    "num -> type of x",
    "prop",
    "Smallest integral value ≥ x (integers are unchanged).",
    ["CEIL 1.2 = 2.0", "CEIL(-1.2) = -1.0"],
  ),
  unary(
    "floor",
    ["floor"],
    typeSameNumeric,
    "same-as-first",
    numericUnary({ ...identity, float: Math.floor, inlineFloat: (a) => `Math.floor(${a})` }),
    "num -> type of x",
    "prop",
    "Largest integral value ≤ x (integers are unchanged).",
    ["FLOOR 1.8 = 1.0", "FLOOR(-1.2) = -2.0"],
  ),
  unary(
    "round",
    ["round"],
    typeSameNumeric,
    "same-as-first",
    numericUnary({ ...identity, float: roundHalfAway }),
    "num -> type of x",
    "prop",
    "Nearest integral value, halves away from zero (integers are unchanged).",
    ["ROUND 2.5 = 3.0", "ROUND(-2.5) = -3.0"],
  ),
  {
    name: "truncate",
    names: ["truncate"],
    syntax: { kind: "function", arities: [1, 2] },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "num[, num] -> max(tx, tq)",
    doc:
      "TRUNCATE(x, q): the largest multiple of q that is ≤ x (q > 0; a constant q must be positive, a non-positive q at run " +
      "time leaves x unchanged). TRUNCATE x = TRUNCATE(x, 1.0), a float.",
    examples: ["TRUNCATE(97, 10) = 90", "TRUNCATE(-2.5) = -3.0"],
    typing: typeTruncate,
    units: "same-as-first",
    impl: {
      kind: "stateless",
      apply: (args, call) => (args.length < 2 || args[1] === null || args[1] === undefined ? Math.floor(toFloat(args[0] as number)) : truncate.apply(args, call)),
    },
  },
  {
    name: "reldiff",
    names: ["reldiff"],
    syntax: { kind: "function", arities: [2] },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "num, num -> float",
    doc: "Relative difference: min(|a−b|, max(a,b)) / max(|a−b|, max(a,b)); 0 when a = b.",
    examples: ["RELDIFF(10, 15) = 0.3333333333333333", "RELDIFF(3, 3) = 0.0"],
    typing: typeRelDiff,
    units: "dimensionless",
    impl: { kind: "stateless", apply: ([a, b]) => relDiff(a as number, b as number) },
  },
  ...TRIG.map(([name, fn, what, example]) =>
    unary(name, [name], typeToFloat(false), "dimensionless-arg", floatUnary(fn, `Math.${name}`, false), "num -> float", "prop", `The ${what} of x (radians).`, [
      example,
    ]),
  ),
  {
    name: "greatest",
    names: ["greatest", "max"],
    syntax: { kind: "function", arities: [1], variadic: true, minArgsByName: { max: 2 } },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "t, … -> largest",
    doc: "The maximum of the arguments (any comparable types, promoted to the largest). MAX needs at least 2 arguments (MAX x is the aggregate).",
    examples: ["GREATEST(1, 5, 3) = 5", 'MAX("a", "b") = "b"'],
    typing: typeExtremum,
    units: "same",
    impl: extremum(true),
  },
  {
    name: "least",
    names: ["least", "min"],
    syntax: { kind: "function", arities: [1], variadic: true, minArgsByName: { min: 2 } },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "t, … -> largest",
    doc: "The minimum of the arguments (any comparable types, promoted to the largest). MIN needs at least 2 arguments (MIN x is the aggregate).",
    examples: ["LEAST(1, 5, 3) = 1", "MIN(2, -1.5) = -1.5"],
    typing: typeExtremum,
    units: "same",
    impl: extremum(false),
  },
  {
    name: "hash",
    names: ["hash"],
    syntax: { kind: "function", arities: [1] },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "t -> i64",
    doc: "A deterministic 64-bit hash of any value (equal values hash equal, including 1 and 1.0).",
    examples: ["HASH 1 = HASH 1.0"],
    typing: (call) => result(T.i64, arg(call, 0).type.nullable),
    units: "none",
    impl: { kind: "stateless", apply: ([x]) => hashValue(x as Value) },
  },
];
