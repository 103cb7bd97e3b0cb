// Reads a RaQL literal of a known type (raql.md §1.4): the values of test
// vectors and `.test` files, `tail --where` operands, and string casts.
// Reading is directed by the type, which settles what the text alone cannot
// (`1.2.3.4` is an ip4 where an ip4 is expected; `1` is a float where a float
// is expected). Accepted: NULL (any case), booleans, integers in any base with
// `_` separators and optional width and scale suffixes, floats including
// `nan`/`inf`/`-inf`, strings with escapes, chars, ips, cidrs (masked),
// Ethernet addresses, `()`, vectors and lists `[a; b]`, tuples `(a; b)` and
// records `{a: 1; b: "x"}` (fields in any order). Every form printed by
// `renderValue` (except nan/inf) and by `valueToString` reads back.
// Integers widen to the requested type; anything else is a RamenError.

import { RamenError } from "../grammar/diagnostics.js";
import { IntWidth, NType, Type, intFits, ntypeToString } from "../grammar/types.js";
import { CHAR_NAMES } from "./format.js";
import { parseCidr, parseCidr4, parseCidr6, parseEth, parseIp, parseIp4, parseIp6 } from "./net.js";
import { canPromote } from "./typing.js";
import { Value, bytesOfText } from "./values.js";

/** Reads `text` (as typed by a user: string contents are UTF-8 encoded) as a value of type `t`. */
export function readValue(text: string, t: NType): Value {
  return new Reader(bytesOfText(text), text).readTop(t);
}

/** Reads a RaQL byte string (one char per byte, e.g. the operand of a cast) as a value of type `t`. */
export function readValueOfBytes(bytes: string, t: NType): Value {
  return new Reader(bytes, bytes).readTop(t);
}

const CHAR_CODES: ReadonlyMap<string, number> = new Map([...[...CHAR_NAMES].map(([code, name]) => [name, code] as const), ["linefeed", 10]]);

// Sticky regexes, matched at the reader's position.
const INT_OR_FLOAT_RE = /(-?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*(\.[0-9_]*)?|(\.)[0-9][0-9_]*)(?:[eE]([-+]?[0-9]+))?)/y;
const WIDTH_SUFFIX_RE = /([iuIU])(128|16|24|32|40|48|56|64|8)(?![A-Za-z0-9_])/y;
// Words are case-insensitive, single letters case-sensitive (raql.md §1.4); µ is UTF-8 encoded here.
const SCALE_RE = /[ \t]*(?:([pP][iI][cC][oO]|[mM][iI][cC][rR][oO]|[mM][iI][lL][lL][iI]|[kK][iI][lL][oO]|[mM][eE][gG][aA]|[gG][iI][gG][aA])|(Ki|Mi|Gi|Ti)|(p|\xc2\xb5|m|k|M|G))(?![A-Za-z0-9_])/y;
const NON_FINITE_RE = /(-?)(nan|inf)(?![A-Za-z0-9_])/iy;
const WORD_RE = /[A-Za-z_]+(?![A-Za-z0-9_])/y;
const ADDRESS_RE = /[0-9A-Fa-f:./]+/y;
const FIELD_NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const HEX_DIGITS_RE = /[0-9A-Fa-f]+/y;
const OCTAL3_RE = /[0-7]{3}/y;

const DECIMAL_SCALES: Record<string, number> = { pico: -12, micro: -6, milli: -3, kilo: 3, mega: 6, giga: 9, p: -12, "\xc2\xb5": -6, m: -3, k: 3, M: 6, G: 9 };
const BINARY_SCALES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40 };

type Scale = { readonly decimal: number } | { readonly binary: number } | undefined;

/** A number literal as written, before it takes the requested type. */
interface NumberLiteral {
  readonly negative: boolean;
  /** the digits and dot/exponent, without sign and without `_` */
  readonly body: string;
  readonly isFloat: boolean;
  readonly suffix?: { readonly signed: boolean; readonly width: IntWidth };
  readonly scale: Scale;
}

class ReadError extends Error {}

class Reader {
  private pos = 0;

  constructor(
    private readonly text: string,
    /** the text as the user gave it, for messages */
    private readonly original: string,
  ) {}

  readTop(t: NType): Value {
    try {
      const v = this.read(t);
      this.skipBlanks();
      if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))} after the value`);
      return v;
    } catch (e) {
      if (e instanceof ReadError) {
        throw RamenError.of("cannotParseValue", { text: this.original, type: ntypeToString(t), reason: e.message });
      }
      throw e;
    }
  }

  private fail(reason: string): never {
    throw new ReadError(reason);
  }

  private skipBlanks(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m) this.pos = re.lastIndex;
    return m;
  }

  private peekWord(): string | undefined {
    WORD_RE.lastIndex = this.pos;
    return WORD_RE.exec(this.text)?.[0];
  }

  private expect(c: string): void {
    this.skipBlanks();
    if (this.text[this.pos] !== c) this.fail(`expected ${c}` + (this.pos < this.text.length ? ` at ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}` : " before the end"));
    this.pos++;
  }

  private read(t: NType): Value {
    this.skipBlanks();
    const word = this.peekWord();
    if (word !== undefined && word.toLowerCase() === "null") {
      if (!t.nullable) this.fail(`NULL is not a value of the non-nullable type ${ntypeToString(t)}`);
      this.pos += word.length;
      return null;
    }
    const v = this.readNotNull(t.type);
    // The nullable marker of scalar literals (`1u8?`) changes nothing here.
    if (this.text[this.pos] === "?") this.pos++;
    return v;
  }

  private readNotNull(t: Type): Value {
    switch (t.tag) {
      case "bool":
        return this.readBool();
      case "int":
        return this.readInt(t.signed, t.width);
      case "float":
        return this.readFloat();
      case "string":
        return this.readString();
      case "char":
        return this.readChar();
      case "eth":
        return this.readAddress("an Ethernet address", parseEth);
      case "ip4":
        return this.readAddress("an IPv4 address", parseIp4);
      case "ip6":
        return this.readAddress("an IPv6 address", parseIp6);
      case "ip":
        return this.readAddress("an IP address", parseIp);
      case "cidr4":
        return this.readAddress("an IPv4 CIDR", parseCidr4);
      case "cidr6":
        return this.readAddress("an IPv6 CIDR", parseCidr6);
      case "cidr":
        return this.readAddress("a CIDR", parseCidr);
      case "unit":
        this.expect("(");
        this.expect(")");
        return [];
      case "vector":
      case "list":
        return this.readSequence(t);
      case "tuple":
        return this.readTuple(t.items);
      case "record":
        return this.readRecord(t.fields);
      case "map":
        return this.fail("maps have no literal");
      case "unknown":
      case "flexint":
        throw new Error(`internal: cannot read a value of the inference-only type ${t.tag}`);
    }
  }

  private readBool(): boolean {
    const word = this.peekWord()?.toLowerCase();
    if (word !== "true" && word !== "false") this.fail("expected true or false");
    this.pos += word.length;
    return word === "true";
  }

  private readNumberLiteral(): NumberLiteral {
    const m = this.match(INT_OR_FLOAT_RE);
    if (!m) this.fail("expected a number");
    const body = m[2]!.replace(/_/g, "");
    const isFloat = m[3] !== undefined || m[4] !== undefined || m[5] !== undefined;
    let suffix: NumberLiteral["suffix"];
    if (!isFloat) {
      const s = this.match(WIDTH_SUFFIX_RE);
      if (s) suffix = { signed: s[1]!.toLowerCase() === "i", width: Number(s[2]) as IntWidth };
    }
    const sc = this.match(SCALE_RE);
    const scale: Scale = !sc ? undefined : sc[2] !== undefined ? { binary: BINARY_SCALES[sc[2]]! } : { decimal: DECIMAL_SCALES[sc[1]?.toLowerCase() ?? sc[3]!]! };
    return { negative: m[1] === "-", body, isFloat, suffix, scale };
  }

  private readInt(signed: boolean, width: IntWidth): number | bigint {
    const lit = this.readNumberLiteral();
    if (lit.isFloat) this.fail("expected an integer, got a float");
    let v = BigInt(lit.body);
    if (lit.negative) v = -v;
    if (lit.suffix) {
      const s = lit.suffix;
      if (!intFits(v, s.signed, s.width)) this.fail(`${v} does not fit ${s.signed ? "i" : "u"}${s.width}`);
      const from: Type = { tag: "int", signed: s.signed, width: s.width };
      if (!canPromote(from, { tag: "int", signed, width })) this.fail(`an integer of type ${s.signed ? "i" : "u"}${s.width} is not a ${signed ? "i" : "u"}${width}`);
    }
    if (lit.scale) v = scaleInteger(v, lit.scale, () => this.fail("the scaled value is not an integer"));
    if (!intFits(v, signed, width)) this.fail(`${v} is out of the range of ${signed ? "i" : "u"}${width}`);
    return width > 32 ? v : Number(v);
  }

  private readFloat(): number {
    const nonFinite = this.match(NON_FINITE_RE);
    if (nonFinite) {
      const x = nonFinite[2]!.toLowerCase() === "nan" ? NaN : Infinity;
      return nonFinite[1] === "-" ? -x : x;
    }
    const lit = this.readNumberLiteral();
    if (lit.suffix && lit.suffix.width === 128) this.fail("a 128-bit integer is not a float");
    const magnitude = lit.isFloat || !/^0[xXoObB]/.test(lit.body) ? decimalTimesScale(lit.body, lit.scale) : Number(BigInt(lit.body)) * scaleFactor(lit.scale);
    return lit.negative ? -magnitude : magnitude;
  }

  private readString(): string {
    this.skipBlanks();
    if (this.text[this.pos] !== '"') this.fail("expected a string in double quotes");
    let out = "";
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === '"') {
        this.pos = i + 1;
        return out;
      }
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[++i];
      switch (e) {
        case "\\":
        case '"':
        case "'":
          out += e;
          break;
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "b":
          out += "\b";
          break;
        case "x": {
          const hex = this.text.slice(i + 1, i + 3);
          if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail(`invalid escape \\x${hex} in string`);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 2;
          break;
        }
        default: {
          const dec = this.text.slice(i, i + 3);
          if (!/^[0-9]{3}$/.test(dec) || Number(dec) > 255) this.fail(`invalid escape \\${dec.slice(0, 3)} in string`);
          out += String.fromCharCode(Number(dec));
          i += 2;
        }
      }
    }
    return this.fail("unterminated string");
  }

  private readChar(): number {
    this.skipBlanks();
    if (this.text.slice(this.pos, this.pos + 2) !== "#\\") this.fail("expected a char such as #\\a");
    this.pos += 2;
    const code = this.readCharBody();
    if (/[A-Za-z0-9_]/.test(this.text[this.pos] ?? "")) this.fail("a char literal must not be followed by a letter, digit or _");
    return code;
  }

  // What follows `#\`: a name, `xHH…`, three octal digits, or any one byte.
  private readCharBody(): number {
    const word = this.peekWord();
    const named = word !== undefined ? CHAR_CODES.get(word.toLowerCase()) : undefined;
    if (named !== undefined && word!.length > 1) {
      this.pos += word!.length;
      return named;
    }
    if (this.text[this.pos] === "x" || this.text[this.pos] === "X") {
      this.pos++;
      const hex = this.match(HEX_DIGITS_RE);
      if (hex) {
        const code = parseInt(hex[0], 16);
        if (code > 255) this.fail("a char code must be at most 255");
        return code;
      }
      return this.text.charCodeAt(this.pos - 1);
    }
    const octal = this.match(OCTAL3_RE);
    if (octal) {
      const code = parseInt(octal[0], 8);
      if (code > 255) this.fail("a char code must be at most 255");
      return code;
    }
    if (this.pos >= this.text.length) this.fail("expected a char after #\\");
    return this.text.charCodeAt(this.pos++);
  }

  private readAddress<T extends Value>(what: string, parse: (s: string) => T | undefined): T {
    this.skipBlanks();
    const m = this.match(ADDRESS_RE);
    const v = m ? parse(m[0]) : undefined;
    if (v === undefined) this.fail(`expected ${what}`);
    return v;
  }

  private readSequence(t: Extract<Type, { tag: "vector" | "list" }>): Value[] {
    const items = this.readItems("[", "]", () => t.item);
    if (t.tag === "vector" && items.length !== t.dim) this.fail(`expected ${t.dim} items, got ${items.length}`);
    return items;
  }

  private readTuple(types: readonly NType[]): Value[] {
    const items = this.readItems("(", ")", (i) => types[i]);
    if (items.length !== types.length) this.fail(`expected ${types.length} items, got ${items.length}`);
    return items;
  }

  /** `open item; item; … close` (a `;` before `close` is allowed); `itemType` is undefined past the expected count. */
  private readItems(open: string, close: string, itemType: (i: number) => NType | undefined): Value[] {
    this.expect(open);
    const items: Value[] = [];
    for (;;) {
      this.skipBlanks();
      if (this.text[this.pos] === close) break;
      const t = itemType(items.length);
      if (!t) this.fail(`too many items`);
      items.push(this.read(t));
      this.skipBlanks();
      if (this.text[this.pos] === ";") this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ; or ${close}`);
    }
    this.pos++;
    return items;
  }

  private readRecord(fields: readonly { readonly name: string; readonly type: NType }[]): Value[] {
    this.expect("{");
    const values = new Map<number, Value>();
    for (;;) {
      this.skipBlanks();
      if (this.text[this.pos] === "}") break;
      const name = this.readFieldName();
      const index = fields.findIndex((f) => f.name === name);
      if (index < 0) this.fail(`unknown field ${name} (fields: ${fields.map((f) => f.name).join(", ")})`);
      if (values.has(index)) this.fail(`field ${name} given twice`);
      this.expect(":");
      values.set(index, this.read(fields[index]!.type));
      this.skipBlanks();
      if (this.text[this.pos] === ";") this.pos++;
      else if (this.text[this.pos] !== "}") this.fail("expected ; or }");
    }
    this.pos++;
    const missing = fields.filter((_, i) => !values.has(i)).map((f) => f.name);
    if (missing.length > 0) this.fail(`missing field ${missing.join(", ")}`);
    return fields.map((_, i) => values.get(i)!);
  }

  private readFieldName(): string {
    if (this.text[this.pos] === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      if (end < 0) this.fail("unterminated quoted field name");
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    const m = this.match(FIELD_NAME_RE);
    if (!m) this.fail("expected a field name");
    return m[0];
  }
}

function scaleFactor(scale: Scale): number {
  if (!scale) return 1;
  return "binary" in scale ? 2 ** scale.binary : 10 ** scale.decimal;
}

/** An integer times its scale, exactly; `notIntegral` reports a fractional result. */
function scaleInteger(v: bigint, scale: NonNullable<Scale>, notIntegral: () => never): bigint {
  if ("binary" in scale) return v << BigInt(scale.binary);
  if (scale.decimal >= 0) return v * 10n ** BigInt(scale.decimal);
  const divisor = 10n ** BigInt(-scale.decimal);
  if (v % divisor !== 0n) notIntegral();
  return v / divisor;
}

/** A decimal literal times a power of ten, correctly rounded by folding the scale into the exponent. */
function decimalTimesScale(body: string, scale: Scale): number {
  if (!scale) return Number(body);
  if ("binary" in scale) return Number(body) * 2 ** scale.binary;
  const [mantissa, exponent] = body.split(/[eE]/) as [string, string | undefined];
  return Number(`${mantissa}e${Number(exponent ?? 0) + scale.decimal}`);
}
