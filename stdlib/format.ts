// Values as text. Two printers, because RaQL has two:
// * `valueToString`: what `string(x)` and PRINT produce (raql.md §6.11), a
//   RaQL byte string: exact floats, strings bare at top level;
// * `renderValue`: the one renderer of the CLI (cli-runtime.md §3.1) used by
//   tail, test messages and info, a display (UTF-8 decoded) JS string: floats
//   as %.12g, strings always quoted unless raw.
// Both print composites so that `readValue` reads them back; both are one
// visitor over the type, since the JS value alone cannot tell an ip4 from a
// u32 or a char from a u8.

import { NType, Type, quoteNameIfNeeded } from "../grammar/types.js";
import { cidrToString, ethToString, ipToString } from "./net.js";
import { Cidr, Value, textOfBytes } from "./values.js";

// ---- floats ----------------------------------------------------------------------

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** The shortest decimal text that reads back to the same double (`0.1`, `1e+21`, `-0`). */
export function floatToShortest(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

const G_PRECISION = 12;
const TEN_TO_PRECISION = 10n ** BigInt(G_PRECISION);

/**
 * C's `%.12g` with trailing zeros of the fraction (and a trailing dot)
 * removed: `42`, `0.333333333333`, `1e+100`, `1e-05`, `1.23456789012e+14`.
 */
export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const { digits, exponent } = roundToPrecision(Math.abs(x));
  let body: string;
  if (exponent < -4 || exponent >= G_PRECISION) {
    const mantissa = trimFraction(digits[0] + "." + digits.slice(1));
    const expDigits = String(Math.abs(exponent)).padStart(2, "0");
    body = `${mantissa}e${exponent < 0 ? "-" : "+"}${expDigits}`;
  } else if (exponent >= 0) {
    body = trimFraction(digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1));
  } else {
    body = trimFraction("0." + "0".repeat(-exponent - 1) + digits);
  }
  return sign + body;
}

function trimFraction(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * The 12 significant digits of a positive finite double and its decimal
 * exponent, rounded to nearest with ties to even like C's printf. JS rounds
 * ties up, so an exact computation takes over when the value may be a tie.
 */
function roundToPrecision(a: number): { digits: string; exponent: number } {
  const fast = a.toExponential(G_PRECISION - 1);
  const [mant, exp] = fast.split("e") as [string, string];
  const longer = a.toExponential(G_PRECISION + 8);
  const mayBeTie = longer.slice(G_PRECISION + 1, G_PRECISION + 10) === "500000000";
  if (!mayBeTie) return { digits: mant.replace(".", ""), exponent: Number(exp) };
  return exactRound(a, Number(longer.split("e")[1]));
}

function exactRound(a: number, exponent: number): { digits: string; exponent: number } {
  const { mantissa, exp2 } = decompose(a);
  // a / 10^(exponent-11) as num/den, both integers.
  const shift = exponent - (G_PRECISION - 1);
  let num = mantissa * (exp2 > 0 ? 1n << BigInt(exp2) : 1n);
  let den = exp2 < 0 ? 1n << BigInt(-exp2) : 1n;
  if (shift > 0) den *= 10n ** BigInt(shift);
  else num *= 10n ** BigInt(-shift);
  let n = num / den;
  const twiceRem = (num % den) * 2n;
  if (twiceRem > den || (twiceRem === den && n % 2n === 1n)) n += 1n;
  if (n === TEN_TO_PRECISION) return { digits: "1" + "0".repeat(G_PRECISION - 1), exponent: exponent + 1 };
  return { digits: n.toString(), exponent };
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** a = mantissa × 2^exp2 exactly, for a positive finite double. */
function decompose(a: number): { mantissa: bigint; exp2: number } {
  F64[0] = a;
  const bits = U64[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { mantissa: fraction, exp2: -1074 } : { mantissa: fraction | (1n << 52n), exp2: biased - 1075 };
}

// ---- strings and chars ----------------------------------------------------------------

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x0a: "\\n", 0x09: "\\t", 0x0d: "\\r", 0x08: "\\b" };

function byteEscape(b: number): string {
  return SHORT_ESCAPES[b] ?? "\\" + String(b).padStart(3, "0");
}

function isControl(b: number): boolean {
  return b < 0x20 || b === 0x7f;
}

/**
 * A RaQL string literal of the bytes, kept as bytes: quotes, backslashes and
 * control bytes escaped, every other byte as is (used inside `string(x)`).
 */
export function quoteBytes(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    out += b in SHORT_ESCAPES || isControl(b) ? byteEscape(b) : bytes[i];
  }
  return out + '"';
}

/**
 * The CLI form of a string (cli-runtime.md §3.1): quoted, with printable
 * UTF-8 sequences decoded and shown as is, every other byte as `\ddd`.
 */
export function quoteForDisplay(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes.charCodeAt(i);
    if (b < 0x80) {
      out += b in SHORT_ESCAPES || isControl(b) ? byteEscape(b) : bytes[i];
      i++;
      continue;
    }
    const len = utf8SequenceLength(bytes, i);
    const cp = len > 0 ? bytes.slice(i, i + len) : "";
    const text = len > 0 ? textOfBytes(cp) : "";
    // C1 controls (U+0080–U+009F) are valid UTF-8 but not printable.
    if (len > 0 && text.codePointAt(0)! >= 0xa0) {
      out += text;
      i += len;
    } else {
      out += byteEscape(b);
      i++;
    }
  }
  return out + '"';
}

/** Length of the valid UTF-8 sequence starting at i (no overlong forms, surrogates or code points past U+10FFFF), or 0. */
function utf8SequenceLength(bytes: string, i: number): number {
  const b0 = bytes.charCodeAt(i);
  let len: number;
  let min: number;
  let cp: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [len, min, cp] = [2, 0x80, b0 & 0x1f];
  else if (b0 >= 0xe0 && b0 <= 0xef) [len, min, cp] = [3, 0x800, b0 & 0x0f];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [len, min, cp] = [4, 0x10000, b0 & 0x07];
  else return 0;
  if (i + len > bytes.length) return 0;
  for (let k = 1; k < len; k++) {
    const b = bytes.charCodeAt(i + k);
    if ((b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/** Names of chars, as RaQL reads them (raql.md §1.4) and the CLI prints them. */
export const CHAR_NAMES: ReadonlyMap<number, string> = new Map([
  [7, "alarm"],
  [8, "backspace"],
  [9, "tab"],
  [10, "newline"],
  [11, "vtab"],
  [12, "page"],
  [13, "return"],
  [27, "esc"],
  [32, "space"],
  [127, "delete"],
]);

/** `#\a`, `#\space`, `#\x33`: letters as themselves, named chars by name, other bytes in hex. */
export function charLiteral(code: number): string {
  const name = CHAR_NAMES.get(code);
  if (name !== undefined) return "#\\" + name;
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return "#\\" + String.fromCharCode(code);
  return "#\\x" + code.toString(16).padStart(2, "0");
}

// ---- the visitor shared by both printers ---------------------------------------------------

interface Style {
  readonly nullText: string;
  readonly float: (x: number) => string;
  readonly string: (bytes: string) => string;
  /** between items of vectors, lists and tuples, and between record fields */
  readonly separator: string;
}

function render(v: Value, t: Type, style: Style): string {
  if (v === null) return style.nullText;
  switch (t.tag) {
    case "bool":
      return v ? "true" : "false";
    case "int":
    case "flexint":
      return String(v);
    case "float":
      return style.float(v as number);
    case "string":
      return style.string(v as string);
    case "char":
      return charLiteral(v as number);
    case "eth":
      return ethToString(v as number);
    case "ip4":
    case "ip6":
    case "ip":
      return ipToString(v as number | bigint);
    case "cidr4":
    case "cidr6":
    case "cidr":
      return cidrToString(v as Cidr);
    case "unit":
      return "()";
    case "vector":
    case "list": {
      const item = t.item.type;
      return "[" + (v as readonly Value[]).map((x) => render(x, item, style)).join(style.separator) + "]";
    }
    case "tuple":
      return "(" + (v as readonly Value[]).map((x, i) => render(x, t.items[i]!.type, style)).join(style.separator) + ")";
    case "record":
      return (
        "{" +
        (v as readonly Value[]).map((x, i) => `${quoteNameIfNeeded(t.fields[i]!.name)}: ${render(x, t.fields[i]!.type.type, style)}`).join(style.separator) +
        "}"
      );
    case "map": {
      const entries = [...(v as Map<Value, Value>)].map(([k, x]) => `${render(k, t.key.type, style)} => ${render(x, t.value.type, style)}`);
      return "{" + entries.join(style.separator) + "}";
    }
    case "unknown":
      throw new Error("internal: a non-null value of unknown type");
  }
}

// ---- string(x), PRINT ---------------------------------------------------------------------------

const STRING_STYLE: Style = { nullText: "NULL", float: floatToShortest, string: quoteBytes, separator: "; " };

/**
 * The text of `string(x)` and PRINT (raql.md §6.11), as a RaQL byte string.
 * Top-level strings and chars are their bytes; a top-level vector or list of
 * chars is the concatenation of its bytes, a NULL item giving `?` (§5.3).
 */
export function valueToString(v: Value, t: NType): string {
  if (v === null) return "NULL";
  switch (t.type.tag) {
    case "string":
      return v as string;
    case "char":
      return String.fromCharCode(v as number);
    case "vector":
    case "list":
      if (t.type.item.type.tag === "char") {
        let out = "";
        for (const c of v as readonly Value[]) out += c === null ? "?" : String.fromCharCode(c as number);
        return out;
      }
  }
  return render(v, t.type, STRING_STYLE);
}

// ---- the CLI renderer -------------------------------------------------------------------------------

export interface RenderOptions {
  /** the text of NULL, at top level and nested (`--null`; `NULL` where there is no such option) */
  readonly nullText: string;
  /** strings without quotes nor escapes, at every level (`--raw`) */
  readonly raw: boolean;
}

export const DEFAULT_RENDER: RenderOptions = { nullText: "NULL", raw: false };

const RENDER_STYLES = new Map<string, Style>();

function renderStyle(opts: RenderOptions): Style {
  const key = (opts.raw ? "r" : "q") + opts.nullText;
  let style = RENDER_STYLES.get(key);
  if (!style) {
    style = { nullText: opts.nullText, float: formatFloat, string: opts.raw ? textOfBytes : quoteForDisplay, separator: ";" };
    RENDER_STYLES.set(key, style);
  }
  return style;
}

/** A value as the CLI prints it (cli-runtime.md §3.1): `tail`, `ramen test` messages, `info`. */
export function renderValue(v: Value, t: NType, opts: RenderOptions = DEFAULT_RENDER): string {
  return render(v, t.type, renderStyle(opts));
}

// ---- dates and durations (cli-runtime.md §3.2) ------------------------------------------------------

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** A UNIX time as local `YYYY-MM-DDTHH:MM:SS` (honours TZ), truncated to the second. */
export function formatDate(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatFloat(seconds);
  const d = new Date(Math.floor(seconds) * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

const DURATION_UNITS: readonly [string, number][] = [
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
];

/** `1d10m`, `1h0.5s`, `10s`, `0s`: units whose count is zero are left out. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatFloat(seconds);
  if (seconds < 0) return "-" + formatDuration(-seconds);
  let rest = seconds;
  let out = "";
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += n + unit;
      rest -= n * size;
    }
  }
  if (rest > 0 || out === "") out += formatFloat(rest) + "s";
  return out;
}
