// String and character functions (raql.md §6.3). Strings are byte strings
// (one JS char per byte, stdlib/values.ts): lengths and positions count bytes,
// and case mappings touch ASCII letters only so UTF-8 sequences stay intact.

import { NType, T, isNumeric, isSequence } from "../../grammar/types.js";
import type { FunctionEntry, TypingCall } from "../entry.js";
import { anyNullable, arg, expectInteger, expectType } from "../typing.js";
import { bytesOfText, type Value } from "../values.js";
import { constNumber, expectedNote, mismatch, result } from "./common.js";

export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/**
 * SUBSTRING bounds (raql.md §6.3): each bound is clamped to ≤ length, then a
 * negative one counts from the end (never before 0); empty when a ≥ b.
 */
export function substring(s: string, from: number, to: number): string {
  const l = s.length;
  const bound = (x: number) => {
    const clamped = Math.min(x, l);
    return clamped < 0 ? Math.max(0, clamped + l) : clamped;
  };
  const a = bound(from);
  const b = bound(to);
  return a < b ? s.slice(a, b) : "";
}

export function uuidOfU128(x: bigint): string {
  const hex = x.toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** U+2581 … U+2588, lowest to highest, as UTF-8 byte strings. */
const BARS = [..."▁▂▃▄▅▆▇█"].map(bytesOfText);

/**
 * One bar per value, scaled between the smallest and the largest finite
 * values (all equal: the lowest bar); a non-finite value is a blank.
 */
export function sparkline(values: readonly (number | bigint)[]): string {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    const x = Number(v);
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  let out = "";
  for (const v of values) {
    const x = Number(v);
    if (!Number.isFinite(x)) out += " ";
    else out += BARS[max > min ? Math.round(((x - min) / (max - min)) * (BARS.length - 1)) : 0];
  }
  return out;
}

function typeStringToString(call: TypingCall): NType {
  const a = expectType(call, 0, T.string);
  return result(T.string, a.type.nullable);
}

function typeLength(call: TypingCall): NType {
  const a = arg(call, 0);
  const t = a.type.type;
  if (t.tag !== "string" && !isSequence(t) && t.tag !== "unknown") {
    call.fail(0, "lengthArg", {}, [expectedNote("string or list", a.type)]);
  }
  return result(T.u32, a.type.nullable);
}

function typeSubstring(call: TypingCall): NType {
  expectType(call, 0, T.string);
  expectInteger(call, 1);
  expectInteger(call, 2);
  return result(T.string, anyNullable(call));
}

function typeIndex(call: TypingCall): NType {
  expectType(call, 0, T.string);
  expectType(call, 1, T.char);
  return result(T.i32, anyNullable(call));
}

function typeChr(call: TypingCall): NType {
  const a = expectInteger(call, 0, true);
  const n = constNumber(a);
  if (n !== undefined && n > 255) call.fail(0, "chrOutOfRange", {}, [`got: ${n}`]);
  return result(T.char, a.type.nullable);
}

function typeSparkline(call: TypingCall): NType {
  const a = arg(call, 0);
  const t = a.type.type;
  if (!isSequence(t) || !isNumeric(t.item.type) || t.item.nullable) mismatch(call, 0, "a vector of numeric elements");
  return result(T.string, a.type.nullable);
}

function fn(
  name: string,
  arities: number[],
  typing: FunctionEntry["typing"],
  apply: (args: readonly Value[]) => Value,
  inline: ((args: readonly string[]) => string) | undefined,
  signature: string,
  doc: string,
  examples: string[],
): FunctionEntry {
  return {
    name,
    names: [name],
    syntax: { kind: "function", arities },
    state: "stateless",
    deterministic: true,
    nullRule: "prop",
    signature,
    doc,
    examples,
    typing,
    units: "none",
    impl: inline ? { kind: "stateless", apply, inline } : { kind: "stateless", apply },
  };
}

export const entries: readonly FunctionEntry[] = [
  fn(
    "length",
    [1],
    typeLength,
    ([x]) => (x as string | readonly Value[]).length,
    ([x]) => `${x}.length`,
    "string | list(t) -> u32",
    "Number of bytes of a string, or of items of a list or vector.",
    ['LENGTH "héllo" = 6', "LENGTH [1; 2; 3] = 3"],
  ),
  fn("lower", [1], typeStringToString, ([s]) => asciiLower(s as string), undefined, "string -> string", "ASCII lower case (other bytes unchanged).", [
    'LOWER "HeLLo" = "hello"',
  ]),
  fn("upper", [1], typeStringToString, ([s]) => asciiUpper(s as string), undefined, "string -> string", "ASCII upper case (other bytes unchanged).", [
    'UPPER "HeLLo" = "HELLO"',
  ]),
  fn(
    "substring",
    [3],
    typeSubstring,
    ([s, a, b]) => substring(s as string, Number(a), Number(b)),
    undefined,
    "string, int, int -> string",
    "Bytes [a, b) of s. Each bound is clamped to at most LENGTH s, then a negative bound counts from the end (not before 0); empty when a ≥ b.",
    ['SUBSTRING("glop", 0, 10) = "glop"', 'SUBSTRING("glop", -3, -1) = "lo"'],
  ),
  fn(
    "index",
    [2],
    typeIndex,
    ([s, c]) => (s as string).indexOf(String.fromCharCode(c as number)),
    ([s, c]) => `${s}.indexOf(String.fromCharCode(${c}))`,
    "string, char -> i32",
    "0-based position of the first occurrence of c in s, -1 if absent (case-sensitive). Also written INDEX FROM START(s, c).",
    ['INDEX("hello", #\\l) = 2', 'INDEX("hello", #\\z) = -1'],
  ),
  {
    ...fn(
      "index_from_end",
      [2],
      typeIndex,
      ([s, c]) => (s as string).lastIndexOf(String.fromCharCode(c as number)),
      ([s, c]) => `${s}.lastIndexOf(String.fromCharCode(${c}))`,
      "string, char -> i32",
      "0-based position of the last occurrence of c in s, -1 if absent (case-sensitive).",
      ['INDEX FROM END("hello", #\\l) = 3'],
    ),
    names: [],
    syntax: { kind: "keyword", template: "INDEX FROM END(s, c)", params: ["s", "c"] },
  },
  fn(
    "basename",
    [1],
    typeStringToString,
    ([s]) => (s as string).slice((s as string).lastIndexOf("/") + 1),
    undefined,
    "string -> string",
    'The part after the last "/" (the whole string without any "/", "" when it ends with "/").',
    ['BASENAME "/var/log/syslog" = "syslog"', 'BASENAME "/tmp/" = ""'],
  ),
  fn(
    "chr",
    [1],
    typeChr,
    ([n]) => (typeof n === "bigint" ? Number(n & 255n) : (n as number) & 255),
    undefined,
    "uint -> char",
    "The byte whose code is n mod 256 (a constant n must be at most 255).",
    ["CHR 65 = #\\A", "CHR(255 + 1) = #\\000"],
  ),
  {
    ...fn(
      "uuid_of_u128",
      [1],
      (call) => result(T.string, expectType(call, 0, T.u128).type.nullable),
      ([x]) => uuidOfU128(x as bigint),
      undefined,
      "u128 -> string",
      "The 8-4-4-4-12 lower-case hexadecimal UUID text of a 128-bit integer.",
      ['UUID_OF_U128 0x123e4567e89b12d3a456426614174000u128 = "123e4567-e89b-12d3-a456-426614174000"'],
    ),
    defaultAlias: (x) => x,
  },
  {
    name: "split",
    names: ["split"],
    syntax: { kind: "function", arities: [2] },
    state: "gen",
    deterministic: true,
    nullRule: "prop",
    signature: "string, string -> string (generator)",
    doc:
      "Generator: one output per piece of s split on sep (every byte when sep is empty; one empty piece for an empty s). " +
      "Usable only as (part of) a SELECT field; a NULL argument generates nothing.",
    examples: ['SPLIT(",", "a,b") generates "a", "b"'],
    typing: (call) => {
      expectType(call, 0, T.string);
      expectType(call, 1, T.string);
      return result(T.string, anyNullable(call));
    },
    units: "none",
    impl: {
      kind: "generator",
      generate: ([sep, s]) => (s as string).split(sep as string),
    },
  },
  fn(
    "sparkline",
    [1],
    typeSparkline,
    ([v]) => sparkline(v as readonly (number | bigint)[]),
    undefined,
    "list(num) -> string",
    "A tiny bar chart of the values, one block character per value, from the smallest (▁) to the largest (█).",
    ['SPARKLINE [1; 8; 4] = "▁█▄"'],
  ),
];
