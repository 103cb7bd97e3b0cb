// Scalar values of external sources as text (raql.md §4.13, "CSV encoding of
// non-text types"): numbers in decimal, addresses as their integer value (the
// usual text forms are accepted too), booleans as true/false or #t/#f.
// One parser per scalar type, chosen once when a reader is compiled; each
// throws a ColumnFailure naming what was wrong, which the reader turns into a
// bad-line report.

import { type IntWidth, type Type, intRange } from "../../grammar/types.js";
import { parseCidr, parseCidr4, parseCidr6, parseEth, parseIp, parseIp4, parseIp6 } from "../../stdlib/net.js";
import type { Value } from "../../stdlib/values.js";

/**
 * Why a column could not be read. Not an Error: bad lines are ordinary input,
 * and capturing a stack trace for each would slow down dirty files for nothing.
 */
export class ColumnFailure {
  constructor(readonly reason: string) {}
}

export function fail(reason: string): never {
  throw new ColumnFailure(reason);
}

export type TextParser = (text: string) => Value;

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_PLUS = 43;
const CODE_MINUS = 45;
const CODE_DOT = 46;
const CODE_E = 101;
const CODE_UPPER_E = 69;

// Powers of ten that doubles hold exactly: a mantissa below 2^53 divided by one
// of them is correctly rounded (IEEE division), which is the fast path of
// float parsing; anything else goes through Number().
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

function describe(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text);
}

/**
 * A float written in decimal or exponent notation with an optional sign
 * (`+500`, `-.5`, `1e9`, `15042.`), or nan/inf/-inf; reads `text[start, end)`
 * in place so that the common case allocates nothing.
 */
export function scanFloat(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === CODE_MINUS || c === CODE_PLUS) {
    negative = c === CODE_MINUS;
    c = text.charCodeAt(++i);
  }
  let mantissa = 0;
  let digits = 0;
  while (i < end && c >= CODE_0 && c <= CODE_9) {
    mantissa = mantissa * 10 + (c - CODE_0);
    digits++;
    c = text.charCodeAt(++i);
  }
  let fractionDigits = 0;
  if (i < end && c === CODE_DOT) {
    c = text.charCodeAt(++i);
    while (i < end && c >= CODE_0 && c <= CODE_9) {
      mantissa = mantissa * 10 + (c - CODE_0);
      fractionDigits++;
      c = text.charCodeAt(++i);
    }
  }
  if (digits + fractionDigits === 0) return nonFiniteOrFail(text, start, end);
  if (i === end) {
    if (mantissa < MAX_EXACT_MANTISSA && fractionDigits < EXACT_POWERS_OF_TEN.length) {
      const x = fractionDigits === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fractionDigits]!;
      return negative ? -x : x;
    }
    return Number(text.slice(start, end));
  }
  if (c !== CODE_E && c !== CODE_UPPER_E) fail(`${describe(text.slice(start, end))} is not a number`);
  c = text.charCodeAt(++i);
  if (c === CODE_MINUS || c === CODE_PLUS) c = text.charCodeAt(++i);
  const exponentStart = i;
  while (i < end && c >= CODE_0 && c <= CODE_9) c = text.charCodeAt(++i);
  if (i !== end || i === exponentStart) fail(`${describe(text.slice(start, end))} is not a number`);
  return Number(text.slice(start, end));
}

function nonFiniteOrFail(text: string, start: number, end: number): number {
  const word = text.slice(start, end).toLowerCase();
  switch (word) {
    case "nan":
    case "+nan":
    case "-nan":
      return NaN;
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
  }
  return fail(`${describe(text.slice(start, end))} is not a number`);
}

/** An integer of at most 32 bits in decimal with an optional sign, read in place. */
export function scanSmallInt(text: string, start: number, end: number, min: number, max: number, typeName: string): number {
  let i = start;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === CODE_MINUS || c === CODE_PLUS) {
    negative = c === CODE_MINUS;
    c = text.charCodeAt(++i);
  }
  if (i >= end) fail(`${describe(text.slice(start, end))} is not an integer`);
  let v = 0;
  while (i < end) {
    if (c < CODE_0 || c > CODE_9) fail(`${describe(text.slice(start, end))} is not an integer`);
    // Past 2^40 the value is out of every range here; stopping keeps it exact.
    if (v < 1099511627776) v = v * 10 + (c - CODE_0);
    c = text.charCodeAt(++i);
  }
  if (negative) v = -v;
  if (v < min || v > max) fail(`${describe(text.slice(start, end))} is out of the range of ${typeName}`);
  return v;
}

const BIG_INT_RE = /^[+-]?[0-9]+$/;

function bigIntParser(signed: boolean, width: IntWidth): (text: string) => bigint {
  const { min, max } = intRange(signed, width);
  const typeName = (signed ? "i" : "u") + width;
  return (text) => {
    if (!BIG_INT_RE.test(text)) fail(`${describe(text)} is not an integer`);
    const v = BigInt(text.charCodeAt(0) === CODE_PLUS ? text.slice(1) : text);
    if (v < min || v > max) fail(`${describe(text)} is out of the range of ${typeName}`);
    return v;
  };
}

export function smallIntParser(signed: boolean, width: IntWidth): (text: string) => number {
  const { min, max } = intRange(signed, width);
  const lo = Number(min);
  const hi = Number(max);
  const typeName = (signed ? "i" : "u") + width;
  return (text) => scanSmallInt(text, 0, text.length, lo, hi, typeName);
}

export function parseFloatText(text: string): number {
  return scanFloat(text, 0, text.length);
}

function parseBool(text: string): boolean {
  switch (text.toLowerCase()) {
    case "true":
    case "#t":
      return true;
    case "false":
    case "#f":
      return false;
  }
  return fail(`${describe(text)} is not a boolean (true, false, #t or #f)`);
}

function parseChar(text: string): number {
  if (text.length !== 1) fail(`${describe(text)} is not a single char`);
  return text.charCodeAt(0);
}

const parseU32 = smallIntParser(false, 32);
const parseU48 = bigIntParser(false, 48);
const parseU128 = bigIntParser(false, 128);
const DIGITS_RE = /^\+?[0-9]+$/;

/** An address as its integer value, or in its usual text form. */
function addressParser<V extends Value>(what: string, ofInteger: (text: string) => V, ofText: (text: string) => V | undefined): (text: string) => V {
  return (text) => {
    if (DIGITS_RE.test(text)) return ofInteger(text);
    const v = ofText(text);
    if (v === undefined) fail(`${describe(text)} is not ${what}`);
    return v;
  };
}

const parseEthText = addressParser("an Ethernet address", (t) => Number(parseU48(t)), parseEth);
const parseIp4Text = addressParser("an IPv4 address", parseU32, parseIp4);
const parseIp6Text = addressParser("an IPv6 address", parseU128, parseIp6);

function cidrParser(what: string, parse: (text: string) => Value | undefined): TextParser {
  return (text) => parse(text) ?? fail(`${describe(text)} is not ${what}`);
}

/**
 * The parser of a whole scalar value held in one piece of text. Addresses of
 * the generic ip type and CIDRs are read in their text form here (`1.2.3.4`,
 * `10.0.0.0/8`); the multi-column CSV encodings of those types are the line
 * reader's business.
 */
export function scalarParser(t: Type): TextParser {
  switch (t.tag) {
    case "bool":
      return parseBool;
    case "int":
      return t.width > 32 ? bigIntParser(t.signed, t.width) : smallIntParser(t.signed, t.width);
    case "float":
      return parseFloatText;
    case "string":
      return (text) => text;
    case "char":
      return parseChar;
    case "eth":
      return parseEthText;
    case "ip4":
      return parseIp4Text;
    case "ip6":
      return parseIp6Text;
    case "ip":
      return cidrParser("an IP address", (text) => (DIGITS_RE.test(text) ? undefined : parseIp(text)));
    case "cidr4":
      return cidrParser("an IPv4 network", parseCidr4);
    case "cidr6":
      return cidrParser("an IPv6 network", parseCidr6);
    case "cidr":
      return cidrParser("a network", parseCidr);
    default:
      throw new Error(`internal: ${t.tag} is not a scalar type`);
  }
}
