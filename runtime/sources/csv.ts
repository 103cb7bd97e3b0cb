// The CSV line reader of READ … AS CSV (raql.md §4.13). A reader is compiled
// once per format: every field gets a decoder chosen from its type, so reading
// a line is a loop over closures with no test of the type per value.
//
// Decoders consume columns from a cursor over the line, in place: a column is
// read up to the next separator without splitting the line first, numbers are
// parsed from the line's chars, and only strings and unusual values are sliced
// out. Compound values are flattened into consecutive columns (tuples and
// records item by item, vectors as their items, lists as their length then
// their items; a NULL compound is one column holding the NULL string). With
// CLICKHOUSE SYNTAX, compound values are one column in ClickHouse text
// (`[1, 2]`, `['a', 'b']`, `(1, 'x')`) and `\N` is NULL too.
//
// Choices where the spec is silent:
// * a quoted column is never NULL (the quotes say it is a value);
// * a column that starts with a quote but does not end with one right before
//   the separator is read verbatim, quotes included (`"Bob" <bob@x.org>`);
// * ESCAPE WITH makes the char that follows the escape literal (a quote, a
//   separator, the escape itself), in quoted and unquoted columns alike, as
//   TSV files written with NO QUOTES need; `\t` is a `t`, not a tab;
// * quoted values cannot span lines (files are read line by line);
// * a line with more columns than the fields need is a bad line.

import type { CsvFormat } from "../../grammar/ast.js";
import { RamenError } from "../../grammar/diagnostics.js";
import { type NType, type Type, isScalar, ntypeToString } from "../../grammar/types.js";
import { maskCidr } from "../../stdlib/net.js";
import type { Value } from "../../stdlib/values.js";
import { ColumnFailure, type TextParser, fail, scalarParser, scanFloat, scanSmallInt, smallIntParser } from "./scalars.js";

export interface CsvField {
  readonly name: string;
  readonly type: NType;
}

/** The options of CsvFormat (the AST node itself fits) and the fields to read. */
export type CsvSpec = Omit<CsvFormat, "kind" | "fields" | "clickhouseSyntax" | "vectorsOfCharsAsString"> & {
  readonly vectorsOfCharsAsString?: boolean;
  readonly clickhouseSyntax?: boolean;
  readonly fields: readonly CsvField[];
};

/** Why a line was not read: the field and 1-based column where reading failed. */
export interface CsvError {
  readonly tag: "CsvError";
  /** undefined when the line has more columns than the fields take */
  readonly field?: string;
  readonly column: number;
  readonly reason: string;
}

export type CsvLineParser = (line: string) => Value[] | CsvError;

export function isCsvError(x: Value[] | CsvError): x is CsvError {
  return !Array.isArray(x);
}

/** "field x, column 3: reason", for reports. */
export function describeCsvError(e: CsvError): string {
  return (e.field !== undefined ? `field ${e.field}, ` : "") + `column ${e.column}: ${e.reason}`;
}

type Decoder = () => Value;

// The mutable state of one compiled reader, shared by its decoders.
interface Cursor {
  line: string;
  /** start of the next column; line.length + 1 once the last column is consumed */
  pos: number;
  /** 1-based number of the column being read */
  column: number;
}

const CH_NULL = "\\N";

/** The reader spec of a READ … AS CSV format whose fields are `fields` (the function's output). */
export function csvSpecOf(format: CsvFormat, fields: readonly CsvField[]): CsvSpec {
  return {
    separator: format.separator,
    nullString: format.nullString,
    ...(format.quote !== undefined ? { quote: format.quote } : {}),
    ...(format.escape !== undefined ? { escape: format.escape } : {}),
    vectorsOfCharsAsString: format.vectorsOfCharsAsString,
    clickhouseSyntax: format.clickhouseSyntax,
    fields,
  };
}

export function compileCsvReader(spec: CsvSpec): CsvLineParser {
  const reader = new ReaderBuilder(spec);
  const decoders = spec.fields.map((f) => reader.field(f.type));
  const names = spec.fields.map((f) => f.name);
  const cur = reader.cur;
  const count = decoders.length;
  return (line) => {
    cur.line = line;
    cur.pos = 0;
    cur.column = 0;
    const row = new Array<Value>(count);
    let f = 0;
    try {
      for (; f < count; f++) row[f] = decoders[f]!();
    } catch (e) {
      if (e instanceof ColumnFailure) return { tag: "CsvError", field: names[f], column: cur.column, reason: e.reason };
      throw e;
    }
    if (cur.pos <= line.length) return { tag: "CsvError", column: cur.column + 1, reason: `more than the ${cur.column} columns of the fields` };
    return row;
  };
}

class ReaderBuilder {
  readonly cur: Cursor = { line: "", pos: 0, column: 0 };
  private readonly sep: string;
  private readonly quoteCode: number;
  private readonly nullString: string;
  private readonly escape: string | undefined;
  private readonly chNull: boolean;
  private readonly ch: ClickHouseValues;

  constructor(private readonly spec: CsvSpec) {
    if (spec.separator.length !== 1) throw RamenError.of("csvSeparator");
    this.sep = spec.separator;
    this.quoteCode = spec.quote === undefined ? -1 : spec.quote.charCodeAt(0);
    this.nullString = spec.nullString;
    this.escape = spec.escape === "" ? undefined : spec.escape;
    this.chNull = spec.clickhouseSyntax === true;
    this.ch = new ClickHouseValues(spec.vectorsOfCharsAsString === true);
  }

  // ---- columns ---------------------------------------------------------------------

  /** The text of the next column, unquoted; advances past its separator. */
  readonly readColumn = (): string => {
    const cur = this.cur;
    const line = cur.line;
    const start = cur.pos;
    cur.column++;
    if (start > line.length) fail("missing column");
    if (line.charCodeAt(start) === this.quoteCode) {
      const text = this.readQuoted(line, start);
      if (text !== undefined) return text;
    }
    let end = line.indexOf(this.sep, start);
    if (end < 0) end = line.length;
    if (this.escape !== undefined) {
      const e = line.indexOf(this.escape, start);
      if (e >= 0 && e < end) return this.readEscaped(line, start);
    }
    cur.pos = end + 1;
    return line.slice(start, end);
  };

  /** An unquoted column holding escapes: an escaped char is data, even a separator. */
  private readEscaped(line: string, start: number): string {
    const escape = this.escape!;
    let out = "";
    let from = start;
    for (;;) {
      let end = line.indexOf(this.sep, from);
      if (end < 0) end = line.length;
      const e = line.indexOf(escape, from);
      if (e < 0 || e >= end) {
        this.cur.pos = end + 1;
        return out + line.slice(from, end);
      }
      if (e + escape.length >= line.length) fail("escape at the end of the line");
      out += line.slice(from, e) + line[e + escape.length];
      from = e + escape.length + 1;
    }
  }

  /**
   * A quoted column starting at `start`: its text without quotes, doubled
   * quotes and escapes resolved; undefined when the closing quote is not
   * followed by a separator or the end of the line (then it is no quoting).
   */
  private readQuoted(line: string, start: number): string | undefined {
    const quote = this.spec.quote!;
    const escape = this.escape;
    let out = "";
    let from = start + 1;
    let i = from;
    for (;;) {
      const q = line.indexOf(quote, i);
      const e = escape === undefined ? -1 : line.indexOf(escape, i);
      if (e >= 0 && (q < 0 || e < q)) {
        if (e + escape!.length >= line.length) fail("escape at the end of the line");
        out += line.slice(from, e) + line[e + escape!.length];
        from = i = e + escape!.length + 1;
        continue;
      }
      if (q < 0) fail("unterminated quoted value");
      if (line.charCodeAt(q + 1) === this.quoteCode) {
        out += line.slice(from, q + 1);
        from = i = q + 2;
        continue;
      }
      if (q + 1 < line.length && line[q + 1] !== this.sep) return undefined;
      this.cur.pos = q + 2;
      return out + line.slice(from, q);
    }
  }

  /** Whether the next column is the NULL string (unquoted), without consuming it. */
  private atNull(): boolean {
    const { line, pos } = this.cur;
    return this.nullAt(line, pos, this.nullString) || (this.chNull && this.nullAt(line, pos, CH_NULL));
  }

  private nullAt(line: string, pos: number, nullString: string): boolean {
    const end = pos + nullString.length;
    return line.startsWith(nullString, pos) && (end === line.length || line[end] === this.sep) && pos <= line.length;
  }

  private skipColumn(): void {
    this.cur.column++;
    let end = this.cur.line.indexOf(this.sep, this.cur.pos);
    if (end < 0) end = this.cur.line.length;
    this.cur.pos = end + 1;
  }

  // ---- fields ----------------------------------------------------------------------

  field(t: NType): Decoder {
    const inner = this.notNull(t);
    if (!t.nullable) return inner;
    return () => {
      if (this.atNull()) {
        this.skipColumn();
        return null;
      }
      return inner();
    };
  }

  private notNull(t: NType): Decoder {
    const type = t.type;
    if (this.spec.clickhouseSyntax && !isScalar(type)) return this.clickHouseColumn(t);
    switch (type.tag) {
      case "float":
        return this.numberColumn((line, start, end) => scanFloat(line, start, end), scalarParser(type));
      case "int":
        if (type.width <= 32) {
          const parse = smallIntParser(type.signed, type.width);
          const min = type.signed ? -(2 ** (type.width - 1)) : 0;
          const max = type.signed ? 2 ** (type.width - 1) - 1 : 2 ** type.width - 1;
          const name = (type.signed ? "i" : "u") + type.width;
          return this.numberColumn((line, start, end) => scanSmallInt(line, start, end, min, max, name), parse);
        }
        return this.textColumn(scalarParser(type));
      case "string":
        return this.readColumn;
      case "ip":
        return this.spec.clickhouseSyntax ? this.textColumn(scalarParser(type)) : this.tagged(notNullOf({ tag: "ip4" }), notNullOf({ tag: "ip6" }));
      case "cidr":
        return this.spec.clickhouseSyntax ? this.textColumn(scalarParser(type)) : this.tagged(notNullOf({ tag: "cidr4" }), notNullOf({ tag: "cidr6" }));
      case "cidr4":
      case "cidr6":
        return this.spec.clickhouseSyntax ? this.textColumn(scalarParser(type)) : this.cidrColumns(type.tag === "cidr4" ? "ip4" : "ip6", type.tag === "cidr4" ? 32 : 128);
      case "vector": {
        if (this.spec.vectorsOfCharsAsString && type.item.type.tag === "char" && !type.item.nullable) return this.charsColumn(type.dim);
        const items = Array.from({ length: type.dim }, () => this.field(type.item));
        return () => items.map((d) => d());
      }
      case "list": {
        const item = this.field(type.item);
        const length = this.numberColumn((line, start, end) => scanSmallInt(line, start, end, 0, 2 ** 32 - 1, "a list length"), smallIntParser(false, 32));
        return () => {
          const n = length() as number;
          const out = new Array<Value>(n);
          for (let i = 0; i < n; i++) out[i] = item();
          return out;
        };
      }
      case "tuple": {
        const items = type.items.map((it) => this.field(it));
        return () => items.map((d) => d());
      }
      case "record": {
        const fields = type.fields.map((f) => this.field(f.type));
        return () => fields.map((d) => d());
      }
      case "unit":
      case "map":
      case "unknown":
      case "flexint":
        throw RamenError.of("notSupported", { what: `a CSV field of type ${ntypeToString(t)}` });
      default:
        return this.textColumn(scalarParser(type));
    }
  }

  private textColumn(parse: TextParser): Decoder {
    return () => parse(this.readColumn());
  }

  /** A number read in place from the line, unless quoted. */
  private numberColumn(scan: (line: string, start: number, end: number) => number, parse: TextParser): Decoder {
    const cur = this.cur;
    const sep = this.sep;
    const quoteCode = this.quoteCode;
    return () => {
      const line = cur.line;
      const start = cur.pos;
      if (start > line.length || line.charCodeAt(start) === quoteCode) return parse(this.readColumn());
      cur.column++;
      let end = line.indexOf(sep, start);
      if (end < 0) end = line.length;
      cur.pos = end + 1;
      return scan(line, start, end);
    };
  }

  /** Generic ip/cidr: a tag column (0 = v4, 1 = v6) then the columns of that variant. */
  private tagged(v4: NType, v6: NType): Decoder {
    const decode4 = this.notNull(v4);
    const decode6 = this.notNull(v6);
    const tag = smallIntParser(false, 8);
    return () => {
      const family = tag(this.readColumn());
      if (family === 0) return decode4();
      if (family === 1) return decode6();
      return fail(`the address family tag must be 0 (v4) or 1 (v6), got ${family}`);
    };
  }

  private cidrColumns(family: "ip4" | "ip6", maxLength: number): Decoder {
    const ip = this.notNull(notNullOf({ tag: family }));
    const length = smallIntParser(false, 8);
    return () => {
      const address = ip() as number | bigint;
      const len = length(this.readColumn());
      if (len > maxLength) fail(`prefix length ${len} is more than ${maxLength}`);
      return maskCidr({ ip: address, len });
    };
  }

  private charsColumn(dim: number): Decoder {
    return () => {
      const text = this.readColumn();
      if (text.length !== dim) fail(`expected ${dim} chars, got ${text.length}`);
      const out = new Array<number>(dim);
      for (let i = 0; i < dim; i++) out[i] = text.charCodeAt(i);
      return out;
    };
  }

  /** A compound value in ClickHouse text, read from the line or from its quoted column. */
  private clickHouseColumn(t: NType): Decoder {
    const value = this.ch.decoder(t.type);
    const cur = this.cur;
    return () => {
      const line = cur.line;
      if (cur.pos > line.length || line.charCodeAt(cur.pos) === this.quoteCode) {
        const text = this.readColumn();
        return this.ch.readAll(value, text);
      }
      cur.column++;
      const v = this.ch.readAt(value, line, cur.pos);
      const end = this.ch.pos;
      if (end < line.length && line[end] !== this.sep) fail(`unexpected ${JSON.stringify(line.slice(end, end + 10))} after the value`);
      cur.pos = end + 1;
      return v;
    };
  }
}

function notNullOf(type: Type): NType {
  return { type, nullable: false };
}

// ---- ClickHouse text values ----------------------------------------------------------

const CH_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0", a: "\x07", v: "\v", e: "\x1b" };

/**
 * Values written as ClickHouse prints them in its text formats: arrays
 * `[a, b]`, tuples `(a, b)` (records too), strings in single quotes with
 * backslash escapes, NULL as `NULL` or `\N`. Scalars may be quoted or bare.
 */
class ClickHouseValues {
  text = "";
  pos = 0;

  constructor(private readonly vectorsOfCharsAsString: boolean) {}

  readAt(decode: Decoder, text: string, pos: number): Value {
    this.text = text;
    this.pos = pos;
    return decode();
  }

  readAll(decode: Decoder, text: string): Value {
    const v = this.readAt(decode, text, 0);
    this.skipBlanks();
    if (this.pos < text.length) fail(`unexpected ${JSON.stringify(text.slice(this.pos, this.pos + 10))} after the value`);
    return v;
  }

  decoder(t: Type): Decoder {
    switch (t.tag) {
      case "vector": {
        if (this.vectorsOfCharsAsString && t.item.type.tag === "char" && !t.item.nullable) {
          return () => {
            const s = this.scalarText();
            if (s.length !== t.dim) fail(`expected ${t.dim} chars, got ${s.length}`);
            return Array.from(s, (c) => c.charCodeAt(0));
          };
        }
        const item = this.item(t.item);
        return () => {
          const items = this.sequence("[", "]", item);
          if (items.length !== t.dim) fail(`expected ${t.dim} items, got ${items.length}`);
          return items;
        };
      }
      case "list": {
        const item = this.item(t.item);
        return () => this.sequence("[", "]", item);
      }
      case "tuple": {
        const items = t.items.map((it) => this.item(it));
        return () => this.fixed(items);
      }
      case "record": {
        const fields = t.fields.map((f) => this.item(f.type));
        return () => this.fixed(fields);
      }
      case "unit":
      case "map":
      case "unknown":
      case "flexint":
        throw RamenError.of("notSupported", { what: `a ClickHouse value of type ${t.tag}` });
      default: {
        const parse = scalarParser(t);
        return () => parse(this.scalarText());
      }
    }
  }

  private item(t: NType): Decoder {
    const inner = this.decoder(t.type);
    if (!t.nullable) return inner;
    return () => (this.atNull() ? null : inner());
  }

  private atNull(): boolean {
    this.skipBlanks();
    const { text, pos } = this;
    if (text.startsWith(CH_NULL, pos)) {
      this.pos += CH_NULL.length;
      return true;
    }
    if (text.slice(pos, pos + 4).toUpperCase() === "NULL" && !/[A-Za-z0-9_]/.test(text[pos + 4] ?? "")) {
      this.pos += 4;
      return true;
    }
    return false;
  }

  private skipBlanks(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  private expect(c: string): void {
    this.skipBlanks();
    if (this.text[this.pos] !== c) fail(`expected ${c}` + (this.pos < this.text.length ? ` at ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}` : " before the end"));
    this.pos++;
  }

  private sequence(open: string, close: string, item: Decoder): Value[] {
    this.expect(open);
    const out: Value[] = [];
    this.skipBlanks();
    if (this.text[this.pos] === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(item());
      this.skipBlanks();
      const c = this.text[this.pos++];
      if (c === close) return out;
      if (c !== ",") fail(`expected , or ${close}`);
    }
  }

  private fixed(items: readonly Decoder[]): Value[] {
    this.expect("(");
    const out = items.map((item, i) => {
      if (i > 0) this.expect(",");
      return item();
    });
    this.expect(")");
    return out;
  }

  /** A scalar: a single-quoted string with escapes, or the bare text up to , ] ) or the end. */
  private scalarText(): string {
    this.skipBlanks();
    const text = this.text;
    if (text[this.pos] !== "'") {
      const start = this.pos;
      while (this.pos < text.length && !",])".includes(text[this.pos]!)) this.pos++;
      return text.slice(start, this.pos).trimEnd();
    }
    let out = "";
    for (let i = this.pos + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === "'") {
        this.pos = i + 1;
        return out;
      }
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[++i];
      if (e === undefined) break;
      if (e === "x" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
        out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        out += CH_ESCAPES[e] ?? e;
      }
    }
    return fail("unterminated string");
  }
}
