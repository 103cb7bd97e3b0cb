// Operators (raql.md §2.6, §5.1, §5.3): logic, comparisons, membership, string
// matching, arithmetic, bitwise operations, concatenation, COALESCE, negation
// and NULL tests. Integer results wrap around at the result width.

import { NType, T, Type, isAnyCidr, isAnyIp, isSequence, notNull, typeEquals } from "../../grammar/types.js";
import { DIMENSIONLESS, Units, normalizeUnits } from "../../grammar/units.js";
import { compareValues, equalValues } from "../compare.js";
import type { FunctionEntry, ImplCall, StatelessImpl, TypingCall } from "../entry.js";
import { inlineWrap, numKind, wrapBig, wrapSmall } from "../ints.js";
import { cidrContains } from "../net.js";
import {
  anyNullable,
  arg,
  concretize,
  describe,
  expectInteger,
  expectNullable,
  expectNumeric,
  expectType,
  isIntLike,
  largest,
  largestOf,
  negatedType,
  signedAtLeast,
  unifyArgs,
} from "../typing.js";
import type { Cidr, Value } from "../values.js";
import { constNumber, convertTo, expectedNote, nanToNull, numericBinary, numericUnary, result, warnUnlikeUnits } from "./common.js";

// ---- logic (§5.3: three-valued) --------------------------------------------------------------

function typeLogic(call: TypingCall): NType {
  for (let i = 0; i < call.args.length; i++) expectType(call, i, T.bool);
  return result(T.bool, anyNullable(call));
}

/**
 * Plain `&&` / `||` when no operand can be NULL; otherwise the three-valued
 * table spelled out with comparisons only (the code generator binds operands
 * used more than once to temporaries, so nothing is allocated).
 */
function inlineLogic(op: "&&" | "||", dominant: boolean) {
  return ([a, b]: readonly string[], call: ImplCall): string =>
    call.argTypes.some((t) => t?.nullable)
      ? `(${a} === ${dominant} || ${b} === ${dominant} ? ${dominant} : ${a} === null || ${b} === null ? null : ${!dominant})`
      : `(${a} ${op} ${b})`;
}

const logic: FunctionEntry[] = [
  {
    name: "or",
    names: [],
    syntax: { kind: "infix", op: "OR", level: 1 },
    state: "stateless",
    deterministic: true,
    nullRule: "custom",
    signature: "bool, bool -> bool",
    doc: "Logical disjunction with three-valued logic: true OR NULL is true, false OR NULL is NULL.",
    examples: ["true OR NULL = true", "false OR NULL = NULL"],
    typing: typeLogic,
    units: "none",
    impl: {
      kind: "stateless",
      passNulls: true,
      apply: ([a, b]) => (a === true || b === true ? true : a === null || b === null ? null : false),
      inline: inlineLogic("||", true),
    },
  },
  {
    name: "and",
    names: [],
    syntax: { kind: "infix", op: "AND", level: 2 },
    state: "stateless",
    deterministic: true,
    nullRule: "custom",
    signature: "bool, bool -> bool",
    doc: "Logical conjunction with three-valued logic: false AND NULL is false, true AND NULL is NULL.",
    examples: ["false AND NULL = false", "true AND NULL = NULL"],
    typing: typeLogic,
    units: "none",
    impl: {
      kind: "stateless",
      passNulls: true,
      apply: ([a, b]) => (a === false || b === false ? false : a === null || b === null ? null : true),
      inline: inlineLogic("&&", false),
    },
  },
  {
    name: "not",
    names: [],
    syntax: { kind: "prefix", op: "NOT" },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "bool -> bool",
    doc: "Logical negation; NOT NULL is NULL. Binds tighter than comparisons: write NOT (a = b).",
    examples: ["NOT true = false"],
    typing: typeLogic,
    units: "none",
    impl: { kind: "stateless", apply: ([a]) => !a, inline: ([a]) => `(!${a})` },
  },
];

// ---- comparisons (§2.6) -------------------------------------------------------------------------

function typeComparison(call: TypingCall): NType {
  unifyArgs(call, [0, 1]);
  warnUnlikeUnits(call, 0, 1);
  return result(T.bool, anyNullable(call));
}

/** Types whose values JS operators compare exactly like RaQL (same representation on both sides). */
function isPlainScalar(t: NType | null): boolean {
  switch (t?.type.tag) {
    case "int":
    case "float":
    case "string":
    case "bool":
    case "char":
    case "eth":
    case "ip4":
    case "ip6":
      return true;
    default:
      return false;
  }
}

function comparison(name: string, op: string, jsOp: string, test: (order: number) => boolean, doc: string, example: string): FunctionEntry {
  const equality = name === "eq" || name === "ne";
  return {
    name,
    names: [],
    syntax: { kind: "infix", op, level: 4 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "t, t -> bool",
    doc:
      doc +
      " Operands must be of the same sort: equal types, both numeric (compared by value), both IPs or both CIDRs. " +
      "Strings compare bytewise, composites structurally and lexicographically, false < true, IPs by (family, address).",
    examples: [example],
    typing: typeComparison,
    units: "none",
    impl: {
      kind: "stateless",
      apply: ([a, b]) => {
        // Plain numbers use the JS operators so that NaN compares as IEEE 754 says.
        if (typeof a === "number" && typeof b === "number") return jsCompare(jsOp, a, b);
        return equality ? test(equalValues(a as Value, b as Value) ? 0 : 1) : test(compareValues(a as Value, b as Value));
      },
      inline: (args, call) => (isPlainScalar(call.argTypes[0]!) && isPlainScalar(call.argTypes[1]!) ? `(${args[0]} ${jsOp} ${args[1]})` : undefined),
    },
  };
}

function jsCompare(jsOp: string, a: number, b: number): boolean {
  switch (jsOp) {
    case "===":
      return a === b;
    case "!==":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

const comparisons: FunctionEntry[] = [
  comparison("eq", "=", "===", (c) => c === 0, "Equality; NULL = NULL is NULL (use IS NULL).", "1 = 1.0 = true"),
  comparison("ne", "<>", "!==", (c) => c !== 0, "Difference, written <> or !=.", '"a" <> "b" = true'),
  comparison("lt", "<", "<", (c) => c < 0, "Strictly less than.", "(1; 2) < (1; 3) = true"),
  comparison("le", "<=", "<=", (c) => c <= 0, "Less than or equal.", "2 <= 2 = true"),
  comparison("gt", ">", ">", (c) => c > 0, "Strictly greater than.", '"b" > "abc" = true'),
  comparison("ge", ">=", ">=", (c) => c >= 0, "Greater than or equal.", "-1 >= 0 = false"),
];

// ---- IN, LIKE, STARTS/ENDS WITH ------------------------------------------------------------------

function failIn(call: TypingCall): never {
  const [a, b] = [arg(call, 0), arg(call, 1)];
  return call.fail("call", "inOperator", {}, [`got: ${describe(a.type)} IN ${describe(b.type)}`]);
}

function typeIn(call: TypingCall): NType {
  const a = arg(call, 0);
  const b = arg(call, 1);
  const bt = b.type.type;
  const at = a.type.type;
  if (bt.tag === "string") {
    if (at.tag !== "string" && at.tag !== "unknown") failIn(call);
    return result(T.bool, anyNullable(call));
  }
  if (isAnyCidr(bt)) {
    if (!isAnyIp(at) && at.tag !== "unknown") failIn(call);
    return result(T.bool, anyNullable(call));
  }
  if (!isSequence(bt)) failIn(call);
  const item = bt.item;
  const nullable = anyNullable(call) || item.nullable;
  if (isAnyCidr(item.type) && isAnyIp(at)) return result(T.bool, nullable);
  const common = largest(at, item.type);
  if (!common) failIn(call);
  convertTo(call, 0, common);
  if (!typeEquals(common, item.type)) {
    const itemType = { type: common, nullable: item.nullable };
    convertTo(call, 1, bt.tag === "vector" ? T.vector(bt.dim, itemType) : T.list(itemType));
  }
  return result(T.bool, nullable);
}

function applyIn([a, b]: readonly Value[], call: ImplCall): Value {
  const container = call.argTypes[1]!.type;
  if (container.tag === "string") return (b as string).includes(a as string);
  if (isAnyCidr(container)) return cidrContains(b as Cidr, a as number | bigint);
  const itemsAreCidrs = isSequence(container) && isAnyCidr(container.item.type) && isAnyIp(call.argTypes[0]!.type);
  let sawNull = false;
  for (const item of b as readonly Value[]) {
    if (item === null) sawNull = true;
    else if (itemsAreCidrs ? cidrContains(item as Cidr, a as number | bigint) : equalValues(a, item)) return true;
  }
  // SQL semantics: an unmatched value among unknown items may be one of them.
  return sawNull ? null : false;
}

const likeByCall = new WeakMap<ImplCall, RegExp>();

/** LIKE patterns compiled once per (pattern, case sensitivity). */
const likeCache = new Map<string, RegExp>();

/**
 * `%` any substring, `_` any byte, `\` makes the next character literal;
 * case-insensitive matching folds ASCII letters only (strings are bytes).
 */
export function likeRegExp(pattern: string, caseSensitive: boolean): RegExp {
  const key = (caseSensitive ? "s" : "i") + pattern;
  let re = likeCache.get(key);
  if (re) return re;
  let src = "^";
  for (let i = 0; i < pattern.length; i++) {
    let c = pattern[i]!;
    if (c === "%") {
      src += "[^]*";
      continue;
    }
    if (c === "_") {
      src += "[^]";
      continue;
    }
    if (c === "\\" && i + 1 < pattern.length) c = pattern[++i]!;
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (!caseSensitive && /^[a-zA-Z]$/.test(c)) src += `[${lower}${upper}]`;
    else src += "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
  }
  re = new RegExp(src + "$");
  likeCache.set(key, re);
  return re;
}

function typeLike(call: TypingCall): NType {
  expectType(call, 0, T.string);
  const p = arg(call, 1);
  if (typeof p.constValue !== "string") call.fail(1, "likeNotConstant", {}, [expectedNote("a string literal", p.type)]);
  return result(T.bool, anyNullable(call));
}

function typeStrings(call: TypingCall): NType {
  for (let i = 0; i < call.args.length; i++) expectType(call, i, T.string);
  return result(call.fn === "concat" ? T.string : T.bool, anyNullable(call));
}

const matching: FunctionEntry[] = [
  {
    name: "in",
    names: [],
    syntax: { kind: "infix", op: "IN", level: 4 },
    state: "stateless",
    deterministic: true,
    nullRule: "custom",
    signature: "string, string | ip, cidr | ip, list(cidr) | t, list(t) -> bool",
    doc:
      "Membership: substring of a string, IP in a CIDR or in any CIDR of a list, or item of a vector/list " +
      "(structural equality). NULL when nothing matches but some item is NULL. NOT IN is NOT (a IN b).",
    examples: ['"ell" IN "hello" = true', "10.1.2.3 IN 10.0.0.0/8 = true", "3 IN [1; 2; 3] = true"],
    typing: typeIn,
    units: "none",
    impl: { kind: "stateless", apply: applyIn },
  },
  {
    name: "like",
    names: [],
    syntax: { kind: "infix", op: "LIKE", level: 4 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "string, string literal -> bool",
    doc:
      "Whole-string glob match: % matches any substring, _ any single byte, \\ escapes the next character " +
      '(written "\\\\" in the literal). Case-insensitive (ASCII) unless written CASE SENSITIVE LIKE.',
    examples: ['"Hello" LIKE "h%o" = true', '"Hello" CASE SENSITIVE LIKE "h%" = false', '"50%" LIKE "_0\\\\%" = true'],
    typing: typeLike,
    units: "none",
    impl: {
      kind: "stateless",
      apply: ([s, p], call) => {
        // The pattern is a literal, so one regular expression serves the whole call site.
        let re = likeByCall.get(call);
        if (!re) {
          re = likeRegExp(p as string, call.options.caseSensitive === true);
          likeByCall.set(call, re);
        }
        return re.test(s as string);
      },
      inline: ([s], call) => {
        const p = call.constants[1];
        return typeof p === "string" ? `${likeRegExp(p, call.options.caseSensitive === true).toString()}.test(${s})` : undefined;
      },
    },
  },
  {
    name: "starts_with",
    names: [],
    syntax: { kind: "infix", op: "STARTS WITH", level: 4 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "string, string -> bool",
    doc: "Prefix test (case-sensitive).",
    examples: ['"hello" STARTS WITH "he" = true'],
    typing: typeStrings,
    units: "none",
    impl: { kind: "stateless", apply: ([a, b]) => (a as string).startsWith(b as string), inline: ([a, b]) => `${a}.startsWith(${b})` },
  },
  {
    name: "ends_with",
    names: [],
    syntax: { kind: "infix", op: "ENDS WITH", level: 4 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "string, string -> bool",
    doc: "Suffix test (case-sensitive).",
    examples: ['"hello" ENDS WITH "lo" = true'],
    typing: typeStrings,
    units: "none",
    impl: { kind: "stateless", apply: ([a, b]) => (a as string).endsWith(b as string), inline: ([a, b]) => `${a}.endsWith(${b})` },
  },
];

// ---- arithmetic (§2.6, §5.3) -------------------------------------------------------------------

function typeAdditive(call: TypingCall): NType {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  return result(unifyArgs(call, [0, 1]), anyNullable(call));
}

function typeSub(call: TypingCall): NType {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  const [a, b] = [arg(call, 0).type, arg(call, 1).type];
  const common = largestOf([a.type, b.type]);
  // e.g. float and i128: no type holds both (raql.md §2.5)
  if (common === undefined) call.fail(1, "sameType", {}, [`got: ${describe(a)} and ${describe(b)}`]);
  const t = signedAtLeast(common);
  convertTo(call, 0, t);
  convertTo(call, 1, t);
  return result(t, anyNullable(call));
}

/** A string may be repeated by an unsigned integer of at most 32 bits (or a constant that fits u32). */
function isRepeatCount(t: Type): boolean {
  if (t.tag === "int") return !t.signed && t.width <= 32;
  return t.tag === "flexint" && t.min >= 0n && t.max <= 0xffffffffn;
}

function typeMul(call: TypingCall): NType {
  const [a, b] = [arg(call, 0), arg(call, 1)];
  const [at, bt] = [a.type.type, b.type.type];
  const strIndex = at.tag === "string" ? 0 : bt.tag === "string" ? 1 : -1;
  if (strIndex >= 0) {
    const countIndex = 1 - strIndex;
    const count = arg(call, countIndex).type.type;
    if (!isRepeatCount(count)) {
      call.fail("call", "mulOperands", {}, [`got: ${describe(a.type)} * ${describe(b.type)}`]);
    }
    if (count.tag === "flexint") convertTo(call, countIndex, T.u32);
    return result(T.string, anyNullable(call));
  }
  for (const x of [a, b]) {
    if (!isNumericOrNull(x.type.type)) call.fail("call", "mulOperands", {}, [`got: ${describe(a.type)} * ${describe(b.type)}`]);
  }
  return result(unifyArgs(call, [0, 1]), anyNullable(call));
}

function isNumericOrNull(t: Type): boolean {
  return t.tag === "int" || t.tag === "float" || t.tag === "flexint" || t.tag === "unknown";
}

/** True when argument i is a constant known to be non-zero. */
function isNonZeroConstant(call: TypingCall, i: number): boolean {
  const v = constNumber(call.args[i]);
  return v !== undefined && v !== 0;
}

function warnZeroDivisor(call: TypingCall): void {
  if (constNumber(call.args[1]) === 0) call.warn(1, "divisionByZero");
}

function typeDiv(call: TypingCall): NType {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  warnZeroDivisor(call);
  convertTo(call, 0, T.float);
  convertTo(call, 1, T.float);
  return result(T.float, anyNullable(call) || !(isNonZeroConstant(call, 0) || isNonZeroConstant(call, 1)));
}

/** `//` and `%`: the largest type; NULL on a zero divisor unless the divisor is a non-zero constant. */
function typeIntegerDivision(call: TypingCall): NType {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  warnZeroDivisor(call);
  const t = unifyArgs(call, [0, 1]);
  return result(t, anyNullable(call) || !isNonZeroConstant(call, 1));
}

function typePow(call: TypingCall): NType | { type: NType; units?: Units } {
  expectNumeric(call, 0);
  expectNumeric(call, 1);
  const t = unifyArgs(call, [0, 1]);
  const base = constNumber(call.args[0]);
  const exponent = constNumber(call.args[1]);
  // Floats: NaN only for a negative base with a fractional exponent. Integers: NULL only for 0 ^ negative.
  const safe = isIntLike(t)
    ? (exponent !== undefined && exponent >= 0) || (base !== undefined && base !== 0)
    : (base !== undefined && base >= 0) || (exponent !== undefined && Number.isInteger(exponent));
  const type = result(t, anyNullable(call) || !safe);
  const baseUnits = call.args[0]!.units;
  if (baseUnits === undefined || exponent === undefined) return type;
  const scaled = baseUnits.map((d) => ({ ...d, exponent: d.exponent * exponent }));
  return { type, units: scaled.length === 0 ? DIMENSIONLESS : normalizeUnits(scaled).units };
}

function powSmall(base: number, exponent: number, signed: boolean, width: number): number | null {
  if (exponent < 0) return powNegative(base, exponent);
  let acc = 1;
  let b = base;
  let e = exponent;
  while (e > 0) {
    if (e % 2 === 1) acc = wrapSmall(Math.imul(acc, b), signed, width);
    b = wrapSmall(Math.imul(b, b), signed, width);
    e = Math.floor(e / 2);
  }
  return acc;
}

/** An integer to a negative power: 1/base^n truncated toward zero, NULL for 0. */
function powNegative(base: number, exponent: number): number | null {
  if (base === 0) return null;
  if (base === 1) return 1;
  if (base === -1) return exponent % 2 === 0 ? 1 : -1;
  return 0;
}

function powBig(base: bigint, exponent: bigint, signed: boolean, width: number): bigint | null {
  if (exponent < 0n) {
    if (base === 0n) return null;
    if (base === 1n) return 1n;
    if (base === -1n) return exponent % 2n === 0n ? 1n : -1n;
    return 0n;
  }
  let acc = 1n;
  let b = base;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) acc = wrapBig(acc * b, signed, width);
    b = wrapBig(b * b, signed, width);
    e >>= 1n;
  }
  return acc;
}

const add: StatelessImpl = numericBinary({
  float: (a, b) => a + b,
  small: (a, b, k) => wrapSmall(a + b, k.signed, k.width),
  big: (a, b, k) => wrapBig(a + b, k.signed, k.width),
  inlineFloat: (a, b) => `(${a} + ${b})`,
  inlineSmall: (a, b, k) => inlineWrap(`${a} + ${b}`, k),
  inlineBig: (a, b, k) => inlineWrap(`${a} + ${b}`, k),
});

const sub: StatelessImpl = numericBinary({
  float: (a, b) => a - b,
  small: (a, b, k) => wrapSmall(a - b, k.signed, k.width),
  big: (a, b, k) => wrapBig(a - b, k.signed, k.width),
  inlineFloat: (a, b) => `(${a} - ${b})`,
  inlineSmall: (a, b, k) => inlineWrap(`${a} - ${b}`, k),
  inlineBig: (a, b, k) => inlineWrap(`${a} - ${b}`, k),
});

const mulNumbers: StatelessImpl = numericBinary({
  float: (a, b) => a * b,
  // Math.imul keeps the low 32 bits of the exact product, all that wrapping needs.
  small: (a, b, k) => wrapSmall(Math.imul(a, b), k.signed, k.width),
  big: (a, b, k) => wrapBig(a * b, k.signed, k.width),
  inlineFloat: (a, b) => `(${a} * ${b})`,
  inlineSmall: (a, b, k) => inlineWrap(`Math.imul(${a}, ${b})`, k),
  inlineBig: (a, b, k) => inlineWrap(`${a} * ${b}`, k),
});

const mul: StatelessImpl = {
  kind: "stateless",
  apply: (args, call) => {
    if (call.resultType.type.tag !== "string") return mulNumbers.apply(args, call);
    const [a, b] = args;
    return typeof a === "string" ? a.repeat(Number(b)) : (b as string).repeat(Number(a));
  },
  inline: (args, call) => {
    if (call.resultType.type.tag !== "string") return mulNumbers.inline!(args, call);
    const stringFirst = call.argTypes[0]!.type.tag === "string";
    return stringFirst ? `${args[0]}.repeat(${args[1]})` : `${args[1]}.repeat(${args[0]})`;
  },
};

const div: StatelessImpl = {
  kind: "stateless",
  apply: ([a, b], call) => nanToNull((a as number) / (b as number), call),
  // Non-nullable only when NaN cannot be turned into NULL anyway.
  inline: (args, call) => (call.resultType.nullable ? undefined : `(${args[0]} / ${args[1]})`),
};

/** Whether the divisor is a constant other than zero: then no NULL comes from dividing. */
function nonZeroDivisor(call: ImplCall): boolean {
  const d = call.constants[1];
  return d !== undefined && d !== null && d !== 0 && d !== 0n;
}

const idiv: StatelessImpl = numericBinary({
  float: (a, b, call) => nanToNull(Math.floor(a / b), call),
  small: (a, b, k) => (b === 0 ? null : wrapSmall(Math.trunc(a / b), k.signed, k.width)),
  big: (a, b, k) => (b === 0n ? null : wrapBig(a / b, k.signed, k.width)),
  // Only where the typing made the result non-nullable: a NaN quotient or a zero divisor cannot happen.
  inlineFloat: (a, b, call) => (call.resultType.nullable ? undefined : `Math.floor(${a} / ${b})`),
  inlineSmall: (a, b, k, call) => (nonZeroDivisor(call) ? inlineWrap(`Math.trunc(${a} / ${b})`, k) : undefined),
});

const mod: StatelessImpl = numericBinary({
  float: (a, b, call) => nanToNull(a % b, call),
  // Wrapping also turns JS's -0 (-4 % 2) into the integer 0.
  small: (a, b, k) => (b === 0 ? null : wrapSmall(a % b, k.signed, k.width)),
  big: (a, b) => (b === 0n ? null : a % b),
  inlineSmall: (a, b, k, call) => (nonZeroDivisor(call) ? inlineWrap(`${a} % ${b}`, k) : undefined),
});

const pow: StatelessImpl = numericBinary({
  float: (a, b, call) => nanToNull(Math.pow(a, b), call),
  small: (a, b, k) => powSmall(a, b, k.signed, k.width),
  big: (a, b, k) => powBig(a, b, k.signed, k.width),
});

function arithmetic(
  name: string,
  op: string,
  level: number,
  typing: FunctionEntry["typing"],
  units: FunctionEntry["units"],
  impl: StatelessImpl,
  signature: string,
  doc: string,
  examples: string[],
  nullRule: FunctionEntry["nullRule"] = "prop",
): FunctionEntry {
  return {
    name,
    names: [],
    syntax: level === 8 ? { kind: "infix", op, level, rightAssoc: true } : { kind: "infix", op, level },
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

const WRAP_DOC = " Integer results wrap around at the result width.";

const arithmeticEntries: FunctionEntry[] = [
  arithmetic("add", "+", 5, typeAdditive, "add", add, "num, num -> max", "Addition; operands are promoted to the largest type." + WRAP_DOC, [
    "1 + 2 = 3",
    "255u8 + 1u8 = 0",
  ]),
  arithmetic("sub", "-", 5, typeSub, "sub", sub, "num, num -> signed max", "Subtraction; the result is the smallest signed type of both operands (u8 - u8 is i16)." + WRAP_DOC, [
    "1u8 - 2u8 = -1",
  ]),
  arithmetic(
    "mul",
    "*",
    6,
    typeMul,
    "mul",
    mul,
    "num, num -> max | uint, string -> string",
    "Multiplication; with an unsigned integer of at most 32 bits and a string, repeats the string." + WRAP_DOC,
    ["3 * 4 = 12", '3 * "ab" = "ababab"'],
  ),
  arithmetic(
    "div",
    "/",
    6,
    typeDiv,
    "div",
    div,
    "num, num -> float",
    "Division, always in float. NaN results (0/0) are NULL; x/0 is ±inf. Nullable unless an operand is a non-zero constant.",
    ["1 / 2 = 0.5", "0 / 0 = NULL"],
    "custom",
  ),
  arithmetic(
    "idiv",
    "//",
    6,
    typeIntegerDivision,
    "div",
    idiv,
    "num, num -> max",
    "Integer division: truncates toward zero for integers, floor of the quotient for floats. A zero divisor gives NULL.",
    ["7 // 2 = 3", "-7 // 2 = -3", "-7.0 // 2 = -4.0", "1 // 0 = NULL"],
    "custom",
  ),
  arithmetic(
    "mod",
    "%",
    6,
    typeIntegerDivision,
    "same-as-first",
    mod,
    "num, num -> max",
    "Remainder, with the sign of the dividend. A zero divisor gives NULL.",
    ["7 % 3 = 1", "-3 % 2 = -1"],
    "custom",
  ),
  arithmetic(
    "pow",
    "^",
    8,
    typePow,
    "none",
    pow,
    "num, num -> max",
    "Power, right-associative. A negative base with a fractional exponent gives NULL, as does 0 to a negative integer power; " +
      "an integer to a negative power truncates toward zero." +
      WRAP_DOC,
    ["2 ^ 10 = 1024", "2 ^ 3 ^ 2 = 512", "(-8.0) ^ 0.5 = NULL"],
    "custom",
  ),
];

// ---- bitwise (§2.6: literals keep their parsed width) ---------------------------------------------------

function typeBitwise(call: TypingCall): NType {
  expectInteger(call, 0);
  expectInteger(call, 1);
  const [a, b] = [concretize(arg(call, 0).type.type), concretize(arg(call, 1).type.type)];
  const t = largest(a, b);
  if (!t || t.tag !== "int") {
    return call.fail("call", "sameType", {}, [`got: ${describe(arg(call, 0).type)} and ${describe(arg(call, 1).type)}, which have no common integer type`]);
  }
  convertTo(call, 0, t);
  convertTo(call, 1, t);
  return result(t, anyNullable(call));
}

const band = numericBinary({
  float: () => {
    throw new Error("internal: bitwise operation on floats");
  },
  small: (a, b, k) => wrapSmall(a & b, k.signed, k.width),
  big: (a, b) => a & b,
  inlineSmall: (a, b, k) => inlineWrap(`${a} & ${b}`, k),
  inlineBig: (a, b) => `(${a} & ${b})`,
});

const bor = numericBinary({
  float: () => {
    throw new Error("internal: bitwise operation on floats");
  },
  small: (a, b, k) => wrapSmall(a | b, k.signed, k.width),
  big: (a, b) => a | b,
  inlineSmall: (a, b, k) => inlineWrap(`${a} | ${b}`, k),
  inlineBig: (a, b) => `(${a} | ${b})`,
});

const bxor = numericBinary({
  float: () => {
    throw new Error("internal: bitwise operation on floats");
  },
  small: (a, b, k) => wrapSmall(a ^ b, k.signed, k.width),
  big: (a, b) => a ^ b,
  inlineSmall: (a, b, k) => inlineWrap(`${a} ^ ${b}`, k),
  inlineBig: (a, b) => `(${a} ^ ${b})`,
});

/**
 * `a << n` at the type's width; a negative n shifts right. Shifting by the
 * width or more gives 0 (left) or the sign fill (right), unlike JS, which
 * takes shift counts modulo 32.
 */
export function shiftLeft(a: number | bigint, n: number, signed: boolean, width: number): number | bigint {
  if (n < 0) return shiftRight(a, -n, signed, width);
  if (typeof a === "bigint") return n >= width ? 0n : wrapBig(a << BigInt(n), signed, width);
  return n >= width ? 0 : wrapSmall(a << n, signed, width);
}

/** `a >> n`: arithmetic (sign-extending) for signed types, logical for unsigned ones. */
export function shiftRight(a: number | bigint, n: number, signed: boolean, width: number): number | bigint {
  if (n < 0) return shiftLeft(a, -n, signed, width);
  if (typeof a === "bigint") {
    if (n >= width) return signed && a < 0n ? -1n : 0n;
    return a >> BigInt(n);
  }
  if (n >= width) return signed && a < 0 ? -1 : 0;
  return signed ? a >> n : a >>> n;
}

function shiftImpl(left: boolean): StatelessImpl {
  return {
    kind: "stateless",
    apply: ([a, n], call) => {
      const k = numKind(call.resultType);
      if (k.kind === "float") throw new Error("internal: shift of a float");
      const count = Number(n);
      return left ? shiftLeft(a as number | bigint, count, k.signed, k.width) : shiftRight(a as number | bigint, count, k.signed, k.width);
    },
    // Inlined only for a constant count within the width, the common case (`x >> 8`).
    inline: ([a], call) => {
      const k = numKind(call.resultType);
      const c = call.constants[1];
      if (k.kind === "float" || (typeof c !== "number" && typeof c !== "bigint")) return undefined;
      const count = Number(c);
      if (count < 0 || count >= k.width) return undefined;
      const n = k.kind === "big" ? `${count}n` : String(count);
      if (left) return inlineWrap(`${a} << ${n}`, k);
      return k.kind === "small" && !k.signed ? `(${a} >>> ${n})` : `(${a} >> ${n})`;
    },
  };
}

function bitwise(name: string, op: string, impl: StatelessImpl, doc: string, examples: string[]): FunctionEntry {
  return {
    name,
    names: [],
    syntax: { kind: "infix", op, level: 7 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "int, int -> max int",
    doc: doc + " Integer literals keep their parsed width here (1 is a u32).",
    examples,
    typing: typeBitwise,
    units: "none",
    impl,
  };
}

const bitwiseEntries: FunctionEntry[] = [
  bitwise("band", "&", band, "Bitwise and.", ["12 & 10 = 8"]),
  bitwise("bor", "|", bor, "Bitwise or.", ["12 | 10 = 14"]),
  bitwise("bxor", "#", bxor, "Bitwise exclusive or (^ is the power).", ["12 # 10 = 6"]),
  bitwise("shl", "<<", shiftImpl(true), "Left shift at the result width; a negative count shifts right.", ["1 << 4 = 16", "1u8 << 8u8 = 0"]),
  bitwise(
    "shr",
    ">>",
    shiftImpl(false),
    "Right shift, arithmetic (sign-extending) for signed types; a >> b is a << -b.",
    ["256 >> 4 = 16", "-16i8 >> 2i8 = -4"],
  ),
];

// ---- strings, COALESCE, negation, NULL tests ----------------------------------------------------------

function typeCoalesce(call: TypingCall): NType {
  const n = call.args.length;
  for (let i = 0; i < n - 1; i++) {
    const a = arg(call, i);
    if (!a.type.nullable) call.fail(i, "mustBeNullable", { what: `alternative #${i + 1}/${n} of coalesce` }, [`got: ${describe(a.type)}`]);
  }
  const t = unifyArgs(call, call.args.map((_, i) => i));
  return result(t, arg(call, n - 1).type.nullable);
}

function typeNeg(call: TypingCall): NType {
  const a = expectNumeric(call, 0);
  return result(negatedType(a.type.type), a.type.nullable);
}

function typeNullTest(call: TypingCall): NType {
  expectNullable(call, 0);
  return notNull(T.bool);
}

const misc: FunctionEntry[] = [
  {
    name: "concat",
    names: [],
    syntax: { kind: "infix", op: "||", level: 5 },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "string, string -> string",
    doc: "String concatenation; convert other types with string(x).",
    examples: ['"foo" || "bar" = "foobar"'],
    typing: typeStrings,
    units: "none",
    impl: { kind: "stateless", apply: ([a, b]) => (a as string) + (b as string), inline: ([a, b]) => `(${a} + ${b})` },
  },
  {
    name: "coalesce",
    names: ["coalesce"],
    syntax: { kind: "infix", op: "|?", level: 5 },
    state: "stateless",
    deterministic: true,
    nullRule: "custom",
    signature: "t1?, …, tn -> largest",
    doc:
      "The first non-NULL argument; written a |? b or COALESCE(e1, …, en) with n ≥ 2. All arguments but the last must be " +
      "nullable; the result is nullable iff the last one is.",
    examples: ["COALESCE(NULL, 1) = 1", "NULL |? 2 = 2"],
    typing: typeCoalesce,
    units: "same",
    impl: {
      kind: "stateless",
      passNulls: true,
      apply: (args) => {
        for (const a of args) if (a !== null) return a;
        return null;
      },
      // Values are never undefined, so `??` is exactly "first non-NULL".
      inline: (args) => `(${args.join(" ?? ")})`,
    },
  },
  {
    name: "neg",
    names: [],
    syntax: { kind: "prefix", op: "-" },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature: "num -> same if signed or float, uN -> iN",
    doc: "Negation; an unsigned uN gives an iN (wrapping around).",
    examples: ["-(3) = -3", "-(200u8) = 56"],
    typing: typeNeg,
    units: "same-as-first",
    impl: numericUnary(
      {
        float: (a) => -a,
        small: (a, k) => wrapSmall(-a, k.signed, k.width),
        big: (a, k) => wrapBig(-a, k.signed, k.width),
        inlineFloat: (a) => `(-${a})`,
        inlineSmall: (a, k) => inlineWrap(`-${a}`, k),
        inlineBig: (a, k) => inlineWrap(`-${a}`, k),
      },
      (call) => numKind(call.resultType),
    ),
  },
  {
    name: "is_null",
    names: [],
    syntax: { kind: "postfix", op: "IS NULL" },
    state: "stateless",
    deterministic: true,
    nullRule: "never",
    signature: "t? -> bool",
    doc: "True iff the operand is NULL; the operand must be nullable.",
    examples: ["NULL IS NULL = true"],
    typing: typeNullTest,
    units: "none",
    impl: { kind: "stateless", passNulls: true, apply: ([a]) => a === null, inline: ([a]) => `(${a} === null)` },
  },
  {
    name: "is_not_null",
    names: [],
    syntax: { kind: "postfix", op: "IS NOT NULL" },
    state: "stateless",
    deterministic: true,
    nullRule: "never",
    signature: "t? -> bool",
    doc: "True iff the operand is not NULL; the operand must be nullable.",
    examples: ["1? IS NOT NULL = true"],
    typing: typeNullTest,
    units: "none",
    impl: { kind: "stateless", passNulls: true, apply: ([a]) => a !== null, inline: ([a]) => `(${a} !== null)` },
  },
];

export const entries: readonly FunctionEntry[] = [...logic, ...comparisons, ...matching, ...arithmeticEntries, ...bitwiseEntries, ...misc];
